"""SOAP faults: what goes wrong, as the LRS interface reports it.

A fault carries the LRS error code (``WSEC0001`` invalid request, ``WSEC0005`` bad
credentials, ``WSEC0006`` not allowed, ``WSEC0136`` invalid ULN...), a description a person
can act on, and further details (the elements at fault, the request id). How it is written
inside ``<detail>`` is the service's own fault type (the Learner Service's
``MIAPAPIException``, R9's ``DomainFault``), so each service gives a ``FaultDetail``.

Outcomes that the interface answers with a ``ResponseCode`` (``WSRC...``, ``WSVRC...``) are
never faults: the adapters put them in the operation's response.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from open_lrs.core.errors import FieldError, LrsError

CLIENT, SERVER = "Client", "Server"
VERSION_MISMATCH, MUST_UNDERSTAND = "VersionMismatch", "MustUnderstand"
INVALID_REQUEST = "WSEC0001"


class SoapFault(Exception):
    """A fault to answer with. ``fault_code`` is the SOAP 1.1 fault code (``Client`` for the
    sender's mistakes, ``Server`` for ours); ``code`` the LRS error code, or None when there
    is none (our own failure)."""

    def __init__(
        self,
        description: str,
        *,
        code: str | None = INVALID_REQUEST,
        fault_code: str = CLIENT,
        further: Iterable[str] = (),
    ) -> None:
        super().__init__(description)
        self.description = description
        self.code = code
        self.fault_code = fault_code
        self.further = tuple(further)


def server_fault() -> SoapFault:
    return SoapFault(
        "The service could not complete the request. Quote the request id if you report it.",
        code=None,
        fault_code=SERVER,
    )


def from_lrs_error(exc: LrsError) -> SoapFault:
    """A service's refusal as a fault: its LRS code (``WSEC0001`` when it has none, as for a
    batch that is not yours), its detail, and each field error."""
    return SoapFault(exc.detail, code=exc.lrs_code or INVALID_REQUEST, further=_listed(exc.errors))


def _listed(errors: Iterable[FieldError]) -> list[str]:
    return [f"{e.field}: {e.message}" for e in errors]


# The element (Clark notation) of a service's fault detail and its values, for one fault of
# one operation (None when the operation is not known yet).
FaultDetail = Callable[[SoapFault, "str | None", "str | None"], tuple[str, dict[str, Any]]]
