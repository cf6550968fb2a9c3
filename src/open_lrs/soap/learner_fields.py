"""The Learner Service's element names for our fields, both ways, and its shared pieces:
credentials, the ``MIAPAPIException`` fault, the ``Learner`` element, validation errors.

Only names and formats are translated here; every rule about a value stays in the schemas and
services that the JSON API uses (``learners.schemas``, ``batches.schemas``...).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from open_lrs.core.clock import utcnow
from open_lrs.core.errors import FieldError, InsufficientData, LrsError, ValidationFailed
from open_lrs.core.errors import field_errors as pydantic_field_errors
from open_lrs.learners.schemas import LearnerPublic
from open_lrs.soap.auth import Credentials
from open_lrs.soap.faults import SoapFault

EXCEPTIONS_NS = "http://api.lrs.miap.gov.uk/exceptions"
MIAP_EXCEPTION = f"{{{EXCEPTIONS_NS}}}MIAPAPIException"
FUL, CHK = "FUL", "CHK"
M = TypeVar("M", bound=BaseModel)
_WORD = re.compile(r"\b[a-z][a-z0-9_]*\b")

# Element of the interface's learner types -> our field name.
LEARNER_ELEMENTS: dict[str, str] = {
    "ULN": "uln",
    "MISIdentifier": "mis_identifier",
    "Title": "title",
    "GivenName": "given_name",
    "MiddleOtherName": "middle_other_name",
    "FamilyName": "family_name",
    "PreferredGivenName": "preferred_given_name",
    "PreviousFamilyName": "previous_family_name",
    "FamilyNameAtAge16": "family_name_at_age_16",
    "SchoolAtAge16": "school_at_age_16",
    "LastKnownAddressLine1": "address_line_1",
    "LastKnownAddressLine2": "address_line_2",
    "LastKnownAddressTown": "address_town",
    "LastKnownAddressCountyOrCity": "address_county_or_city",
    "LastKnownPostCode": "postcode",
    "DateOfAddressCapture": "date_of_address_capture",
    "DateOfBirth": "date_of_birth",
    "PlaceOfBirth": "place_of_birth",
    "Gender": "gender",
    "EmailAddress": "email",
    "Nationality": "nationality",
    "ScottishCandidateNumber": "scottish_candidate_number",
    "VerificationType": "verification_type",
    "OtherVerificationDescription": "other_verification_description",
    "AbilityToShare": "ability_to_share",
    "Notes": "notes",
    "VersionNumber": "version",
}
FIELD_ELEMENTS: dict[str, str] = {field: name for name, field in LEARNER_ELEMENTS.items()}


def credentials(request: Mapping[str, Any]) -> Credentials:
    """Every Learner Service request carries UKPRN, OrgPassword and UserName at its top."""
    return Credentials(request.get("UKPRN"), request.get("OrgPassword"), request.get("UserName"))


def fault_detail(
    fault: SoapFault, operation: str | None, request_id: str | None
) -> tuple[str, dict[str, Any]]:
    """``MIAPAPIException`` as the WSDL defines it. ErrorActor names the operation."""
    further = [*fault.further, *([f"request id: {request_id}"] if request_id else [])]
    return MIAP_EXCEPTION, {
        "ErrorCode": fault.code,
        "ErrorActor": operation or "LearnerService",
        "Description": fault.description,
        "FurtherDetails": "; ".join(further) or None,
        "ErrorTimestamp": utcnow().isoformat().replace("+00:00", "Z"),
    }


def fields_of(
    values: Mapping[str, Any], names: Mapping[str, str], *, blank_clears: bool = False
) -> dict[str, Any]:
    """Our fields from an element's values, renamed by ``names`` (element -> field).

    An absent element gives no field. An empty or nil one is no value: it gives no field
    either, unless ``blank_clears`` (an update), where it gives None, which clears the field.
    """
    found: dict[str, Any] = {}
    for element, field in names.items():
        if element not in values:
            continue
        value = values[element]
        if value is None or (isinstance(value, str) and not value.strip()):
            if blank_clears:
                found[field] = None
            continue
        found[field] = value
    return found


def element_path(field: str, parent: str, names: Mapping[str, str]) -> str:
    """Our field path (``learners.4.date_of_birth``) as the request's element path
    (``Learner[5]/DateOfBirth``), under ``parent``."""
    parts: list[str] = [parent] if parent else []
    for part in field.split("."):
        if part.isdigit() and parts:
            parts[-1] += f"[{int(part) + 1}]"
        elif part != "body":
            parts.append(names.get(part, part))
    return "/".join(parts) or "the request"


def _named(error: FieldError, parent: str, names: Mapping[str, str]) -> FieldError:
    """``error`` naming the request's elements. A rule across fields ("given_name cannot be
    removed") has no field of its own: it is put on the first field its message names, and
    the field names in its message become element names."""
    field, message = error.field, error.message
    if field.rpartition(".")[2] == "body":
        mentioned = [w for w in _WORD.findall(message) if w in names]
        message = _WORD.sub(lambda m: names.get(m[0], m[0]), message)
        if mentioned:
            field = field.rpartition("body")[0] + mentioned[0]
    return FieldError(element_path(field, parent, names), message, error.code)


def renamed(errors: tuple[FieldError, ...], parent: str, names: Mapping[str, str]) -> list[str]:
    named = [_named(e, parent, names) for e in errors]
    return [f"{e.field}: {e.message}" for e in named]


def invalid(exc: ValidationError, parent: str, names: Mapping[str, str]) -> LrsError:
    """A schema's refusal, naming the elements: insufficient data (WSRC0015) when only
    mandatory values are missing, as the JSON API decides, else a request to fix (WSEC0001)."""
    errors = tuple(_named(e, parent, names) for e in pydantic_field_errors(exc.errors()))
    shown = ", ".join(dict.fromkeys(e.field for e in errors))
    if all(e.code == "missing" for e in errors):
        return InsufficientData(f"Missing: {shown}.", errors=errors)
    return ValidationFailed(f"The request has invalid elements: {shown}.", errors=errors)


def validated(model: type[M], data: Mapping[str, Any], parent: str, names: Mapping[str, str]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc, parent, names) from None


def with_elements(exc: LrsError, parent: str, names: Mapping[str, str]) -> SoapFault:
    """A service's refusal as a fault whose field errors name the request's elements."""
    return SoapFault(
        exc.detail, code=exc.lrs_code or "WSEC0001", further=renamed(exc.errors, parent, names)
    )


def find_type(request: Mapping[str, Any], element: str) -> str:
    """FUL (the default) answers learners in full; CHK answers only the code and ULN."""
    value = (request.get("FindType") or "").strip().upper() or FUL
    if value not in (FUL, CHK):
        raise SoapFault(
            f"{element}/FindType must be FUL or CHK, not {value[:10]}.",
            further=[f"element: {element}/FindType"],
        )
    return value


def learner_element(learner: LearnerPublic, *, substituted: bool) -> dict[str, Any]:
    """The interface's ``Learner`` for one of ours (TierLevel: we have none)."""
    values: dict[str, Any] = {
        FIELD_ELEMENTS[field]: value
        for field, value in learner.model_dump(include=set(FIELD_ELEMENTS)).items()
        if value is not None
    }
    values.update(
        {
            "CreatedDate": learner.created_at.isoformat(),
            "LastUpdatedDate": learner.updated_at.isoformat(),
            "MasterSubstituted": "Y" if substituted else "N",
            "LearnerStatus": learner.status,
            "LinkedULNs": {"ULN": learner.linked_ulns} if learner.linked_ulns else None,
        }
    )
    return values
