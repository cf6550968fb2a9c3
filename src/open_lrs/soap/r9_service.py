"""The R9 Personal Learning Record service (``LearnerServiceR9.wsdl``) at
``/LearnerServiceR9.svc``: one adapter per operation over the services the JSON API uses.

Where codes go follows the WSDL. GetLearnerLearningEvents, LearnerByUln and GetOrganisation
answer a ``ResponseCode`` and UpdateLearnerSubsetFields a result string, so every outcome
about the learner or organisation asked for goes there, as the LRS put them: found
(WSRC0004), linked (WSRC0022), no match (WSRC0001), insufficient data (WSRC0015), and for
learning events also not shared (WSEC0206) and not verified (WSEC0208). What is wrong with the
request or the caller (WSEC0001, WSEC0005, WSEC0006, WSEC0136) is a ``DomainFault``, as is
every refusal of ViewAudit, whose response has no code. No rule is written here; see
docs/mis-integration.md for what differs from the LRS.
"""

from __future__ import annotations

from typing import Any

from open_lrs.core.errors import (
    InsufficientData,
    LearnerNotFound,
    LearnerNotVerified,
    LrsError,
    NotFound,
    NotShared,
    StaleVersion,
    ValidationFailed,
)
from open_lrs.learners import service as learners
from open_lrs.learners.schemas import LearnerUpdate
from open_lrs.organisations import service as organisations
from open_lrs.records import access_log, reading
from open_lrs.records.access import RecordRequest
from open_lrs.records.schemas import Form
from open_lrs.soap.dispatch import Call, SoapService
from open_lrs.soap.faults import SoapFault
from open_lrs.soap.learner_fields import fields_of, validated, with_elements
from open_lrs.soap.r9_fields import (
    AUDIT_REQUEST,
    EVENTS_REQUEST,
    SERVICE_NAME,
    RecordQuery,
    access_entry,
    choice,
    credentials,
    fault_detail,
    learner_element,
    learning_event,
)

FOUND, NO_MATCH, INSUFFICIENT = "WSRC0004", "WSRC0001", "WSRC0015"
AUDIT_NAMES = {field: element for element, field in AUDIT_REQUEST.items()} | {"page": "page"}
# UpdateLearnerSubsetFields: the learner's fields it carries (telephoneNumber is not held).
SUBSET = {
    "emailAddress": "email",
    "schoolAtAge16": "school_at_age_16",
    "preferredGivenName": "preferred_given_name",
}
SUBSET_NAMES = {field: element for element, field in SUBSET.items()} | {
    "ability_to_share": "abilityToShare",
    "version": "versionNumber",
}
# R9's AbilityToShare: NotProvided (-1) changes nothing; our 2 (may not share) has no value.
ABILITY_TO_SHARE = {"FPNNotSeen": "0", "FPNSeenShareData": "1"}


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _record_request(call: Call, elements: dict[str, str]) -> RecordRequest:
    """The learner a PLR request names (``elements``: element -> our field), by the JSON
    API's rules for the same values."""
    names = {field: element for element, field in elements.items()}
    query = validated(RecordQuery, fields_of(call.request, elements), call.element, names)
    return RecordRequest(
        uln=query.uln,
        given_name=query.given_name,
        family_name=query.family_name,
        date_of_birth=query.date_of_birth,
        gender=query.gender,
    )


def get_learner_learning_events(call: Call) -> dict[str, Any]:
    """GetLearnerLearningEvents -> ``records.reading.learning_events`` (GET
    /api/v1/learners/{uln}/learning-events): the events, newest first, with WSRC0004, or the
    master's with WSRC0022 (FoundULN the master's ULN); WSEC0206 not shared, WSEC0208 the
    names do not verify, WSRC0001 no learner has the ULN, WSRC0015 a ULN or name missing, each
    with no events. ``getType`` FULL (the default) or BRIEF is our form."""
    brief = choice(call.request, "getType", call.element, ("FULL", "BRIEF")) == "BRIEF"
    form: Form = "BRIEF" if brief else "FULL"
    incoming = call.request.get("uln")

    def answer(code: str, **values: Any) -> dict[str, Any]:
        result: dict[str, Any] = {
            "ResponseCode": code,
            "IncomingULN": incoming,
            "LearnerRecord": {},
        }
        return {"GetLearnerLearningEventsResult": result | values}

    try:
        req = _record_request(call, EVENTS_REQUEST)
    except InsufficientData:
        return answer(INSUFFICIENT)
    try:
        found = reading.learning_events(call.uow(), call.actor, req, reading.EventFilter(), form)
    except (NotShared, LearnerNotVerified) as exc:
        return answer(exc.lrs_code or "WSEC0001")
    except LearnerNotFound:
        return answer(NO_MATCH)
    events = [learning_event(e, restricted=found.restricted) for e in found.events]
    return answer(
        found.lrs_code,
        FoundULN=found.found_uln,
        IncomingULN=found.incoming_uln,
        LearnerRecord={"LearningEvent": events},
    )


def learner_by_uln(call: Call) -> dict[str, Any]:
    """LearnerByUln -> ``learners.service.read`` (GET /api/v1/learners/{uln}), as the Learner
    Service's learnerByULN: WSRC0004 found, WSRC0022 linked (the master answered), WSRC0001
    no learner, WSRC0015 no ULN. ``findType`` FUL (the default) adds the ``Learner``; CHK
    answers the code and ULN only. givenName and familyName are echoed, not checked."""
    request = call.request
    full = choice(request, "findType", call.element, ("FUL", "CHK")) == "FUL"
    uln: str | None = request.get("uln")
    answer: dict[str, Any] = {
        "Uln": uln,
        "FamilyName": request.get("familyName"),
        "GivenName": request.get("givenName"),
    }
    if uln is None or _blank(uln):
        return {"LearnerByUlnResult": {"ResponseCode": INSUFFICIENT, **answer}}
    try:
        found = learners.read(call.uow(), call.actor, uln)
    except LearnerNotFound:
        return {"LearnerByUlnResult": {"ResponseCode": NO_MATCH, **answer}}
    answer["Uln"] = found.learner.uln
    if full:
        answer["Learner"] = learner_element(found.learner)
    return {"LearnerByUlnResult": {"ResponseCode": found.lrs_code, **answer}}


def update_learner_subset_fields(call: Call) -> dict[str, Any]:
    """UpdateLearnerSubsetFields -> ``learners.service.update`` (PATCH
    /api/v1/learners/{uln}) with the fields this operation carries: emailAddress,
    schoolAtAge16, preferredGivenName and abilityToShare. Every element is mandatory in the
    WSDL, so nil means "leave as it is" and an empty element clears the field; abilityToShare
    NotProvided leaves it as it is. The result is WSRC0006 updated, WSRC0020 no changes,
    WSRC0013 versionNumber is not the learner's version, WSRC0019 no learner, WSRC0015 no ULN.
    """
    request = call.request
    uln: str | None = request.get("uln")
    if uln is None or _blank(uln):
        return {"UpdateLearnerSubsetFieldsResult": INSUFFICIENT}
    data: dict[str, Any] = {
        field: None if _blank(value) else value
        for element, field in SUBSET.items()
        if (value := request.get(element)) is not None
    }
    if (share := ABILITY_TO_SHARE.get(request["abilityToShare"])) is not None:
        data["ability_to_share"] = share
    data["version"] = request["versionNumber"]
    change = validated(LearnerUpdate, data, call.element, SUBSET_NAMES)
    try:
        done = learners.update(call.uow(), call.actor, uln, change)
    except (StaleVersion, LearnerNotFound) as exc:
        return {"UpdateLearnerSubsetFieldsResult": exc.lrs_code}
    except ValidationFailed as exc:  # a rule across fields, checked on the record
        raise with_elements(exc, call.element, SUBSET_NAMES) from None
    return {"UpdateLearnerSubsetFieldsResult": done.lrs_code}


def get_organisation(call: Call) -> dict[str, Any]:
    """GetOrganisation -> ``organisations.service.read_organisation``: the organisation
    ``ukPrn`` names, or the caller's own when it is empty or nil, with WSRC0004; WSRC0001 when
    no organisation has the UKPRN. ``orgRef`` is not used (we hold no LRS references), so it
    alone cannot name an organisation."""
    request = call.request
    ukprn = (request.get("ukPrn") or "").strip()
    if not ukprn and not _blank(request.get("orgRef")):
        raise SoapFault(
            f"{call.element}/orgRef is not used by Open LRS: name the organisation by its "
            "UKPRN in ukPrn, or send neither for your own.",
            further=[f"element: {call.element}/orgRef"],
        )
    try:
        org = organisations.read_organisation(call.uow(), call.actor, ukprn or None)
    except NotFound:
        return {"GetOrganisationResult": {"ResponseCode": NO_MATCH, "Ukprn": ukprn}}
    except ValidationFailed as exc:
        raise with_elements(exc, call.element, {"ukprn": "ukPrn"}) from None
    return {
        "GetOrganisationResult": {
            "ResponseCode": FOUND,
            "DisplayName": org.name,
            "Ukprn": org.ukprn,
            "Status": "active" if org.active else "inactive",
        }
    }


def _refused(exc: LrsError, code: str) -> SoapFault:
    """A refusal whose errors already name the elements, as a fault with ``code``."""
    return SoapFault(exc.detail, code=code, further=[f"{e.field}: {e.message}" for e in exc.errors])


def view_audit(call: Call) -> dict[str, Any]:
    """ViewAudit -> ``records.access_log.plr_access_log``: the learner's PLR access log, newest
    first, 50 entries a page (``page`` 1 is the first; 0 is read as 1). An organisation sees
    only its own organisation's entries; administrators see every organisation's. The
    response has no code, so refusals are faults: WSEC0208 the names do not verify, WSRC0001
    no learner has the ULN, WSEC0001 the ULN or a name missing, WSEC0136 an invalid ULN."""
    try:
        req = _record_request(call, AUDIT_REQUEST)
    except InsufficientData as exc:  # no code to answer it with: a request to fix
        raise _refused(exc, "WSEC0001") from None
    wanted = call.request["page"]
    try:
        page = access_log.plr_access_log(
            call.uow(), call.actor, req, page=1 if wanted == 0 else wanted
        )
    except LearnerNotFound as exc:
        raise _refused(exc, NO_MATCH) from None
    except ValidationFailed as exc:
        raise with_elements(exc, call.element, AUDIT_NAMES) from None
    return {
        "ViewAuditResult": {
            "List": {"PlrAccessEntryResponse": [access_entry(e) for e in page.entries]},
            "PageCount": -(-page.total // page.page_size),
            "PageIndex": page.page,
            "PageSize": page.page_size,
            "TotalItems": page.total,
        }
    }


R9_SERVICE = SoapService(
    name=SERVICE_NAME,
    path="/LearnerServiceR9.svc",
    wsdl_file="LearnerServiceR9.wsdl",
    adapters={
        "GetLearnerLearningEvents": get_learner_learning_events,
        "LearnerByUln": learner_by_uln,
        "UpdateLearnerSubsetFields": update_learner_subset_fields,
        "GetOrganisation": get_organisation,
        "ViewAudit": view_audit,
    },
    credentials=credentials,
    fault_detail=fault_detail,
)
