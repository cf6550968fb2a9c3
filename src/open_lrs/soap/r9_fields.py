"""The R9 service's shapes for our values, both ways: its credentials (``invokingOrganisation``),
its fault (``DomainFault``), the MIAP ``Learner``, the ``LearningEvent`` and the PLR access
entry.

Only names and formats are translated here; every rule about a value stays in the schemas and
services that the JSON API uses. R9's request elements are named in camel case
(``givenName``), its response elements in Pascal case (``GivenName``), as the WSDL has them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from open_lrs.learners.schemas import Gender, IsoDate, LearnerPublic, Name
from open_lrs.records.access_log import AccessEntry
from open_lrs.records.schemas import LearningEventBrief, LearningEventFull
from open_lrs.soap.auth import Credentials
from open_lrs.soap.faults import SoapFault

FAULTS_NS = "http://api.lrs.qcf.gov.uk/faults"
DOMAIN_FAULT = f"{{{FAULTS_NS}}}DomainFault"
SERVICE_NAME = "LearnerServiceR9"
CREDENTIALS = "invokingOrganisation"


def credentials(request: Mapping[str, Any]) -> Credentials:
    """Every R9 request carries ``invokingOrganisation`` first (``InvokingOrganisation``, or
    ``InvokingOrganisationR10`` for GetLearnerLearningEvents): both hold Ukprn, Password and
    Username. Their other elements (Reference, OrganisationRef, ChannelCode, Estab, LaNumber)
    are read by the schema and not used."""
    given = request.get(CREDENTIALS) or {}
    return Credentials(
        given.get("Ukprn"),
        given.get("Password"),
        given.get("Username"),
        ukprn_element=f"{CREDENTIALS}/Ukprn",
        password_element=f"{CREDENTIALS}/Password",
    )


def fault_detail(
    fault: SoapFault, operation: str | None, request_id: str | None
) -> tuple[str, dict[str, Any]]:
    """``DomainFault`` as the WSDL defines it: the LRS code in ErrorCode and, in ErrorDetail
    (``xs:base64Binary``), UTF-8 text of one line each: the operation, the description, each
    element at fault and the request id."""
    lines = [
        f"operation: {operation or SERVICE_NAME}",
        fault.description,
        *fault.further,
        *([f"request id: {request_id}"] if request_id else []),
    ]
    return DOMAIN_FAULT, {"ErrorCode": fault.code, "ErrorDetail": "\n".join(lines).encode()}


def choice(request: Mapping[str, Any], element: str, path: str, allowed: tuple[str, ...]) -> str:
    """An element holding one of a few words (case aside): the first when empty or nil."""
    value = (request.get(element) or "").strip().upper() or allowed[0]
    if value not in allowed:
        raise SoapFault(
            f"{path}/{element} must be {' or '.join(allowed)}, not {value[:10]}.",
            further=[f"element: {path}/{element}"],
        )
    return value


class RecordQuery(BaseModel):
    """The learner a PLR request names, checked by the JSON API's own types (the ULN is
    checked by the service, which answers WSEC0136)."""

    model_config = ConfigDict(extra="forbid")

    uln: str = Field(max_length=64)
    given_name: Name
    family_name: Name
    date_of_birth: IsoDate | None = None
    gender: Gender | None = None


# Our fields, and the elements that carry them in GetLearnerLearningEvents and ViewAudit.
EVENTS_REQUEST = {
    "uln": "uln",
    "givenName": "given_name",
    "familyName": "family_name",
    "dateOfBirth": "date_of_birth",
    "gender": "gender",
}
AUDIT_REQUEST = {
    "learnerUln": "uln",
    "learnerGivenName": "given_name",
    "learnerFamilyName": "family_name",
}


def _date_time(value: date | datetime | None) -> str | None:
    """An ``xs:dateTime``: a date as midnight, with no offset (as WCF writes a date)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return f"{value.isoformat()}T00:00:00"


def _number(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None


# The MIAP ``Learner``'s text elements for our fields.
LEARNER_TEXT = {
    "uln": "Uln",
    "title": "Title",
    "given_name": "GivenName",
    "middle_other_name": "MiddleOtherName",
    "family_name": "FamilyName",
    "preferred_given_name": "PreferredGivenName",
    "previous_family_name": "PreviousFamilyName",
    "family_name_at_age_16": "FamilyNameAt16",
    "school_at_age_16": "SchoolAtAge16",
    "address_line_1": "LastKnownAddressLine1",
    "address_line_2": "LastKnownAddressLine2",
    "address_town": "LastKnownAddressTown",
    "address_county_or_city": "LastKnownAddressCountyOrCity",
    "postcode": "LastKnownPostCode",
    "place_of_birth": "PlaceOfBirth",
    "email": "EmailAddress",
    "nationality": "Nationality",
    "scottish_candidate_number": "ScottishCandidateNumber",
    "other_verification_description": "OtherVerificationDescription",
    "notes": "Notes",
}


def learner_element(learner: LearnerPublic) -> dict[str, Any]:
    """R9's ``Learner`` (``Amor.Qcf.MIAPModel``) for one of ours. Its codes are numbers there
    (Gender, VerificationType, AbilityToShare) and its dates ``xs:dateTime``. The many
    elements we hold nothing for (ethnicity, disability, telephone...) are left out."""
    values: dict[str, Any] = {
        element: value
        for field, element in LEARNER_TEXT.items()
        if (value := getattr(learner, field)) is not None
    }
    values.update(
        {
            "AbilityToShare": _number(learner.ability_to_share),
            "Gender": _number(learner.gender),
            "VerificationType": _number(learner.verification_type),
            "DateOfBirth": _date_time(learner.date_of_birth),
            "DateOfAddressCapture": _date_time(learner.date_of_address_capture),
            "CreatedDate": _date_time(learner.created_at),
            "LastUpdatedDate": _date_time(learner.updated_at),
            "LinkedUlns": {"string": learner.linked_ulns} if learner.linked_ulns else None,
            "VersionNumber": learner.version,
        }
    )
    return values


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def learning_event(event: LearningEventBrief, *, restricted: bool) -> dict[str, Any]:
    """R9's ``LearningEvent`` for one of ours. BRIEF events carry the elements our brief form
    has; FULL ones all that we hold. ``Restriction`` is 1 on an event shown although the
    learner has not agreed to share (your organisation sent, awarded or taught it), else 0."""
    values: dict[str, Any] = {
        "ID": event.id,
        "SubjectCode": event.subject_code,
        "Subject": event.subject,
        "QualificationType": event.qualification_type,
        "Level": event.level,
        "Credits": event.credits,
        "Grade": event.grade,
        "AchievementAwardDate": _day(event.achievement_award_date),
        "Status": event.status,
        "Source": event.source,
        "UnderDataChallenge": event.under_data_challenge,
        "Restriction": "1" if restricted else "0",
    }
    if isinstance(event, LearningEventFull):
        values.update(
            {
                "AwardingOrganisationName": event.awarding_organisation_name,
                "AwardingOrganisationUkprn": event.awarding_organisation_ukprn,
                "AchievementProviderName": event.achievement_provider_name,
                "AchievementProviderUkprn": event.achievement_provider_ukprn,
                "ParticipationStartDate": _day(event.participation_start_date),
                "ParticipationEndDate": _day(event.participation_end_date),
                "LanguageForAssessment": event.language_for_assessment,
                "DateLoaded": event.date_loaded.isoformat(),
                "CollectionType": event.collection_type,
                "ReturnNumber": event.return_number,
            }
        )
    return values


def access_entry(entry: AccessEntry) -> dict[str, Any]:
    """A ``PlrAccessEntryResponse``: the action with its outcome (``plr.read WSRC0004``,
    ``plr.read WSEC0208`` for a refused attempt), when, which organisation (name and UKPRN)
    and who (the user name the caller sent, else its API key)."""
    organisation = None
    if entry.ukprn is not None:
        organisation = f"{entry.organisation_name} ({entry.ukprn})"
    user = entry.user_label
    if user is None and entry.api_key_id is not None:
        user = f"API key {entry.api_key_id}"
    return {
        "Action": f"{entry.action} {entry.outcome}",
        "DateTime": entry.occurred_at,
        "Organisation": organisation,
        "User": user,
    }
