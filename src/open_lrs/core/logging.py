"""Structured logging with personal data masked before anything is written.

Learner details must never reach a plain-text log. Two defences: any event key that names a
personal field is replaced by ``"***"``, and ten-digit runs (ULNs) inside any string value,
such as a request path, are masked too.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

PII_KEYS = frozenset(
    {
        "title", "given_name", "middle_other_name", "family_name", "preferred_given_name",
        "previous_family_name", "family_name_at_age_16", "date_of_birth", "dob", "gender",
        "postcode", "address_line_1", "address_line_2", "address_town",
        "address_county_or_city", "email", "place_of_birth", "school_at_age_16",
        "nationality", "scottish_candidate_number", "notes", "uln", "ulns", "linked_uln",
        "master_uln", "name", "password", "api_key", "authorization", "body",
    }
)  # fmt: skip
_ULN_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9]{10}(?![0-9A-Za-z])")
MASK = "***"


def mask_text(value: str) -> str:
    return _ULN_RUN.sub("**********", value)


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: (MASK if k.lower() in PII_KEYS else _mask_value(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_value(v) for v in value]
    return value


def mask_pii(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> Any:
    for key in list(event_dict):
        if key.lower() in PII_KEYS:
            event_dict[key] = MASK
        else:
            event_dict[key] = _mask_value(event_dict[key])
    return event_dict


class _CurrentStderr:
    """Whatever ``sys.stderr`` is when a line is written (test capture and servers swap it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(level: str = "INFO", fmt: str = "console") -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            mask_pii,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=False,
    )


def get_logger(name: str = "open_lrs") -> Any:
    return structlog.get_logger(name)
