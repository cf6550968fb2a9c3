"""Forenames written as their start, on SQLite and PostgreSQL: the starts counted, the count
read by the search in its one round trip, and the home key finding a learner whose given
name changed its sound and whose date of birth is wrong (issue 23)."""

from __future__ import annotations

import io
import math
from datetime import date

from sqlalchemy import delete, select, update

from open_lrs.core.db import Database
from open_lrs.learners import search as matching
from open_lrs.learners.importer import import_learners
from open_lrs.matching.model import load
from open_lrs.matching.models import TOTAL, NameFrequency
from open_lrs.matching.scoring import START_FIELD, Outcome, Query
from tests.conftest import OrgFactory

ROWS = [
    "uln,given_name,family_name,date_of_birth,gender,postcode",
    "1234567899,Stuart,Okonkwo-Hale,2005-01-02,1,SA1 1AA",
    ",Stuart,Ferreira,2006-02-03,1,LS6 2AB",
    ",Stevie,Ferreira,2007-03-04,1,LS6 2AB",
    ",Ghusharib,Qureshi,2008-04-05,1,B11 1AA",
    ",Cerys,Pryce,2004-09-25,2,CF35 8DY",
]


def _load(db: Database, make_org: OrgFactory) -> None:
    admin, _ = make_org("admin")
    report = import_learners(
        db.unit_of_work(), admin, io.StringIO("\n".join(ROWS) + "\n"), source_name="t.csv"
    )
    assert report.loaded == len(ROWS) - 1


def _counts(db: Database) -> dict[str, int]:
    with db.unit_of_work() as uow:
        rows = uow.session.execute(
            select(NameFrequency.name, NameFrequency.learners).where(
                NameFrequency.field == START_FIELD
            )
        )
        return dict(rows.all())


def test_an_import_counts_the_starts_of_forenames(db: Database, make_org: OrgFactory) -> None:
    _load(db, make_org)
    counts = _counts(db)
    assert counts["st"] >= 3
    assert counts["stu"] >= 2
    assert counts["stuart"] >= 2
    assert counts["ste"] >= 1
    assert counts["ghusha"] >= 1
    assert "ghushar" not in counts  # starts of up to 6 letters
    assert "s" not in counts  # an initial is not a start


def _find(db: Database, query: Query):  # type: ignore[no-untyped-def]
    with db.unit_of_work() as uow:
        return matching.find(uow.session, query, load("3"))


def test_a_search_weighs_a_start_by_its_count_on_a_large_register(
    db: Database, make_org: OrgFactory
) -> None:
    _load(db, make_org)
    # As if the register held 100,000 learners (counts apply from 10,000).
    with db.unit_of_work() as uow:
        uow.session.execute(
            update(NameFrequency)
            .where(NameFrequency.field == "forename", NameFrequency.name == TOTAL)
            .values(learners=100_000)
        )
        uow.commit()
    stu = _counts(db)["stu"]
    found = _find(db, Query("Stu", "Okonkwo-Hale", date(2005, 1, 2), "1", "SA1 1AA"))
    assert found.decision.outcome is Outcome.EXACT_MATCH
    forename = found.decision.matches[0].explanation[0]
    assert (forename.agreement, forename.searched, forename.found) == ("prefix", "Stu", "Stuart")
    assert forename.weight == round(math.log2(0.02 / (stu / 100_000)), 2)


def test_a_start_with_no_count_weighs_as_the_model_says(db: Database, make_org: OrgFactory) -> None:
    _load(db, make_org)
    with db.unit_of_work() as uow:  # a register upgraded before its starts were counted
        uow.session.execute(
            update(NameFrequency)
            .where(NameFrequency.field == "forename", NameFrequency.name == TOTAL)
            .values(learners=100_000)
        )
        uow.session.execute(delete(NameFrequency).where(NameFrequency.field == START_FIELD))
        uow.commit()
    found = _find(db, Query("Ghu", "Qureshi", date(2008, 4, 5), "1", "B11 1AA"))
    forename = found.decision.matches[0].explanation[0]
    assert (forename.agreement, forename.weight) == ("prefix", 1.0)  # log2(0.02 / 0.01)
    assert found.decision.outcome is Outcome.POSSIBLE_MATCHES


def test_the_home_key_finds_a_learner_whose_name_and_birthday_are_both_off(
    db: Database, make_org: OrgFactory
) -> None:
    """ "Cery" has another sound than Cerys, and the 28th is not the 25th: no key of version 3
    is shared; family name and postcode are."""
    _load(db, make_org)
    found = _find(db, Query("Cery", "Pryce", date(2004, 9, 28), "2", "CF35 8DY"))
    assert found.decision.outcome is not Outcome.NO_MATCH
    assert found.decision.matches[0].record.given_name == "Cerys"
