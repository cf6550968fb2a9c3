"""The Learner Service's batch operations: adapters over ``batches.service``, as the JSON
API's ``/api/v1/batches/registration-jobs``, ``/verification-jobs`` and ``/{id}/rows`` use it.

A job is queued whole and processed by ``lrs worker`` exactly as a batch file is; its output
can be fetched at any time, and says by its ResponseCode whether the job is queued
(WSRC0007), running (WSRC0008) or complete (WSRC0009).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from open_lrs.batches import service
from open_lrs.batches.models import CHECK, FULL, REGISTRATION, VERIFICATION, Batch, BatchRow
from open_lrs.batches.schemas import RegistrationJob, VerificationJob
from open_lrs.soap.dispatch import Call
from open_lrs.soap.faults import SoapFault
from open_lrs.soap.learner_fields import FIELD_ELEMENTS, LEARNER_ELEMENTS, validated

BATCH_LEARNER = {name: f for name, f in LEARNER_ELEMENTS.items() if name != "VersionNumber"}
OUTPUT_ELEMENTS = {f: name for name, f in BATCH_LEARNER.items()}
TO_VERIFY = {
    name: LEARNER_ELEMENTS[name]
    for name in ("MISIdentifier", "ULN", "FamilyName", "GivenName", "DateOfBirth", "Gender")
}
JOB_NAMES = FIELD_ELEMENTS | {"learners": "Learner", "records": "Learner", "job_type": "JobType"}


def _cells(values: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A learner's elements as a job row's cells (checked when the row is processed)."""
    return {field: values[name] for name, field in names.items() if name in values}


def _counted(call: Call) -> list[dict[str, Any]]:
    """The Learner elements, which LearnerRecordCount must count: a request cut short or
    assembled wrongly is refused rather than half-processed."""
    learners: list[dict[str, Any]] = call.request["Learner"]
    if call.request["LearnerRecordCount"] != len(learners):
        raise SoapFault(
            f"{call.element}/LearnerRecordCount is {call.request['LearnerRecordCount']} but "
            f"the request holds {len(learners)} Learner elements.",
            further=[f"element: {call.element}/LearnerRecordCount"],
        )
    return learners


def _submitted(call: Call, batch: Batch) -> dict[str, Any]:
    status = service.status_of(
        service.progress(call.uow(), call.actor, batch.id), call.batch_windows
    )
    return {"ResponseCode": status.lrs_code, "JobID": batch.id}


def submit_batch_registration(call: Call) -> dict[str, Any]:
    """submitBatchRegistration -> ``batches.service.submit_job`` (POST
    /api/v1/batches/registration-jobs): 1 to 200 learners; JobType FUL (the default) finds
    or registers each, CHK only looks each up."""
    request = call.request
    data: dict[str, Any] = {"learners": [_cells(v, BATCH_LEARNER) for v in _counted(call)]}
    if job_type := (request.get("JobType") or "").strip():
        data["job_type"] = job_type
    job = validated(RegistrationJob, data, call.element, JOB_NAMES)
    batch = service.submit_job(
        call.uow(),
        call.actor,
        kind=REGISTRATION,
        job_type=FULL if job.job_type == "FUL" else CHECK,
        rows=[learner.model_dump() for learner in job.learners],
        windows=call.batch_windows,
    )
    return _submitted(call, batch)


def submit_verify_batch(call: Call) -> dict[str, Any]:
    """submitVerifyBatch -> ``batches.service.submit_job`` (POST
    /api/v1/batches/verification-jobs): 1 to 200 ULNs with names to verify. OrgEmail is not
    used: nobody is emailed; fetch the output with getVerifyBatchOutput."""
    data = {"records": [_cells(v, TO_VERIFY) for v in _counted(call)]}
    job = validated(VerificationJob, data, call.element, JOB_NAMES)
    batch = service.submit_job(
        call.uow(),
        call.actor,
        kind=VERIFICATION,
        job_type=FULL,
        rows=[record.model_dump() for record in job.records],
        windows=call.batch_windows,
    )
    return _submitted(call, batch)


def _output(call: Call, kind: str) -> tuple[str, Batch, list[BatchRow], dict[str, int]]:
    """The job's status code, and its rows and totals read together (``rows_of``)."""
    job_id = call.request["JobID"]
    status = service.status_of(service.progress(call.uow(), call.actor, job_id), call.batch_windows)
    if status.kind != kind:
        other = "getVerifyBatchOutput" if kind == REGISTRATION else "getBatchRegistrationOutput"
        raise SoapFault(
            f"Job {job_id} is a {status.kind} job: fetch its output with {other}.",
            further=[f"element: {call.element}/JobID"],
        )
    batch, rows, counted = service.rows_of(call.uow(), call.actor, job_id)
    return status.lrs_code, batch, rows, counted


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def get_batch_registration_output(call: Call) -> dict[str, Any]:
    """getBatchRegistrationOutput -> ``batches.service.rows_of`` (GET
    /api/v1/batches/{id}/rows): every learner as sent, with the ULN found or issued and the
    row's return code (RC001 to RC014, docs/batch-format.md), and the totals."""
    code, batch, rows, counted = _output(call, REGISTRATION)
    return {
        "ResponseCode": code,
        "JobStatus": batch.status,
        "NewLearnersCount": counted["new"],
        "ExistsUpdatedLearnersCount": counted["existing"],
        "PossibleMatchLearnersCount": counted["possible_match"],
        "LearnersNotFoundCount": counted["not_found"],
        "RejectedLearnersCount": counted["rejected"],
        "JobStartedDateTime": _time(batch.started_at),
        "JobFinishedDateTime": _time(batch.finished_at),
        "Learner": [
            {
                **{OUTPUT_ELEMENTS[f]: v for f, v in row.fields.items() if f in OUTPUT_ELEMENTS},
                "ULN": row.uln or row.fields.get("uln"),
                "ReturnCode": row.return_code,
            }
            for row in rows
        ],
    }


def get_verify_batch_output(call: Call) -> dict[str, Any]:
    """getVerifyBatchOutput -> ``batches.service.rows_of``: each ULN as sent, with its
    verification code (WSVRC001 to WSVRC006, or RC011 for a row that could not be read) and
    failure flags. As verifyLearner, it does not return the register's details."""
    code, batch, rows, _ = _output(call, VERIFICATION)
    return {
        "ResponseCode": code,
        "JobStatus": batch.status,
        "JobStartedDateTime": _time(batch.started_at),
        "JobFinishedDateTime": _time(batch.finished_at),
        "VerifiedLearner": [
            {
                "MISIdentifier": row.mis_identifier,
                "SearchedULN": row.fields.get("uln"),
                "SearchedFamilyName": row.fields.get("family_name"),
                "SearchedGivenName": row.fields.get("given_name"),
                "SearchedDateOfBirth": row.fields.get("date_of_birth"),
                "SearchedGender": row.fields.get("gender"),
                "ResponseCode": row.return_code,
                "ULN": row.uln,
                "FailureFlag": row.details.get("failure_flags", []),
            }
            for row in rows
        ],
    }
