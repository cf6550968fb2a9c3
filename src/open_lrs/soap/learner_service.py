"""The Learner Service (``LearnerService.wsdl``) at ``/LearnerService.svc``: one adapter per
operation over the services the JSON API uses.

Each adapter renames the request's elements to our fields, validates them with the JSON API's
own schema, calls the service, and puts its outcome in the WSDL's response. Outcomes that the
interface reports as a ``ResponseCode`` (WSRC..., WSVRC...) go in the response; errors
(WSEC...) become faults. No rule about learners is written here. The batch operations are in
``learner_batches``; what differs from the LRS is in docs/mis-integration.md.
"""

from __future__ import annotations

from typing import Any

from open_lrs.core.errors import (
    InsufficientData,
    LearnerNotFound,
    PossibleMatches,
    StaleVersion,
    ValidationFailed,
)
from open_lrs.learners import lookup
from open_lrs.learners import search as matching
from open_lrs.learners import service as learners
from open_lrs.learners.schemas import (
    LearnerRegistration,
    LearnerUpdate,
    RetrieveRequest,
    VerifyRequest,
)
from open_lrs.learners.search_schemas import SearchRequest
from open_lrs.soap import learner_batches as batches
from open_lrs.soap.dispatch import Call, SoapService
from open_lrs.soap.learner_fields import (
    FIELD_ELEMENTS,
    FUL,
    LEARNER_ELEMENTS,
    credentials,
    fault_detail,
    fields_of,
    find_type,
    learner_element,
    validated,
    with_elements,
)

INSUFFICIENT = "WSRC0015"
_SEARCHED = (
    "FamilyName",
    "GivenName",
    "DateOfBirth",
    "Gender",
    "LastKnownPostCode",
    "PreviousFamilyName",
    "SchoolAtAge16",
    "PlaceOfBirth",
    "EmailAddress",
)
DEMOGRAPHICS = {name: LEARNER_ELEMENTS[name] for name in _SEARCHED}
TO_REGISTER = {
    name: field
    for name, field in LEARNER_ELEMENTS.items()
    if name not in ("ULN", "MISIdentifier", "VersionNumber")
}
TO_VERIFY = {
    name: LEARNER_ELEMENTS[name]
    for name in ("ULN", "FamilyName", "GivenName", "DateOfBirth", "Gender")
}
RETRIEVE_NAMES = {"ulns": "ULNsToRetrieve/ULN"}


def learner_by_uln(call: Call) -> dict[str, Any]:
    """learnerByULN -> ``learners.service.read`` (GET /api/v1/learners/{uln}). A linked ULN
    answers with its master (WSRC0022); an unknown one is no match (WSRC0001)."""
    request = call.request
    full = find_type(request, call.element) == FUL
    uln = request.get("ULN")
    answer: dict[str, Any] = {
        "ULN": uln,
        "FamilyName": request.get("FamilyName"),
        "GivenName": request.get("GivenName"),
    }
    if uln is None or not uln.strip():
        return {"ResponseCode": INSUFFICIENT, **answer}
    try:
        found = learners.read(call.uow(), call.actor, uln)
    except LearnerNotFound:
        return {"ResponseCode": "WSRC0001", **answer}
    answer["ULN"] = found.learner.uln
    if full:
        answer["Learner"] = [learner_element(found.learner, substituted=found.master_substituted)]
    return {"ResponseCode": found.lrs_code, **answer}


def learner_by_demographics(call: Call) -> dict[str, Any]:
    """learnerByDemographics -> ``learners.search.search`` (POST /api/v1/learners/search):
    exact (WSRC0004), possible (WSRC0003, 1 to 10), none (WSRC0001), too many (WSRC0002).
    FUL answers each learner in full; CHK only the code, and the ULN of an exact match."""
    request = call.request
    full = find_type(request, call.element) == FUL
    answer: dict[str, Any] = {name: request.get(name) for name in _SEARCHED}
    search = validated(
        SearchRequest, fields_of(request, DEMOGRAPHICS), call.element, FIELD_ELEMENTS
    )
    try:
        found = matching.search(call.uow(), call.actor, search, call.match_model_version)
    except InsufficientData:
        return {"ResponseCode": INSUFFICIENT, **answer}
    if found.code == "exact_match":
        answer["ULN"] = found.matches[0].uln
    if full:
        answer["Learner"] = [
            learner_element(m.learner, substituted=m.master_substituted) for m in found.matches
        ]
    return {"ResponseCode": found.lrs_code, **answer}


def register_single_learner(call: Call) -> dict[str, Any]:
    """registerSingleLearner -> ``learners.service.register`` (POST /api/v1/learners), which
    searches first: a ULN issued (WSRC0005), the learner already registered (WSRC0021, with
    their ULN), possible matches (WSRC0003) or too many (WSRC0002), and no ULN issued."""
    data = fields_of(call.request.get("Learner") or {}, TO_REGISTER)
    try:
        registration = validated(
            LearnerRegistration, data, f"{call.element}/Learner", FIELD_ELEMENTS
        )
        done = learners.register(call.uow(), call.actor, registration, call.match_model_version)
    except InsufficientData:
        return {"ResponseCode": INSUFFICIENT}
    except PossibleMatches as exc:
        return {"ResponseCode": exc.lrs_code}
    return {"ResponseCode": done.lrs_code, "ULN": done.learner.uln}


def update_single_learner(call: Call) -> dict[str, Any]:
    """updateSingleLearner -> ``learners.service.update`` (PATCH /api/v1/learners/{uln}).

    Elements present change their field; an empty or nil one clears it; absent ones are left
    alone. Updated (WSRC0006), no changes (WSRC0020), stale VersionNumber (WSRC0013), no
    learner with the ULN (WSRC0019)."""
    learner = call.request.get("Learner") or {}
    uln = learner.get("ULN")
    if uln is None or not uln.strip():
        return {"ResponseCode": INSUFFICIENT}
    data = {
        **fields_of(learner, TO_REGISTER, blank_clears=True),
        "version": learner["VersionNumber"],
    }
    change = validated(LearnerUpdate, data, f"{call.element}/Learner", FIELD_ELEMENTS)
    try:
        done = learners.update(call.uow(), call.actor, uln, change)
    except (StaleVersion, LearnerNotFound) as exc:
        return {"ResponseCode": exc.lrs_code}
    except ValidationFailed as exc:  # a rule across fields, checked on the record
        raise with_elements(exc, f"{call.element}/Learner", FIELD_ELEMENTS) from None
    return {"ResponseCode": done.lrs_code}


def verify_learner(call: Call) -> dict[str, Any]:
    """verifyLearner -> ``learners.lookup.verify`` (POST /api/v1/learners/verify): WSVRC001
    to WSVRC006 with failure flags VRF1 to VRF8. As in the JSON API, the register's copy of the
    learner's details is not returned, only whether they agree."""
    given = call.request.get("LearnerToVerify") or {}
    answer: dict[str, Any] = {
        "SearchedULN": given.get("ULN"),
        "SearchedFamilyName": given.get("FamilyName"),
        "SearchedGivenName": given.get("GivenName"),
        "SearchedDateOfBirth": given.get("DateOfBirth"),
        "SearchedGender": given.get("Gender"),
    }
    data = fields_of(given, TO_VERIFY)
    try:
        request = validated(VerifyRequest, data, f"{call.element}/LearnerToVerify", FIELD_ELEMENTS)
    except InsufficientData:
        return {"VerifiedLearner": {**answer, "ResponseCode": INSUFFICIENT}}
    verified = lookup.verify(call.uow(), call.actor, request)
    answer |= {
        "ResponseCode": verified.code,
        "ULN": verified.uln if verified.result != "not_found" else None,
        "FailureFlag": verified.failure_flags,
    }
    return {"VerifiedLearner": answer}


def retrieve_ulns(call: Call) -> dict[str, Any]:
    """retrieveULNs -> ``learners.lookup.retrieve`` (POST /api/v1/learners/retrieve): 1 to 200
    ULNs, each found (WSRC0004), linked (WSRC0022, with its MasterULN), not found (WSRC0001)
    or invalid (WSEC0136). No personal data, as in the JSON API."""
    ulns = [u or "" for u in (call.request.get("ULNsToRetrieve") or {}).get("ULN", [])]
    request = validated(RetrieveRequest, {"ulns": ulns}, call.element, RETRIEVE_NAMES)
    found = lookup.retrieve(call.uow(), call.actor, request.ulns)
    return {
        "RetrievedULNs": {
            "VerifiedULN": [
                {"ULN": r.uln, "MasterULN": r.master_uln, "ResponseCode": r.lrs_code}
                for r in found.results
            ]
        }
    }


LEARNER_SERVICE = SoapService(
    name="LearnerService",
    path="/LearnerService.svc",
    wsdl_file="LearnerService.wsdl",
    adapters={
        "learnerByULN": learner_by_uln,
        "learnerByDemographics": learner_by_demographics,
        "registerSingleLearner": register_single_learner,
        "updateSingleLearner": update_single_learner,
        "verifyLearner": verify_learner,
        "retrieveULNs": retrieve_ulns,
        "submitBatchRegistration": batches.submit_batch_registration,
        "getBatchRegistrationOutput": batches.get_batch_registration_output,
        "submitVerifyBatch": batches.submit_verify_batch,
        "getVerifyBatchOutput": batches.get_verify_batch_output,
    },
    credentials=credentials,
    fault_detail=fault_detail,
)
