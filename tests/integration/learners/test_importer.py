"""Bulk import (`lrs learners import`) on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from open_lrs.audit.models import AuditEvent
from open_lrs.core.db import Database
from open_lrs.core.errors import Forbidden, ValidationFailed
from open_lrs.core.security import Actor
from open_lrs.learners import importer
from open_lrs.learners.importer import COLUMNS, ImportReport, import_learners
from open_lrs.learners.models import Learner, LearnerHistory
from open_lrs.learners.uln import is_valid_uln
from tests.conftest import OrgFactory
from tests.factories import learner_payload

ULN_A, ULN_B, ULN_C = "1234567899", "2000000001", "5000000012"


def _csv(rows: list[dict[str, Any]], columns: tuple[str, ...] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _run(db: Database, actor: Actor, text: str, **kw: Any) -> ImportReport:
    return import_learners(db.unit_of_work(), actor, io.StringIO(text), source_name="t.csv", **kw)


def _learners(db: Database) -> dict[str, Any]:
    with db.unit_of_work() as uow:
        return {
            r["uln"]: r for r in uow.session.execute(select(Learner.__table__)).mappings().all()
        }


@pytest.fixture
def admin(make_org: OrgFactory) -> Actor:
    return make_org("admin")[0]


def test_good_rows_load_and_bad_rows_are_reported_by_line(db: Database, admin: Actor) -> None:
    before = set(_learners(db))
    rows = [
        learner_payload(uln=ULN_A, given_name="Siân", family_name="Ó Súilleabháin"),
        learner_payload(given_name="Bob", family_name="Sm1th"),  # line 3
        learner_payload(uln="1234567890"),  # line 4: bad check digit
        learner_payload(given_name="Nguyễn", postcode="sw1a1aa", email=""),
        learner_payload(date_of_birth="2006-02-30", gender="3"),  # line 6
    ]
    report = _run(db, admin, _csv(rows))
    assert (report.rows, report.loaded, report.rejected) == (5, 2, 3)
    assert [(e.line, e.field) for e in report.errors] == [
        (3, "family_name"),
        (4, "uln"),
        (6, "date_of_birth"),
        (6, "gender"),
    ]
    assert "check digit" in report.errors[1].message
    new = {u: x for u, x in _learners(db).items() if u not in before}
    assert len(new) == 2
    kept = new[ULN_A]
    assert (kept["given_name"], kept["family_name"], kept["version"]) == (
        "Siân",
        "Ó Súilleabháin",
        1,
    )
    (issued,) = [x for u, x in new.items() if u != ULN_A]
    assert is_valid_uln(issued["uln"])
    assert issued["postcode"] == "SW1A 1AA"
    assert issued["email"] is None
    assert issued["registered_by_organisation_id"] == admin.organisation_id
    with db.unit_of_work() as uow:
        history = uow.session.scalars(
            select(LearnerHistory).where(LearnerHistory.learner_id == kept["id"])
        ).all()
        assert [(h.action, h.version, h.reason) for h in history] == [
            ("imported", 1, "bulk import from t.csv")
        ]
        assert history[0].changes["given_name"] == {"old": None, "new": "Siân"}
        audited = uow.session.scalars(
            select(AuditEvent.learner_id).where(AuditEvent.action == "learner.import")
        ).all()
        assert {kept["id"], issued["id"]} <= set(audited)


def test_ulns_already_used_are_refused_per_row(db: Database, admin: Actor) -> None:
    _run(db, admin, _csv([learner_payload(uln=ULN_A)]))
    rows = [learner_payload(uln=ULN_A), learner_payload(uln=ULN_B), learner_payload(uln=ULN_B)]
    report = _run(db, admin, _csv(rows), chunk_size=2)
    assert (report.loaded, report.rejected) == (1, 2)
    assert [(e.line, e.field) for e in report.errors] == [(2, "uln"), (4, "uln")]
    assert "already belongs" in report.errors[0].message


def test_issued_ulns_never_take_a_uln_a_later_row_carries(
    db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered: Iterator[str] = iter([ULN_C, ULN_B])
    monkeypatch.setattr(importer, "generate_uln", lambda: next(offered))
    rows = [learner_payload(given_name="First"), learner_payload(uln=ULN_C, given_name="Later")]
    report = _run(db, admin, _csv(rows), chunk_size=1)
    assert (report.loaded, report.rejected) == (2, 0)
    by_uln = _learners(db)
    assert by_uln[ULN_B]["given_name"] == "First"
    assert by_uln[ULN_C]["given_name"] == "Later"


def test_issued_ulns_skip_ulns_on_the_register(
    db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(db, admin, _csv([learner_payload(uln=ULN_A, given_name="Existing")]))
    offered: Iterator[str] = iter([ULN_A, ULN_B])
    monkeypatch.setattr(importer, "generate_uln", lambda: next(offered))
    report = _run(db, admin, _csv([learner_payload(given_name="New")]))
    assert report.loaded == 1
    learners = _learners(db)
    assert (learners[ULN_A]["given_name"], learners[ULN_B]["given_name"]) == ("Existing", "New")


@pytest.mark.parametrize(
    ("header", "field"),
    [
        (("given_name", "family_name", "date_of_birth", "gender"), "postcode"),
        ((*COLUMNS, "shoe_size"), "shoe_size"),
        ((*COLUMNS, "version"), "version"),
        ((*COLUMNS, "gender"), "gender"),
    ],
)
def test_a_bad_header_refuses_the_whole_file(
    db: Database, admin: Actor, header: tuple[str, ...], field: str
) -> None:
    before = len(_learners(db))
    text = ",".join(header) + "\n" + ",".join("x" for _ in header) + "\n"
    with pytest.raises(ValidationFailed) as caught:
        _run(db, admin, text)
    assert field in [e.field for e in caught.value.errors]
    assert len(_learners(db)) == before


def test_empty_file_and_short_rows(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationFailed, match="empty"):
        _run(db, admin, "")
    text = "\ufeff" + _csv([learner_payload()]) + "Ann,Lee\n\n"
    report = _run(db, admin, text)
    assert (report.rows, report.loaded, report.rejected) == (2, 1, 1)
    assert report.errors[0].field == "row"
    assert "2 cells" in report.errors[0].message


def test_text_that_is_not_utf8_refuses_the_file(db: Database, admin: Actor, tmp_path: Path) -> None:
    before = len(_learners(db))
    path = tmp_path / "latin1.csv"
    good = _csv([learner_payload() for _ in range(3)])
    path.write_bytes(good.encode() + "Zoë,Lee\n".encode("latin-1"))
    with (
        path.open(encoding="utf-8", newline="") as source,
        pytest.raises(ValidationFailed, match="UTF-8"),
    ):
        import_learners(db.unit_of_work(), admin, source, source_name=path.name)
    assert len(_learners(db)) == before


def test_progress_reports_bytes_read(db: Database, admin: Actor) -> None:
    text = _csv([learner_payload() for _ in range(3)])
    seen: list[int] = []
    _run(db, admin, text, progress=seen.append)
    assert seen[-1] == len(text.encode("utf-8")) - len(text.splitlines(True)[0].encode())


def test_only_administrators_import(db: Database, make_org: OrgFactory) -> None:
    provider, _ = make_org("provider")
    with pytest.raises(Forbidden):
        _run(db, provider, _csv([learner_payload()]))


def test_one_summary_audit_event_per_import(db: Database, admin: Actor) -> None:
    _run(db, admin, _csv([learner_payload(), learner_payload(family_name="1")]))
    with db.unit_of_work() as uow:
        summary = uow.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "learner.import", AuditEvent.outcome == "completed"
            )
        ).all()
        assert [s.details for s in summary][-1] == {
            "source": "t.csv",
            "rows": 2,
            "loaded": 1,
            "rejected": 1,
        }
        count = uow.session.scalar(select(func.count()).select_from(AuditEvent))
        assert count is not None
        assert count >= 2
