"""GetLearnerLearningEvents through zeep loaded from the unmodified LearnerServiceR9.wsdl: the
events as the JSON API gives them, FULL and BRIEF, a linked ULN, consent (WSEC0206), names
that do not verify (WSEC0208), and requests that cannot be answered."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from open_lrs.core.db import Database
from open_lrs.learners.schemas import LearnerResult
from tests.api.conftest import bearer
from tests.soap import r9_data as data
from tests.soap.conftest import Org, post_raw, r9_auth, r9_refused

pytestmark = pytest.mark.usefixtures("sample_catalogue")
MODEL = "{http://api.lrs.qcf.gov.uk/model}"
TEMPURI = "{http://tempuri.org/}"
R10 = "http://schemas.datacontract.org/2004/07/Amor.Qcf.Service.Interface"


@pytest.fixture
def sample_catalogue(db: Database) -> None:
    data.load_catalogue(db)


def events(r9: Any, org: Org, get_type: str | None = "FULL", **names: Any) -> Any:
    return r9.GetLearnerLearningEvents(**r9_auth(org, vendor="vendorID"), **names, getType=get_type)


def check_every_element_is_the_json_apis(
    client: TestClient, provider: Org, learner: LearnerResult, answer: Any
) -> None:
    """Every element of the FULL events is the JSON API's value for the same event."""
    uln = learner.learner.uln
    r = client.get(
        f"/api/v1/learners/{uln}/learning-events",
        params={
            "given_name": learner.learner.given_name,
            "family_name": learner.learner.family_name,
        },
        headers=bearer(provider.key),
    )
    assert r.status_code == 200, r.text
    same = {
        "ID": "id",
        "SubjectCode": "subject_code",
        "Subject": "subject",
        "QualificationType": "qualification_type",
        "Level": "level",
        "Credits": "credits",
        "Grade": "grade",
        "AchievementAwardDate": "achievement_award_date",
        "Status": "status",
        "Source": "source",
        "UnderDataChallenge": "under_data_challenge",
        "AwardingOrganisationName": "awarding_organisation_name",
        "AwardingOrganisationUkprn": "awarding_organisation_ukprn",
        "AchievementProviderName": "achievement_provider_name",
        "AchievementProviderUkprn": "achievement_provider_ukprn",
        "ParticipationStartDate": "participation_start_date",
        "ParticipationEndDate": "participation_end_date",
        "LanguageForAssessment": "language_for_assessment",
        "CollectionType": "collection_type",
        "ReturnNumber": "return_number",
    }
    for soap, json in zip(answer.LearnerRecord.LearningEvent, r.json()["events"], strict=True):
        assert {e: soap[e] for e in same} == {e: json[f] for e, f in same.items()}
        assert soap.DateLoaded.replace("+00:00", "Z") == json["date_loaded"].replace("+00:00", "Z")


def test_full_events_are_the_json_apis_events_by_the_wsdls_names(
    r9: Any, org: Any, db: Database, client: TestClient
) -> None:
    provider, awarder = org(), org("awarding_organisation")
    learner = data.register(db, provider)
    data.award(db, awarder, learner, ProviderUKPRN=provider.ukprn, LanguageForAssessment="Welsh")
    data.award(db, awarder, learner, SubjectCode=data.UNIT, Grade=None, AwardDate="2023-06-30")

    answer = events(r9, provider, **data.names(learner))
    uln = learner.learner.uln
    assert (answer.ResponseCode, answer.IncomingULN, answer.FoundULN) == ("WSRC0004", uln, uln)
    english, unit = answer.LearnerRecord.LearningEvent  # newest first
    assert (english.SubjectCode, unit.SubjectCode) == (data.ENGLISH, data.UNIT)
    assert (english.Subject, english.QualificationType, english.Level, english.Grade) == (
        "GCSE (9-1) in English Language",
        "GCSE",
        "2",
        "5",
    )
    assert (unit.Level, unit.Credits, unit.Grade, english.Credits) == ("E1", 2, None, None)
    assert (english.AchievementAwardDate, english.Status, english.Source) == (
        "2024-08-22",
        "F",
        "AO",
    )
    assert (english.AchievementProviderUkprn, english.AchievementProviderName) == (
        provider.ukprn,
        "Test provider",
    )
    assert english.AwardingOrganisationUkprn == awarder.ukprn
    assert (english.LanguageForAssessment, english.UnderDataChallenge) == ("Welsh", "N")
    assert (english.Restriction, unit.Restriction) == ("0", "0")

    check_every_element_is_the_json_apis(client, provider, learner, answer)


def test_brief_events_carry_only_the_brief_form(r9: Any, org: Any, db: Database) -> None:
    provider, awarder = org(), org("awarding_organisation")
    learner = data.register(db, provider)
    data.award(db, awarder, learner, ProviderUKPRN=provider.ukprn)
    [event] = events(r9, provider, "brief", **data.names(learner)).LearnerRecord.LearningEvent
    assert (event.SubjectCode, event.Grade, event.Level, event.Status) == (
        data.ENGLISH,
        "5",
        "2",
        "F",
    )
    assert event.ID > 0
    full_only = ("AwardingOrganisationName", "AchievementProviderUkprn", "DateLoaded")
    assert [event[e] for e in full_only] == [None, None, None]
    # Nil (or empty) getType is FULL, as the JSON API's default form.
    [event] = events(r9, provider, None, **data.names(learner)).LearnerRecord.LearningEvent
    assert event.AchievementProviderUkprn == provider.ukprn


def test_a_linked_uln_answers_the_masters_events_under_either_uln(
    r9: Any, org: Any, db: Database
) -> None:
    provider, awarder, admin = org(), org("awarding_organisation"), org("admin")
    master, linked = data.register(db, provider), data.register(db, provider)
    data.award(db, awarder, linked, SubjectCode=data.MATHS, Grade="7")
    data.award(db, awarder, master)
    data.merge(db, admin, master, linked)

    asked = {**data.names(master), "uln": linked.learner.uln}
    answer = events(r9, provider, **asked)
    assert (answer.ResponseCode, answer.IncomingULN, answer.FoundULN) == (
        "WSRC0022",
        linked.learner.uln,
        master.learner.uln,
    )
    assert sorted(e.SubjectCode for e in answer.LearnerRecord.LearningEvent) == [
        data.ENGLISH,
        data.MATHS,
    ]


def test_a_learner_who_has_not_agreed_to_share_is_wsec0206_with_no_events(
    r9: Any, org: Any, db: Database
) -> None:
    provider, awarder = org(), org("awarding_organisation")
    learner = data.register(db, provider, ability_to_share="2")
    data.award(db, awarder, learner)
    refused = events(r9, provider, **data.names(learner))
    assert (refused.ResponseCode, refused.IncomingULN, refused.FoundULN) == (
        "WSEC0206",
        learner.learner.uln,
        None,
    )
    assert not refused.LearnerRecord
    # The awarding organisation still sees the event it awarded, marked as restricted.
    own = events(r9, awarder, **data.names(learner))
    assert own.ResponseCode == "WSRC0004"
    [event] = own.LearnerRecord.LearningEvent
    assert (event.SubjectCode, event.Restriction) == (data.ENGLISH, "1")


def test_names_that_do_not_verify_are_wsec0208_with_no_events(
    r9: Any, org: Any, db: Database
) -> None:
    provider, awarder = org(), org("awarding_organisation")
    learner = data.register(db, provider, date_of_birth="2001-02-03", gender="2")
    data.award(db, awarder, learner)
    for wrong in (
        {"givenName": "Zebedee"},
        {"familyName": "Quux"},
        {"dateOfBirth": "1999-12-31"},
    ):
        answer = events(r9, provider, **{**data.names(learner), **wrong})
        assert (answer.ResponseCode, answer.FoundULN) == ("WSEC0208", None), wrong
        assert not answer.LearnerRecord
    # Date of birth and gender, when given and right, still open it.
    right = events(
        r9, provider, **{**data.names(learner), "dateOfBirth": "2001-02-03", "gender": "2"}
    )
    assert right.ResponseCode == "WSRC0004"


def test_unknown_uln_missing_names_and_invalid_values(r9: Any, org: Any, db: Database) -> None:
    provider = org()
    learner = data.register(db, provider)
    unknown = events(r9, provider, **{**data.names(learner), "uln": "2000000001"})
    assert (unknown.ResponseCode, unknown.IncomingULN) == ("WSRC0001", "2000000001")
    for missing in ({"givenName": None}, {"familyName": "  "}, {"uln": None}):
        answer = events(r9, provider, **{**data.names(learner), **missing})
        assert answer.ResponseCode == "WSRC0015", missing

    invalid = r9_refused(
        lambda: events(r9, provider, **{**data.names(learner), "uln": "1234567890"})
    )
    assert (invalid.faultcode, invalid.code) == ("s:Client", "WSEC0136")
    cases = [
        ({"dateOfBirth": "03/02/2001"}, "FULL", "dateOfBirth", "YYYY-MM-DD"),
        ({"gender": "3"}, "FULL", "gender", "'9'"),
        ({}, "SUMMARY", "getType", "must be FULL or BRIEF"),
    ]
    for changed, get_type, element, words in cases:
        fault = r9_refused(
            lambda c=changed, g=get_type: events(r9, provider, g, **{**data.names(learner), **c})
        )
        assert (fault.faultcode, fault.code) == ("s:Client", "WSEC0001"), element
        assert f"\nGetLearnerLearningEvents/{element}" in fault.detail, fault
        assert words in fault.detail, fault
        assert "operation: GetLearnerLearningEvents" in fault.detail


def test_the_response_is_in_the_wsdls_namespaces_and_order(
    client: TestClient, org: Any, db: Database
) -> None:
    provider, awarder = org(), org("awarding_organisation")
    learner = data.register(db, provider)
    data.award(db, awarder, learner)
    body = (
        f'<GetLearnerLearningEvents xmlns="http://tempuri.org/">'
        f'<invokingOrganisation xmlns:a="{R10}"><a:Password>{provider.key}</a:Password>'
        f"<a:Ukprn>{provider.ukprn}</a:Ukprn></invokingOrganisation>"
        f"<userType>ORG</userType><vendorID>1</vendorID><language>ENG</language>"
        f"<uln>{learner.learner.uln}</uln><givenName>{learner.learner.given_name}</givenName>"
        f"<familyName>{learner.learner.family_name}</familyName><dateOfBirth/><gender/>"
        f"<getType>FULL</getType></GetLearnerLearningEvents>"
    )
    envelope = (
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        f"{body}</s:Body></s:Envelope>"
    ).encode()
    r = post_raw(
        client,
        envelope,
        action='"http://tempuri.org/ILearnerServiceR9/GetLearnerLearningEvents"',
        path="/LearnerServiceR9.svc",
    )
    assert r.status_code == 200, r.text
    [response] = etree.fromstring(r.content)[0]
    assert response.tag == f"{TEMPURI}GetLearnerLearningEventsResponse"
    [result] = response
    assert result.tag == f"{TEMPURI}GetLearnerLearningEventsResult"
    assert [child.tag for child in result] == [
        f"{MODEL}{name}" for name in ("ResponseCode", "FoundULN", "IncomingULN", "LearnerRecord")
    ]
    [event] = result.find(f"{MODEL}LearnerRecord")
    names = [child.tag.removeprefix(MODEL) for child in event]
    assert names[:3] == [
        "AchievementAwardDate",
        "AwardingOrganisationName",
        "AwardingOrganisationUkprn",
    ]
    assert names[-4:] == ["Status", "Subject", "SubjectCode", "UnderDataChallenge"]
