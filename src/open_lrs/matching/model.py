"""The Fellegi-Sunter model: a weight for each field's agreement level, and two thresholds.

Parameters are data (``data/model-<version>.json``), loaded once and versioned, so that a
re-estimated model is a new file, not a code change. A level absent from a field (``missing``)
weighs nothing: no evidence either way.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

CURRENT_VERSION = "1"


@dataclass(frozen=True)
class Model:
    version: str
    auto_match: float
    review: float
    probabilities: dict[str, dict[str, tuple[float, float]]]
    term_frequency_fields: frozenset[str]

    def weight(self, field: str, level: str, frequency: float | None = None) -> float:
        """log2(m/u) for the level; for an exact name, log2(m / how common the name is)."""
        m_u = self.probabilities[field].get(level)
        if m_u is None:
            return 0.0
        m, u = m_u
        if frequency is not None and level == "exact" and field in self.term_frequency_fields:
            u = frequency
        return math.log2(m / u)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Model:
        probabilities: dict[str, dict[str, tuple[float, float]]] = {}
        for field, levels in data["fields"].items():
            probabilities[field] = {}
            for level, (m, u) in levels.items():
                if not (0 < m <= 1 and 0 < u <= 1):
                    raise ValueError(f"{field}.{level}: m and u must be in (0, 1]")
                probabilities[field][level] = (float(m), float(u))
        auto, review = data["thresholds"]["auto_match"], data["thresholds"]["review"]
        if review >= auto:
            raise ValueError("the review threshold must be below the auto-match threshold")
        return cls(
            version=str(data["version"]),
            auto_match=float(auto),
            review=float(review),
            probabilities=probabilities,
            term_frequency_fields=frozenset(data.get("term_frequency_fields", ())),
        )


@cache
def load(version: str = CURRENT_VERSION) -> Model:
    text = files("open_lrs.matching").joinpath(f"data/model-v{version}.json").read_text("utf-8")
    return Model.from_dict(json.loads(text))
