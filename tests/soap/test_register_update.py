"""registerSingleLearner and updateSingleLearner through zeep: new, existing (WSRC0021),
possible matches, insufficient data, invalid values, updates, stale versions (WSRC0013)."""

from __future__ import annotations

from typing import Any

import pytest
import zeep
from fastapi.testclient import TestClient

from tests.api.conftest import bearer
from tests.soap.conftest import Org, miap, person


def read(client: TestClient, org: Org, uln: str) -> dict[str, Any]:
    r = client.get(f"/api/v1/learners/{uln}", headers=bearer(org.key))
    assert r.status_code == 200, r.text
    learner: dict[str, Any] = r.json()["learner"]
    return learner


def test_register_a_new_learner_then_the_same_one_again(
    lrs: Any, org: Any, client: TestClient
) -> None:
    provider = org()
    details = person(
        Title="Mr",
        MiddleOtherName="Jan",
        LastKnownAddressLine1="1 Quay Street",
        LastKnownAddressTown="Cardiff",
        DateOfAddressCapture="2024-09-01",
        EmailAddress="w.s@example.org",
        Nationality="GBR",
        VerificationType="999",
        OtherVerificationDescription="Seen a bank card",
        AbilityToShare="1",
        Notes="Prefers Welsh",
        LastKnownPostCode="cf10 1ep",
    )
    new = lrs.registerSingleLearner(**provider.auth("jane.doe"), Learner=details)
    assert new.ResponseCode == "WSRC0005"
    learner = read(client, provider, new.ULN)
    assert learner["given_name"] == "William"
    assert learner["middle_other_name"] == "Jan"
    assert learner["postcode"] == "CF10 1EP"
    assert learner["address_town"] == "Cardiff"
    assert learner["date_of_address_capture"] == "2024-09-01"
    assert learner["other_verification_description"] == "Seen a bank card"
    assert (learner["ability_to_share"], learner["notes"]) == ("1", "Prefers Welsh")
    history = client.get(f"/api/v1/learners/{new.ULN}/history", headers=bearer(provider.key))
    assert [(h["action"], h["user_label"]) for h in history.json()] == [("registered", "jane.doe")]

    again = lrs.registerSingleLearner(**provider.auth(), Learner=person(GivenName="WILLIAM"))
    assert (again.ResponseCode, again.ULN) == ("WSRC0021", new.ULN)


def test_register_stops_at_possible_matches_and_issues_nothing(
    lrs: Any, org: Any, client: TestClient
) -> None:
    provider = org()
    existing = lrs.registerSingleLearner(
        **provider.auth(), Learner=person(GivenName="Seán", FamilyName="Murphy")
    )
    maybe = person(GivenName="Sein", FamilyName="Murphy", LastKnownPostCode="BT9 5AA")
    answer = lrs.registerSingleLearner(**provider.auth(), Learner=maybe)
    assert (answer.ResponseCode, answer.ULN) == ("WSRC0003", None)
    search = client.post(
        "/api/v1/learners/search",
        headers=bearer(provider.key),
        json={"given_name": "Sein", "family_name": "Murphy", "date_of_birth": "2007-03-04"},
    )
    assert [m["uln"] for m in search.json()["matches"]] == [existing.ULN]


def test_register_with_missing_or_invalid_details(lrs: Any, org: Any) -> None:
    provider = org()
    missing = person()
    del missing["GivenName"], missing["LastKnownPostCode"]
    answer = lrs.registerSingleLearner(**provider.auth(), Learner=missing)
    assert (answer.ResponseCode, answer.ULN) == ("WSRC0015", None)
    blank = lrs.registerSingleLearner(**provider.auth(), Learner=person(FamilyName=" "))
    assert blank.ResponseCode == "WSRC0015"
    nothing = lrs.registerSingleLearner(**provider.auth())
    assert nothing.ResponseCode == "WSRC0015"

    for bad, element, words in [
        ({"DateOfBirth": "15/03/2006"}, "RegisterLearner/Learner/DateOfBirth", "YYYY-MM-DD"),
        ({"DateOfBirth": "2007-02-30"}, "Learner/DateOfBirth", "valid date"),
        ({"DateOfBirth": "2020-01-01"}, "Learner/DateOfBirth", "aged 13 to 110"),
        ({"Gender": "M"}, "Learner/Gender", "'0', '1', '2' or '9'"),
        ({"LastKnownPostCode": "NOWHERE"}, "Learner/LastKnownPostCode", "UK postcode"),
        (
            {"VerificationType": "999"},
            "RegisterLearner/Learner/OtherVerificationDescription",
            "VerificationType",
        ),
    ]:
        with pytest.raises(zeep.exceptions.Fault) as refused:
            lrs.registerSingleLearner(**provider.auth(), Learner=person(**bad))
        fault = miap(refused.value)
        assert (fault.faultcode, fault.code, fault.actor) == (
            "s:Client",
            "WSEC0001",
            "registerSingleLearner",
        ), bad
        assert element in fault.faultstring, (bad, fault)
        assert words in (fault.further or ""), (bad, fault)


def test_update_change_no_change_stale_and_unknown(lrs: Any, org: Any, client: TestClient) -> None:
    provider = org()
    uln = lrs.registerSingleLearner(
        **provider.auth(), Learner=person(PreferredGivenName="Will", Title="Mr")
    ).ULN
    [learner] = lrs.learnerByULN(**provider.auth(), ULN=uln).Learner
    assert learner.VersionNumber == 1

    change = {"ULN": uln, "VersionNumber": 1, "LastKnownPostCode": "ls1 4ap"}
    change["PreferredGivenName"] = "Bill"
    # UpdateLearnerResponse holds only its ResponseCode, which zeep answers alone.
    updated = lrs.updateSingleLearner(**provider.auth("j.smith"), Learner=change)
    assert updated == "WSRC0006"
    now = read(client, provider, uln)
    assert (now["postcode"], now["preferred_given_name"], now["version"]) == ("LS1 4AP", "Bill", 2)
    assert now["title"] == "Mr"  # absent elements are left alone
    history = client.get(f"/api/v1/learners/{uln}/history", headers=bearer(provider.key)).json()
    assert history[-1]["user_label"] == "j.smith"
    assert set(history[-1]["changes"]) == {"postcode", "preferred_given_name"}

    same = lrs.updateSingleLearner(**provider.auth(), Learner={**change, "VersionNumber": 2})
    assert same == "WSRC0020"
    stale = lrs.updateSingleLearner(
        **provider.auth(), Learner={"ULN": uln, "VersionNumber": 1, "Title": "Dr"}
    )
    assert stale == "WSRC0013"
    assert read(client, provider, uln)["title"] == "Mr"

    cleared = lrs.updateSingleLearner(
        **provider.auth(), Learner={"ULN": uln, "VersionNumber": 2, "Title": ""}
    )
    assert cleared == "WSRC0006"
    assert read(client, provider, uln)["title"] is None

    unknown = lrs.updateSingleLearner(
        **provider.auth(), Learner={"ULN": "2000000001", "VersionNumber": 1, "Title": "Dr"}
    )
    assert unknown == "WSRC0019"
    no_uln = lrs.updateSingleLearner(**provider.auth(), Learner={"VersionNumber": 1})
    assert no_uln == "WSRC0015"


def test_update_refusals_name_the_element(lrs: Any, org: Any) -> None:
    provider = org()
    uln = lrs.registerSingleLearner(**provider.auth(), Learner=person()).ULN
    cases = [
        ({"ULN": "1234567890", "VersionNumber": 1}, "WSEC0136", "check digit"),
        (
            {"ULN": uln, "VersionNumber": 1, "GivenName": ""},
            "WSEC0001",
            "UpdateLearner/Learner/GivenName",
        ),
        ({"ULN": uln, "VersionNumber": 0}, "WSEC0001", "Learner/VersionNumber"),
        ({"ULN": uln, "VersionNumber": 1, "DateOfBirth": "2007-3-4"}, "WSEC0001", "DateOfBirth"),
        (
            {"ULN": uln, "VersionNumber": 1, "VerificationType": "999"},
            "WSEC0001",
            "Learner/OtherVerificationDescription",
        ),
    ]
    for learner, code, words in cases:
        with pytest.raises(zeep.exceptions.Fault) as refused:
            lrs.updateSingleLearner(**provider.auth(), Learner=learner)
        fault = miap(refused.value)
        assert (fault.code, fault.actor) == (code, "updateSingleLearner"), learner
        assert words in f"{fault.faultstring} {fault.further}", (learner, fault)


def test_only_registrars_may_register_and_update(lrs: Any, org: Any) -> None:
    provider, awarding = org(), org("awarding_organisation")
    uln = lrs.registerSingleLearner(**provider.auth(), Learner=person()).ULN
    for call in (
        lambda: lrs.registerSingleLearner(**awarding.auth(), Learner=person(GivenName="Ngozi")),
        lambda: lrs.updateSingleLearner(
            **awarding.auth(), Learner={"ULN": uln, "VersionNumber": 1, "Title": "Dr"}
        ),
    ):
        with pytest.raises(zeep.exceptions.Fault) as refused:
            call()
        assert miap(refused.value).code == "WSEC0006"
