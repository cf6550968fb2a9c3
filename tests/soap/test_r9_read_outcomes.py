"""GetLearnerLearningEvents is logged with the ResponseCode its caller got, and ViewAudit shows
it: a learner who has not agreed to share is ``plr.read WSEC0206``, never a successful read
(issue 24)."""

from __future__ import annotations

from typing import Any

import pytest

from open_lrs.core.db import Database
from open_lrs.learners.schemas import LearnerResult
from tests.soap import r9_data as data
from tests.soap.conftest import Org, r9_auth

pytestmark = pytest.mark.usefixtures("sample_catalogue")


@pytest.fixture
def sample_catalogue(db: Database) -> None:
    data.load_catalogue(db)


def read(r9: Any, org: Org, learner: LearnerResult, **names: Any) -> str:
    answer = r9.GetLearnerLearningEvents(
        **r9_auth(org, vendor="vendorID"), **{**data.names(learner), **names}, getType="BRIEF"
    )
    code: str = answer.ResponseCode
    return code


def log_of(r9: Any, org: Org, learner: LearnerResult) -> list[str]:
    """ViewAudit's entries for ``learner`` as ``org`` sees them, oldest first."""
    answer = r9.ViewAudit(
        **r9_auth(org),
        learnerUln=learner.learner.uln,
        learnerGivenName=learner.learner.given_name,
        learnerFamilyName=learner.learner.family_name,
        page=1,
    )
    entries = answer.List.PlrAccessEntryResponse if answer.List else []
    return [e.Action for e in reversed(entries)]


def test_a_refused_read_is_wsec0206_in_the_access_log(r9: Any, org: Any, db: Database) -> None:
    provider, awarder = org(), org("awarding_organisation")
    learner = data.register(db, provider, ability_to_share="2")
    data.award(db, awarder, learner)
    assert read(r9, provider, learner) == "WSEC0206"
    assert log_of(r9, provider, learner) == ["plr.read WSEC0206"]
    # The awarder is answered its own event with the code of a read, and logged so.
    assert read(r9, awarder, learner) == "WSRC0004"
    assert log_of(r9, awarder, learner) == ["plr.read WSRC0004"]


def test_found_linked_and_not_verified_are_logged_as_answered(
    r9: Any, org: Any, db: Database
) -> None:
    provider, awarder, admin = org(), org("awarding_organisation"), org("admin")
    master, linked = data.register(db, provider), data.register(db, provider)
    data.award(db, awarder, master)
    data.merge(db, admin, master, linked)
    answered = [
        read(r9, provider, master),
        read(r9, provider, master, uln=linked.learner.uln),
        read(r9, provider, master, givenName="Zebedee"),
    ]
    assert answered == ["WSRC0004", "WSRC0022", "WSEC0208"]
    assert log_of(r9, provider, master) == [f"plr.read {code}" for code in answered]
