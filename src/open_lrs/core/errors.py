"""Domain errors raised by the service layer, independent of any transport.

Each carries a stable ``code`` (ours, readable), the LRS code it corresponds to where there is
one, and an HTTP status that the JSON API uses. The portal and the SOAP adapter map the same
errors to their own formats.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    code: str = "invalid"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "code": self.code}


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    # Pydantic adds the type name of a union/annotated branch to the location; drop those.
    parts = [p for p in parts if not p.startswith(("function-", "literal[", "constrained-"))]
    return ".".join(parts) or "body"


def _message(err: Mapping[str, Any]) -> str:
    msg = str(err.get("msg", "is invalid"))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if err.get("type") == "missing":
        return "is required"
    if err.get("type") == "extra_forbidden":
        return "is not a recognised field"
    return msg


def field_errors(pydantic_errors: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    """Pydantic's validation errors as our field errors: one wording for API, CLI and files."""
    return [
        FieldError(_field_name(tuple(e.get("loc", ()))), _message(e), str(e.get("type", "invalid")))
        for e in pydantic_errors
    ]


class LrsError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title: ClassVar[str] = "Bad request"
    lrs_code: ClassVar[str | None] = "WSEC0001"

    def __init__(
        self,
        detail: str,
        *,
        errors: Iterable[FieldError] = (),
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = tuple(errors)
        self.extra = dict(extra or {})


class ValidationFailed(LrsError):
    status = 422
    code = "validation_error"
    title = "The request has invalid fields"


class InsufficientData(LrsError):
    status = 422
    code = "insufficient_data"
    title = "Mandatory fields are missing"
    lrs_code = "WSRC0015"


class InvalidUln(LrsError):
    status = 422
    code = "invalid_uln"
    title = "Invalid ULN"
    lrs_code = "WSEC0136"


class NotFound(LrsError):
    status = 404
    code = "not_found"
    title = "Not found"
    lrs_code: ClassVar[str | None] = None


class LearnerNotFound(NotFound):
    code = "learner_not_found"
    title = "No learner has this ULN"
    lrs_code = "WSRC0019"


class StaleVersion(LrsError):
    status = 409
    code = "stale_version"
    title = "The learner was updated since you last read it"
    lrs_code = "WSRC0013"


class PossibleMatches(LrsError):
    """Registration stopped: the learner may already have a ULN. The caller picks one of the
    candidates, or confirms that this is someone new (with a reason)."""

    status = 409
    code = "possible_matches"
    title = "The learner may already be registered"
    lrs_code = "WSRC0003"


class TooManyMatches(PossibleMatches):
    code = "too_many_matches"
    title = "Too many learners are like this one"
    lrs_code = "WSRC0002"


class MergeRefused(LrsError):
    status = 409
    code = "merge_refused"
    title = "The merge or unmerge cannot be done"
    lrs_code = None


class Unauthenticated(LrsError):
    status = 401
    code = "unauthenticated"
    title = "Missing or invalid credentials"
    lrs_code = "WSEC0005"


class Forbidden(LrsError):
    status = 403
    code = "forbidden"
    title = "Your organisation may not do this"
    lrs_code = "WSEC0006"


class PayloadTooLarge(LrsError):
    status = 413
    code = "payload_too_large"
    title = "The request body is too large"


class AlreadyExists(LrsError):
    status = 409
    code = "already_exists"
    title = "It already exists"
    lrs_code = None


class Conflict(LrsError):
    status = 409
    code = "conflict"
    title = "The request conflicts with the current state"
    lrs_code = None


class LearnerNotVerified(LrsError):
    """The ULN was not given with its learner's name (and date of birth, when given)."""

    status = 403
    code = "learner_not_verified"
    title = "The learner could not be verified"
    lrs_code = "WSEC0208"


class NotShared(LrsError):
    """The learner has not agreed to share their record with this organisation."""

    status = 403
    code = "not_shared"
    title = "The learner has not agreed to share their record"
    lrs_code = "WSEC0206"
