"""`lrs catalogue` and `lrs feeds load` as real subprocesses, and school results (NPD) loaded
through the same path: pupils without a ULN found by their details, grades checked for the
qualification type, a resit in a later series kept beside the first result."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from open_lrs.core.db import Database
from open_lrs.core.security import Actor
from open_lrs.feeds import service as feeds
from open_lrs.learners.importer import import_learners
from open_lrs.records import catalogue, reading
from open_lrs.records.access import RecordRequest
from tests.conftest import OrgFactory, new_ukprn
from tests.factories import MODEL_VERSION
from tests.integration.test_cli import _json, lrs

DATA = Path(__file__).resolve().parents[2] / "data" / "ilr"
HEADER = (
    "UPN,ULN,GivenName,FamilyName,DateOfBirth,Gender,Postcode,SchoolURN,QualificationType,"
    "SubjectCode,Grade,ExamSeries,AwardDate,Status\r\n"
)
MATHS_GCSE, MATHS_A = "60101111", "60301037"


def test_catalogue_and_an_ilr_return_from_the_command_line(fresh_database_url: str) -> None:
    url = fresh_database_url
    loaded = lrs(url, "catalogue", "load", "qualifications", str(DATA / "sample_aims.csv"))
    assert loaded.returncode == 0, loaded.stderr
    assert "41 entries: 41 added" in loaded.stdout
    again = lrs(url, "catalogue", "load", "qualifications", str(DATA / "sample_aims.csv"))
    assert "0 added, 0 changed (new version), 41 unchanged" in again.stdout
    sample = lrs(url, "catalogue", "load-sample")
    assert sample.returncode == 0, sample.stderr

    _json(lrs(url, "org", "add", "--name", "ESFA sample", "--ukprn", "99999999", "--kind",
              "provider", "--json"))  # fmt: skip
    ilr = DATA / "2025-26" / "ILR-99999999-2526-20250108-094401.xml"
    # The return says whose it is: no --ukprn needed.
    report = _json(lrs(url, "feeds", "load", "ilr", str(ilr), "--json"))
    # An empty register: every aim waits for a person to find its learner.
    assert (report["records"], report["unmatched"], report["rejected"]) == (28, 28, 0)

    invalid = DATA / "2025-26" / "invalid" / ilr.name
    refused = lrs(url, "feeds", "load", "ilr", str(invalid), "--ukprn", "99999999")
    assert refused.returncode == 1
    assert "line 349" in refused.stderr
    assert "2024-06-31" in refused.stderr

    wrong = lrs(url, "feeds", "load", "xml", str(ilr), "--ukprn", "99999999")
    assert wrong.returncode == 2
    unnamed = lrs(url, "feeds", "load", "ao", str(ilr))
    assert unnamed.returncode == 2
    assert "--ukprn is needed" in unnamed.stderr


@pytest.fixture
def school(db: Database, make_org: OrgFactory) -> Actor:
    catalogue.load(db.unit_of_work(), None, catalogue.sample_entries())
    admin = make_org("admin")[0]
    register = (
        "given_name,family_name,date_of_birth,gender,postcode,ability_to_share\n"
        "Zoë,Nguyễn,2009-04-30,2,SW1A 1AA,1\n"
    )
    import_learners(db.unit_of_work(), admin, io.StringIO(register), source_name="r.csv")
    return make_org("school")[0]


def test_school_results_find_pupils_by_their_details(db: Database, school: Actor) -> None:
    rows = [
        # No ULN: found by name, date of birth, gender and postcode.
        f"B801200005001,,Zoë,Nguyễn,2009-04-30,2,SW1A 1AA,100001,GCSE,{MATHS_GCSE},5,2024-06,"
        "2024-08-22,F",
        # A resit in a later series: another achievement.
        f"B801200005001,,Zoë,Nguyễn,2009-04-30,2,SW1A 1AA,100001,GCSE,{MATHS_GCSE},7,2024-11,"
        "2025-01-09,F",
        # An A level grade that does not exist.
        f"B801200005001,,Zoë,Nguyễn,2009-04-30,2,SW1A 1AA,100001,GCE_A,{MATHS_A},9,2025-06,"
        "2025-08-14,F",
        # Says GCSE, but the catalogue lists the code as an A level.
        f"B801200005001,,Zoë,Nguyễn,2009-04-30,2,SW1A 1AA,100001,GCSE,{MATHS_A},A,2025-06,"
        "2025-08-14,F",
        # Nobody like this on the register: waits for a person.
        f"P207000016049,,Tom,Brown,2008-01-02,1,LS1 4AP,100001,GCSE,{MATHS_GCSE},4,2024-06,"
        "2024-08-22,F",
    ]
    data = (HEADER + "\r\n".join(rows) + "\r\n").encode("utf-8")
    report = feeds.load_file(
        db.unit_of_work(), school, "NPD", data, MODEL_VERSION, file_name="results.csv"
    )
    assert report.counts() == {
        "records": 5,
        "loaded": 2,
        "superseded": 0,
        "unchanged": 0,
        "rejected": 2,
        "unmatched": 1,
    }
    assert sorted(p.code for p in report.problems) == ["invalid_grade", "type_mismatch"]
    assert {p.line for p in report.problems} == {4, 5}

    zoe = RecordRequest(uln=_uln_of(db, "Nguyễn"), given_name="Zoë", family_name="Nguyễn")
    events = reading.learning_events(db.unit_of_work(), school, zoe, reading.EventFilter(), "FULL")
    assert sorted((e.grade, e.source) for e in events.events) == [("5", "NPD"), ("7", "NPD")]


def _uln_of(db: Database, family_name: str) -> str:
    from sqlalchemy import select

    from open_lrs.learners.models import Learner

    with db.unit_of_work() as uow:
        uln = uow.session.scalar(select(Learner.uln).where(Learner.family_name == family_name))
    assert uln is not None
    return uln


def test_the_ukprn_of_a_cli_load_must_exist(fresh_database_url: str) -> None:
    ilr = DATA / "2025-26" / "ILR-99999999-2526-20250108-094401.xml"
    missing = lrs(fresh_database_url, "feeds", "load", "ilr", str(ilr), "--ukprn", new_ukprn())
    assert missing.returncode == 1
    assert "No organisation has UKPRN" in missing.stderr
