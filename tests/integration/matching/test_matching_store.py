"""Blocking keys and name counts in the database, on SQLite and PostgreSQL: kept up to date by
every way a learner arrives or changes, and read by the search (the migrations that file the
learners already registered: test_match_key_migrations)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from open_lrs.core.db import Database
from open_lrs.core.security import Actor
from open_lrs.core.settings import get_settings
from open_lrs.learners import search as matching
from open_lrs.learners import service as learners
from open_lrs.learners.importer import import_learners
from open_lrs.learners.matching_store import STORE, to_record
from open_lrs.learners.models import Learner
from open_lrs.learners.schemas import LearnerRegistration, LearnerUpdate
from open_lrs.matching import blocking, store
from open_lrs.matching.model import Model
from open_lrs.matching.models import LearnerMatchKey, NameFrequency
from open_lrs.matching.scoring import Outcome, Query
from tests.conftest import OrgFactory
from tests.factories import MODEL_VERSION


@pytest.fixture
def provider(make_org: OrgFactory) -> Actor:
    return make_org("provider")[0]


def _keys(db: Database, uln: str) -> set[int]:
    with db.unit_of_work() as uow:
        learner_id = uow.session.scalar(select(Learner.id).where(Learner.uln == uln))
        return set(
            uow.session.scalars(
                select(LearnerMatchKey.key).where(LearnerMatchKey.learner_id == learner_id)
            )
        )


def _expected_keys(db: Database, uln: str) -> set[int]:
    with db.unit_of_work() as uow:
        learner = uow.session.scalar(select(Learner).where(Learner.uln == uln))
        return set(blocking.hashed(blocking.record_keys(to_record(learner))))


def _model() -> Model:
    return matching.current_model(get_settings().match_model_version)


def _find(db: Database, query: Query) -> tuple[Outcome, list[str]]:
    with db.unit_of_work() as uow:
        found = matching.find(uow.session, query, _model())
        return found.decision.outcome, [m.uln for _, _, m in found.learners()]


def test_registering_and_updating_keep_the_keys_current(db: Database, provider: Actor) -> None:
    data = LearnerRegistration.model_validate(
        {
            "given_name": "Zofia",
            "family_name": "Wiśniewska",
            "date_of_birth": "2006-05-17",
            "gender": "2",
            "postcode": "LS6 2AB",
        }
    )
    learner = learners.register(db.unit_of_work(), provider, data, MODEL_VERSION).learner
    before = _keys(db, learner.uln)
    assert before == _expected_keys(db, learner.uln)
    assert len(before) >= 5

    learners.update(
        db.unit_of_work(),
        provider,
        learner.uln,
        LearnerUpdate(version=1, family_name="Kowalska", postcode="M14 6PP"),
    )
    after = _keys(db, learner.uln)
    assert after == _expected_keys(db, learner.uln)
    assert after != before
    outcome, ulns = _find(db, Query("Zofia", "Kowalska", date(2006, 5, 17), "2", "M14 6PP"))
    assert (outcome, ulns) == (Outcome.EXACT_MATCH, [learner.uln])

    # A change that matching does not look at leaves the keys alone.
    learners.update(
        db.unit_of_work(), provider, learner.uln, LearnerUpdate(version=2, notes="moved")
    )
    assert _keys(db, learner.uln) == after


def test_an_import_files_every_learner_and_counts_names(db: Database, make_org: OrgFactory) -> None:
    admin, _ = make_org("admin")
    rows = [
        "uln,given_name,family_name,date_of_birth,gender,postcode",
        "1234567899,Rhys,Ap Rhys,2005-01-02,1,SA1 1AA",
        ",Rhys,Jones,2005-07-08,1,CF24 3AA",
        ",Cerys,Jones,2004-09-10,2,CF24 3AA",
    ]
    report = import_learners(
        db.unit_of_work(), admin, io.StringIO("\n".join(rows) + "\n"), source_name="t.csv"
    )
    assert report.loaded == 3
    assert _keys(db, "1234567899") == _expected_keys(db, "1234567899")
    outcome, ulns = _find(db, Query("Rhys", "Rhys", date(2005, 1, 2), "1", "SA1 1AA"))
    assert (outcome, ulns) == (Outcome.EXACT_MATCH, ["1234567899"])
    with db.unit_of_work() as uow:
        counts = dict(
            uow.session.execute(
                select(NameFrequency.name, NameFrequency.learners).where(
                    NameFrequency.field == "family_name"
                )
            ).all()
        )
        total = uow.session.scalar(
            select(NameFrequency.learners).where(
                NameFrequency.field == "forename", NameFrequency.name == ""
            )
        )
        active = uow.session.scalar(
            select(func.count()).select_from(Learner).where(Learner.status == "active")
        )
    assert counts["jones"] >= 2
    assert counts["aprhys"] >= 1
    assert total == active


def test_common_names_weigh_less_than_rare_ones(
    db: Database, provider: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "MIN_LEARNERS_FOR_FREQUENCIES", 1)
    for i, given in enumerate(["Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy"]):
        learners.register(
            db.unit_of_work(),
            provider,
            LearnerRegistration.model_validate(
                {
                    "given_name": given,
                    "family_name": "Smith" if i < 5 else "Szymańska",
                    "date_of_birth": f"200{i}-02-0{i + 1}",
                    "gender": "2",
                    "postcode": "B33 8TH",
                }
            ),
            MODEL_VERSION,
        )
    with db.unit_of_work() as uow:
        STORE.refresh_frequencies(uow.session.connection())
        uow.commit()

    def family_weight(given: str, family: str, born: date) -> float:
        with db.unit_of_work() as uow:
            found = matching.find(uow.session, Query(given, family, born, "2", "B33 8TH"), _model())
            [scored] = found.decision.matches
            return next(p.weight for p in scored.explanation if p.field == "family_name")

    common = family_weight("Olivia", "Smith", date(2000, 2, 1))
    rare = family_weight("Ivy", "Szymańska", date(2005, 2, 6))
    assert rare > common + 1

    # The counts read with the candidates are the counts read alone (for a learner who is not
    # a candidate): 5 Smiths and 1 Olivia among 6 learners.
    query = Query("Olivia", "Smith", date(2000, 2, 1), "2", "B33 8TH")
    with db.unit_of_work() as uow:
        with_candidates = STORE.candidates(uow.session, query).frequency
        alone = store.frequencies(uow.session, query)
    for field, name, share in [("family_name", "smith", 5 / 6), ("forename", "olivia", 1 / 6)]:
        assert with_candidates(field, name) == alone(field, name) == pytest.approx(share)


def test_a_preferred_name_counts_as_a_forename(
    db: Database, provider: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three Georges known as Seoras: agreeing on "Seoras" is as common as that makes it."""
    monkeypatch.setattr(store, "MIN_LEARNERS_FOR_FREQUENCIES", 1)
    people = [("George", "Seoras"), ("George", "Seoras"), ("George", "Seoras"), ("Seoras", None)]
    people += [("Ewan", None), ("Ewan", "Ewan")]  # a preferred name like the given one: once
    for i, (given, preferred) in enumerate(people):
        learners.register(
            db.unit_of_work(),
            provider,
            LearnerRegistration.model_validate(
                {
                    "given_name": given,
                    "preferred_given_name": preferred,
                    "family_name": [
                        "MacLeod",
                        "Morrison",
                        "Macaulay",
                        "Nicolson",
                        "Smith",
                        "Campbell",
                    ][i],
                    "date_of_birth": f"200{i}-03-0{i + 1}",
                    "gender": "1",
                    "postcode": "HS1 2AA",
                }
            ),
            MODEL_VERSION,
        )
    with db.unit_of_work() as uow:
        assert STORE.refresh_frequencies(uow.session.connection()) == 6
        uow.commit()
    with db.unit_of_work() as uow:
        seoras = store.frequencies(uow.session, Query("Seoras", "MacLeod", date(2000, 3, 1)))
        ewan = store.frequencies(uow.session, Query("Ewan", "MacLeod", date(2000, 3, 1)))
    assert seoras("forename", "seoras") == pytest.approx(4 / 6)
    assert ewan("forename", "ewan") == pytest.approx(2 / 6)


_FAMILIES = "Ahmed Brown Cooper Davies Evans Fischer Green Hughes Khan Lewis Morgan Nolan"
_FAMILIES += " Owusu Patel Quinn Roberts Turner"
_POSTCODES = "LS6 2AB,M14 6PP,B33 8TH,CF10 1AA,EH1 1YZ,BS1 4DJ,NE1 7RU,G2 1DY,S1 2HE,OX1 2JD"
_POSTCODES += ",CB2 1TN,NR1 3QU,EX4 3SR,TR1 2HE,LL57 2DG,DD1 4HN,IV2 3BW"


def _register_alike(
    db: Database, provider: Actor, given: str, born: date, which: range, gender: str = "1"
) -> dict[int, Query]:
    """Learners of one given name, born on one day, with family names and postcodes all unlike
    each other's (``which`` of them): a search for that name and day shares one key with each
    (birth date and forename sound) and no other. Each day's learners live somewhere else
    (another day's namesake of the same family name and postcode could be the same learner).
    Answers each one's id, with a search for their own details."""
    own: dict[str, Query] = {}
    families, postcodes = _FAMILIES.split(), _POSTCODES.split(",")
    shift = born.year % len(postcodes)
    postcodes = postcodes[shift:] + postcodes[:shift]
    for family, postcode in [(families[i], postcodes[i]) for i in which]:
        query = Query(given, family, born, gender, postcode)
        registration = LearnerRegistration.model_validate(
            {
                "given_name": given,
                "family_name": family,
                "date_of_birth": born.isoformat(),
                "gender": gender,
                "postcode": postcode,
            }
        )
        result = learners.register(db.unit_of_work(), provider, registration, MODEL_VERSION)
        assert result.code == "registered", family  # the others are somebody else
        own[result.learner.uln] = query
    with db.unit_of_work() as uow:
        ids = uow.session.execute(select(Learner.uln, Learner.id).where(Learner.uln.in_(own)))
        return {learner_id: own[uln] for uln, learner_id in ids}


def _candidate_ids(db: Database, query: Query) -> set[int]:
    with db.unit_of_work() as uow:
        return {row.id for row in STORE.candidates(uow.session, query).rows}


def test_a_learner_sharing_one_key_of_a_common_kind_is_not_a_candidate(
    db: Database, provider: Actor
) -> None:
    assert store.COMMON == 16
    few = _register_alike(db, provider, "Jack", date(2009, 5, 3), range(store.COMMON))
    many = _register_alike(db, provider, "Jack", date(2010, 6, 4), range(store.COMMON + 1))

    # Jack Tremayne shares one key with each Jack born on his birthday (its kind: birth date
    # and forename sound). Sixteen learners share it: all are candidates. Seventeen share it:
    # it is common, and none is.
    shared_by_sixteen = Query("Jack", "Tremayne", date(2009, 5, 3), "1", "PL4 8AA")
    assert _candidate_ids(db, shared_by_sixteen) == set(few)
    searched = Query("Jack", "Tremayne", date(2010, 6, 4), "1", "PL4 8AA")
    assert _candidate_ids(db, searched) == set()
    # Each of those seventeen is still found by their own details, which share every key.
    for learner_id, own in many.items():
        assert learner_id in _candidate_ids(db, own)

    # A Jack born that day who also lives in the searched postcode's sector shares three keys
    # with the search (birth date with forename sound, with sector; forename sound and sector):
    # a candidate, and the searched Jack is found though his family name is misspelt.
    tremayne = learners.register(
        db.unit_of_work(),
        provider,
        LearnerRegistration.model_validate(
            {
                "given_name": "Jack",
                "family_name": "Tremaine",
                "date_of_birth": "2010-06-04",
                "gender": "1",
                "postcode": "PL4 8AB",
            }
        ),
        MODEL_VERSION,
    ).learner
    with db.unit_of_work() as uow:
        [row] = STORE.candidates(uow.session, searched).rows
        assert row.family_name == "Tremaine"
    assert _find(db, searched)[1] == [tremayne.uln]


def test_a_candidate_is_scored_on_every_detail_the_learner_has(
    db: Database, provider: Actor
) -> None:
    """Candidates' records are read from their rows by position: each field must land where
    the scorer looks for it, so every field here has a value of its own."""
    learner = learners.register(
        db.unit_of_work(),
        provider,
        LearnerRegistration.model_validate(
            {
                "given_name": "Rhiannon",
                "family_name": "Pritchard",
                "date_of_birth": "2007-09-21",
                "gender": "2",
                "postcode": "CF10 3AT",
                "middle_other_name": "Eirlys",
                "preferred_given_name": "Rhi",
                "previous_family_name": "Bowen",
                "family_name_at_age_16": "Bowen-Pritchard",
                "email": "rhi.pritchard@example.org",
                "place_of_birth": "Aberystwyth",
                "school_at_age_16": "Ysgol Penglais",
            }
        ),
        MODEL_VERSION,
    ).learner
    with db.unit_of_work() as uow:
        stored = uow.session.scalar(select(Learner).where(Learner.uln == learner.uln))
        query = Query("Rhiannon", "Pritchard", date(2007, 9, 21), "2", "CF10 3AT")
        [record] = STORE.candidates(uow.session, query).records()
        assert record == to_record(stored)
        assert (record.key, record.preferred_given_name, record.school_at_age_16) == (
            stored.id,
            "Rhi",
            "Ysgol Penglais",
        )


def test_candidates_with_equal_scores_are_listed_in_the_order_they_were_registered(
    db: Database, provider: Actor
) -> None:
    """Two learners a search cannot tell apart are listed alike on SQLite and PostgreSQL: the
    one registered first, first. The first is changed after the second is registered, which
    moves its row after the second's in PostgreSQL's table."""
    ulns = []
    for family, postcode in (("Tremaine", "PL4 8AB"), ("Tremain", "M14 6PP")):
        registration = LearnerRegistration.model_validate(
            {
                "given_name": "Jack",
                "family_name": family,
                "date_of_birth": "2010-06-04",
                "gender": "1",
                "postcode": postcode,
                "confirm_new": True,
                "reason": "A different learner: checked with the learner's school",
            }
        )
        ulns.append(
            learners.register(db.unit_of_work(), provider, registration, MODEL_VERSION).learner.uln
        )
    learners.update(
        db.unit_of_work(), provider, ulns[0], LearnerUpdate(version=1, address_line_1="1 Quay Rd")
    )
    with db.unit_of_work() as uow:
        found = matching.find(
            uow.session, Query("Jack", "Tremayne", date(2010, 6, 4), "1", None), _model()
        )
        assert found.decision.outcome == Outcome.POSSIBLE_MATCHES
        first, second = (s.score for s in found.decision.matches)
        assert first == second
        assert [m.uln for _, _, m in found.learners()] == ulns


def test_a_kind_of_key_is_common_by_all_its_keys_together(db: Database, provider: Actor) -> None:
    """A search for Margaret has a key for each form of the name (Peggy, Molly...): nine
    Peggys and eight Mollys born on her birthday are seventeen learners under keys of one
    kind, though no one key holds more than nine."""
    born = date(2008, 2, 14)
    margaret = Query("Margaret", "Tremayne", born, "2", "PL4 8AA")
    peggys = _register_alike(db, provider, "Peggy", born, range(9), "2")
    mollys = _register_alike(db, provider, "Molly", born, range(9, 16), "2")
    assert _candidate_ids(db, margaret) == set(peggys) | set(mollys)
    _register_alike(db, provider, "Molly", born, range(16, 17), "2")
    assert _candidate_ids(db, margaret) == set()
