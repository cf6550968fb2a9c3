"""ViewAudit through zeep (the learner's PLR access log: your organisation's entries, or every
organisation's for an administrator), and the two small service functions R9 added:
``records.access_log.plr_access_log`` and ``organisations.service.read_organisation``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from open_lrs.audit.models import AuditEvent
from open_lrs.core.db import Database
from open_lrs.core.errors import LearnerNotFound, LearnerNotVerified, NotFound, ValidationFailed
from open_lrs.learners.schemas import LearnerResult
from open_lrs.organisations import service as orgs
from open_lrs.records import access_log, reading
from open_lrs.records.access import RecordRequest
from tests.api.conftest import bearer
from tests.soap import r9_data as data
from tests.soap.conftest import Org, r9_auth, r9_refused

pytestmark = pytest.mark.usefixtures("sample_catalogue")


@pytest.fixture
def sample_catalogue(db: Database) -> None:
    data.load_catalogue(db)


def view(r9: Any, org: Org, learner: LearnerResult, page: int = 1, **names: Any) -> Any:
    values = {
        "learnerUln": learner.learner.uln,
        "learnerGivenName": learner.learner.given_name,
        "learnerFamilyName": learner.learner.family_name,
    }
    values.update(names)
    return r9.ViewAudit(**r9_auth(org), **values, page=page)


def read_events(r9: Any, org: Org, learner: LearnerResult, user: str, **names: Any) -> str:
    answer = r9.GetLearnerLearningEvents(
        **r9_auth(org, user=user, vendor="vendorID"), **{**data.names(learner), **names},
        getType="BRIEF",
    )  # fmt: skip
    code: str = answer.ResponseCode
    return code


def request_for(learner: LearnerResult) -> RecordRequest:
    return RecordRequest(
        uln=learner.learner.uln,
        given_name=learner.learner.given_name,
        family_name=learner.learner.family_name,
    )


def test_an_organisation_sees_its_own_reads_of_the_record_and_no_one_elses(
    r9: Any, org: Any, db: Database, client: TestClient
) -> None:
    provider, college, awarder = org(), org(), org("awarding_organisation")
    learner = data.register(db, provider)
    data.award(db, awarder, learner)
    assert view(r9, provider, learner).TotalItems == 0

    assert read_events(r9, provider, learner, "Jane Doe") == "WSRC0004"
    assert read_events(r9, provider, learner, "Jane Doe", givenName="Zebedee") == "WSEC0208"
    assert read_events(r9, college, learner, "Sam Roe") == "WSRC0004"
    summary = client.get(
        f"/api/v1/learners/{learner.learner.uln}/enrolment-summary",
        params={
            "given_name": learner.learner.given_name,
            "family_name": learner.learner.family_name,
        },
        headers=bearer(provider.key),
    )  # through the JSON API, with no user name: the key is named
    assert summary.status_code == 200, summary.text

    mine = view(r9, provider, learner)
    assert (mine.TotalItems, mine.PageCount, mine.PageIndex, mine.PageSize) == (3, 1, 1, 50)
    entries = mine.List.PlrAccessEntryResponse
    assert [(e.Action, e.Organisation) for e in entries] == [
        ("plr.read WSRC0004", f"Test provider ({provider.ukprn})"),
        ("plr.read WSEC0208", f"Test provider ({provider.ukprn})"),
        ("plr.read WSRC0004", f"Test provider ({provider.ukprn})"),
    ]
    [key] = orgs.list_keys(db.unit_of_work(), ukprn=provider.ukprn)
    assert [e.User for e in entries] == [f"API key {key.id}", "Jane Doe", "Jane Doe"]
    times = [e.DateTime for e in entries]
    assert times == sorted(times, reverse=True)
    assert all(isinstance(t, datetime) and t.utcoffset() is not None for t in times)

    theirs = view(r9, college, learner)
    assert [(e.Action, e.User) for e in theirs.List.PlrAccessEntryResponse] == [
        ("plr.read WSRC0004", "Sam Roe")
    ]
    # Viewing the log is audited, but is not an entry of it.
    assert view(r9, provider, learner).TotalItems == 3


def test_an_administrator_sees_every_organisations_entries(r9: Any, org: Any, db: Database) -> None:
    provider, college, admin = org(), org(), org("admin")
    learner = data.register(db, provider)
    read_events(r9, provider, learner, "Jane Doe")
    read_events(r9, college, learner, "Sam Roe")
    everything = view(r9, admin, learner)
    assert sorted(e.Organisation for e in everything.List.PlrAccessEntryResponse) == sorted(
        [f"Test provider ({provider.ukprn})", f"Test provider ({college.ukprn})"]
    )


def test_the_log_comes_a_page_of_fifty_at_a_time(r9: Any, org: Any, db: Database) -> None:
    provider = org()
    learner = data.register(db, provider)
    actor = data.actor_of(db, provider)
    for _ in range(51):
        reading.learning_events(
            db.unit_of_work(), actor, request_for(learner), reading.EventFilter(), "BRIEF"
        )
    first, second = view(r9, provider, learner, 1), view(r9, provider, learner, 2)
    assert (first.TotalItems, first.PageCount, len(first.List.PlrAccessEntryResponse)) == (
        51,
        2,
        50,
    )
    assert (second.PageIndex, len(second.List.PlrAccessEntryResponse)) == (2, 1)
    assert second.List.PlrAccessEntryResponse[0].DateTime <= min(
        e.DateTime for e in first.List.PlrAccessEntryResponse
    )
    zero = view(r9, provider, learner, 0)  # page 0 is read as the first page
    assert (zero.PageIndex, zero.List.PlrAccessEntryResponse) == (
        1,
        first.List.PlrAccessEntryResponse,
    )
    beyond = view(r9, provider, learner, 3)
    assert (beyond.TotalItems, beyond.List) == (51, None)


def test_view_audit_refusals_are_domain_faults(r9: Any, org: Any, db: Database) -> None:
    provider = org()
    learner = data.register(db, provider)
    wrong = r9_refused(lambda: view(r9, provider, learner, learnerGivenName="Zebedee"))
    assert (wrong.faultcode, wrong.code) == ("s:Client", "WSEC0208")
    unknown = r9_refused(lambda: view(r9, provider, learner, learnerUln="2000000001"))
    assert unknown.code == "WSRC0001"
    invalid = r9_refused(lambda: view(r9, provider, learner, learnerUln="1234567890"))
    assert invalid.code == "WSEC0136"
    missing = r9_refused(lambda: view(r9, provider, learner, learnerGivenName=None))
    assert missing.code == "WSEC0001"
    assert "\nViewAudit/learnerGivenName: is required\n" in missing.detail
    negative = r9_refused(lambda: view(r9, provider, learner, -1))
    assert negative.code == "WSEC0001"
    assert "\nViewAudit/page: must be 1 or more (the first page)\n" in negative.detail
    # The refused attempt is in the audit log as a view of it, not as a read of the record.
    with db.session_factory() as s:
        outcomes = s.scalars(
            select(AuditEvent.outcome)
            .where(AuditEvent.learner_id.is_not(None), AuditEvent.action == "audit.read")
            .where(AuditEvent.organisation_id == data.actor_of(db, provider).organisation_id)
        ).all()
    assert list(outcomes) == ["WSEC0208"]


# The service functions ---------------------------------------------------------------------


def test_plr_access_log_filters_by_organisation_unless_the_audit_log_may_be_read(
    org: Any, db: Database
) -> None:
    provider, college, admin = org(), org(), org("admin")
    master, linked = data.register(db, provider), data.register(db, provider)
    for reader, learner in ((provider, linked), (college, master)):
        reading.learning_events(
            db.unit_of_work(),
            data.actor_of(db, reader),
            request_for(learner),
            reading.EventFilter(),
            "FULL",
        )
    data.merge(db, admin, master, linked)
    # The master's log holds the reads under the linked ULN too, by either ULN.
    by_linked = RecordRequest(
        uln=linked.learner.uln,
        given_name=master.learner.given_name,
        family_name=master.learner.family_name,
    )
    whole = access_log.plr_access_log(db.unit_of_work(), data.actor_of(db, admin), by_linked)
    assert (whole.total, whole.whole_log) == (2, True)
    assert {e.ukprn for e in whole.entries} == {provider.ukprn, college.ukprn}
    own = access_log.plr_access_log(
        db.unit_of_work(), data.actor_of(db, college), request_for(master)
    )
    assert (own.total, own.whole_log, [e.ukprn for e in own.entries]) == (1, False, [college.ukprn])
    assert own.entries[0].organisation_name == "Test provider"

    actor = data.actor_of(db, provider)
    with pytest.raises(ValidationFailed):
        access_log.plr_access_log(db.unit_of_work(), actor, request_for(master), page=0)
    with pytest.raises(LearnerNotVerified):
        access_log.plr_access_log(
            db.unit_of_work(), actor, RecordRequest(master.learner.uln, "Zebedee", "Quux")
        )
    with pytest.raises(LearnerNotFound):
        access_log.plr_access_log(db.unit_of_work(), actor, RecordRequest("2000000001", "A", "B"))


def test_read_organisation_gives_ours_or_the_one_named(org: Any, db: Database) -> None:
    provider, awarder = org(), org("awarding_organisation")
    actor = data.actor_of(db, provider)
    assert orgs.read_organisation(db.unit_of_work(), actor) == orgs.OrganisationInfo(
        "Test provider", provider.ukprn, "provider", True
    )
    named = orgs.read_organisation(db.unit_of_work(), actor, awarder.ukprn)
    assert (named.ukprn, named.kind) == (awarder.ukprn, "awarding_organisation")
    with pytest.raises(NotFound):
        orgs.read_organisation(db.unit_of_work(), actor, "99999999")
    for malformed in ("1234", f"{provider.ukprn}\n", "１２３４５６７８"):
        with pytest.raises(ValidationFailed):
            orgs.read_organisation(db.unit_of_work(), actor, malformed)
