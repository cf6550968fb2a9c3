"""submitBatchRegistration / getBatchRegistrationOutput and submitVerifyBatch /
getVerifyBatchOutput through zeep, processed by the batch worker in between."""

from __future__ import annotations

from typing import Any

import pytest
import zeep
from sqlalchemy import select

from open_lrs.audit.models import AuditEvent
from open_lrs.batches.models import Batch
from open_lrs.core.db import Database
from tests.batch_files import drain
from tests.soap.conftest import miap, person


def batch_learner(mis: str, **overrides: Any) -> dict[str, Any]:
    return {"MISIdentifier": mis, **person(**overrides)}


def check_the_batch_records_the_web_service_user(db: Database, job: int) -> None:
    """The job is a registration batch from the web service, and it and the learners it
    registered are recorded against the user the request named (mis.robot)."""
    with db.session_factory() as s:
        batch = s.get(Batch, job)
        assert batch is not None
        assert (batch.kind, batch.source, batch.user_label) == (
            "registration",
            "web_service",
            "mis.robot",
        )
        labels = set(
            s.scalars(select(AuditEvent.user_label).where(AuditEvent.action == "learner.register"))
        )
        assert "mis.robot" in labels


def test_registration_job_submitted_processed_and_fetched(lrs: Any, org: Any, db: Database) -> None:
    provider = org()
    known = lrs.registerSingleLearner(
        **provider.auth(), Learner=person(GivenName="Priya", FamilyName="Okafor")
    ).ULN
    learners = [
        batch_learner("S1", GivenName="Arjun", FamilyName="Patel", DateOfBirth="2006-01-02"),
        batch_learner("S2", GivenName="Priya", FamilyName="Okafor", LastKnownPostCode="LS1 4AP"),
        batch_learner("S3", GivenName=None, FamilyName="Nowak"),
        batch_learner("S4", GivenName="Ayşe", FamilyName="Yılmaz", DateOfBirth="2020-01-01"),
    ]
    submitted = lrs.submitBatchRegistration(
        **provider.auth("mis.robot"), JobType="FUL", LearnerRecordCount=4, Learner=learners
    )
    assert submitted.ResponseCode == "WSRC0007"
    job = submitted.JobID
    assert isinstance(job, int)

    waiting = lrs.getBatchRegistrationOutput(**provider.auth(), JobID=job)
    assert (waiting.ResponseCode, waiting.JobStatus, waiting.NewLearnersCount) == (
        "WSRC0007",
        "queued",
        0,
    )
    assert waiting.JobStartedDateTime is None
    assert [(row.MISIdentifier, row.ReturnCode) for row in waiting.Learner] == [
        ("S1", None), ("S2", None), ("S3", None), ("S4", None)
    ]  # fmt: skip

    assert drain(db) == 4
    out = lrs.getBatchRegistrationOutput(**provider.auth(), JobID=job)
    assert (out.ResponseCode, out.JobStatus) == ("WSRC0009", "complete")
    counts = (
        out.NewLearnersCount,
        out.ExistsUpdatedLearnersCount,
        out.PossibleMatchLearnersCount,
        out.LearnersNotFoundCount,
        out.RejectedLearnersCount,
    )
    assert counts == (1, 1, 0, 0, 2)
    assert out.JobStartedDateTime
    assert out.JobFinishedDateTime
    rows = {row.MISIdentifier: row for row in out.Learner}
    assert rows["S1"].ReturnCode == "RC001"
    assert rows["S1"].ULN
    assert known != rows["S1"].ULN
    assert (rows["S1"].GivenName, rows["S1"].DateOfBirth) == ("Arjun", "2006-01-02")
    assert (rows["S2"].ReturnCode, rows["S2"].ULN) == ("RC002", known)
    assert (rows["S3"].ReturnCode, rows["S3"].ULN) == ("RC006", None)
    assert rows["S4"].ReturnCode == "RC013"
    new = lrs.learnerByULN(**provider.auth(), ULN=rows["S1"].ULN)
    assert new.ResponseCode == "WSRC0004"

    check_the_batch_records_the_web_service_user(db, job)


def test_check_only_job_registers_nobody(lrs: Any, org: Any, db: Database) -> None:
    provider = org()
    known = lrs.registerSingleLearner(**provider.auth(), Learner=person()).ULN
    job = lrs.submitBatchRegistration(
        **provider.auth(),
        JobType="CHK",
        LearnerRecordCount=2,
        Learner=[batch_learner("A"), batch_learner("B", GivenName="Emre", FamilyName="Silva")],
    ).JobID
    drain(db)
    out = lrs.getBatchRegistrationOutput(**provider.auth(), JobID=job)
    assert [(r.MISIdentifier, r.ReturnCode, r.ULN) for r in out.Learner] == [
        ("A", "RC002", known),
        ("B", "RC014", None),
    ]
    assert (out.NewLearnersCount, out.LearnersNotFoundCount) == (0, 1)


def test_verify_job_submitted_processed_and_fetched(lrs: Any, org: Any, db: Database) -> None:
    provider, university = org(), org("university")
    uln = lrs.registerSingleLearner(
        **provider.auth(), Learner=person(GivenName="Siân", FamilyName="O'Neill", Gender="2")
    ).ULN
    records = [
        {"MISIdentifier": "V1", "ULN": uln, "GivenName": "SIAN", "FamilyName": "oneill",
         "DateOfBirth": None, "Gender": None},
        {"MISIdentifier": "V2", "ULN": uln, "GivenName": "Siân", "FamilyName": "O'Neill",
         "DateOfBirth": "2007-03-04", "Gender": "1"},
        {"MISIdentifier": "V3", "ULN": "2000000001", "GivenName": "A", "FamilyName": "B",
         "DateOfBirth": None, "Gender": None},
        {"MISIdentifier": "V4", "ULN": "1234567890", "GivenName": "A", "FamilyName": "B",
         "DateOfBirth": None, "Gender": None},
    ]  # fmt: skip
    submitted = lrs.submitVerifyBatch(
        **university.auth(), LearnerRecordCount=4, OrgEmail=None, Learner=records
    )
    assert submitted.ResponseCode == "WSRC0007"
    waiting = lrs.getVerifyBatchOutput(**university.auth(), JobID=submitted.JobID)
    assert (waiting.ResponseCode, waiting.JobStatus) == ("WSRC0007", "queued")

    drain(db)
    out = lrs.getVerifyBatchOutput(**university.auth(), JobID=submitted.JobID)
    assert (out.ResponseCode, out.JobStatus) == ("WSRC0009", "complete")
    got = [
        (v.MISIdentifier, v.SearchedULN, v.ResponseCode, v.ULN, v.FailureFlag)
        for v in out.VerifiedLearner
    ]
    assert got == [
        ("V1", uln, "WSVRC001", uln, []),
        ("V2", uln, "WSVRC005", uln, ["VRF8"]),
        ("V3", "2000000001", "WSVRC006", None, []),
        ("V4", "1234567890", "RC011", None, []),
    ]
    first = out.VerifiedLearner[0]
    assert (first.SearchedGivenName, first.SearchedFamilyName) == ("SIAN", "oneill")
    assert first.GivenName is None  # the register's details are not returned


def test_job_refusals(lrs: Any, org: Any) -> None:
    provider, other = org(), org()
    one = [batch_learner("A")]
    cases: list[tuple[str, dict[str, Any], str]] = [
        (
            "submitBatchRegistration",
            {"LearnerRecordCount": 2, "Learner": one},
            "LearnerRecordCount",
        ),
        ("submitBatchRegistration", {"LearnerRecordCount": 0, "Learner": []}, "Learner"),
        (
            "submitBatchRegistration",
            {"JobType": "ALL", "LearnerRecordCount": 1, "Learner": one},
            "JobType",
        ),
        (
            "submitBatchRegistration",
            {"LearnerRecordCount": 201, "Learner": [batch_learner(str(i)) for i in range(201)]},
            "Learner",
        ),
        (
            "submitBatchRegistration",
            {"LearnerRecordCount": 1, "Learner": [batch_learner("A", Notes="x" * 4001)]},
            "SubmitBatch/Learner[1]/Notes",
        ),
        (
            "submitVerifyBatch",
            {"LearnerRecordCount": 1, "OrgEmail": None, "Learner": []},
            "LearnerRecordCount",
        ),
    ]
    for operation, request, element in cases:
        with pytest.raises(zeep.exceptions.Fault) as refused:
            getattr(lrs, operation)(**provider.auth(), **request)
        fault = miap(refused.value)
        assert (fault.code, fault.actor) == ("WSEC0001", operation), request
        assert element in f"{fault.faultstring} {fault.further}", (element, fault)

    job = lrs.submitBatchRegistration(
        **provider.auth(), LearnerRecordCount=1, Learner=[batch_learner("A")]
    ).JobID
    for operation, caller, job_id, words in [
        ("getVerifyBatchOutput", provider, job, "getBatchRegistrationOutput"),
        ("getBatchRegistrationOutput", other, job, f"no batch {job}"),
        ("getBatchRegistrationOutput", provider, 2**62, "no batch"),
    ]:
        with pytest.raises(zeep.exceptions.Fault) as refused:
            getattr(lrs, operation)(**caller.auth(), JobID=job_id)
        fault = miap(refused.value)
        assert fault.code == "WSEC0001"
        assert words in fault.faultstring


def test_only_registrars_submit_registration_jobs(lrs: Any, org: Any) -> None:
    university = org("university")
    with pytest.raises(zeep.exceptions.Fault) as refused:
        lrs.submitBatchRegistration(
            **university.auth(), LearnerRecordCount=1, Learner=[batch_learner("A")]
        )
    assert miap(refused.value).code == "WSEC0006"
