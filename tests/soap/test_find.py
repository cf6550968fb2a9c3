"""learnerByULN and learnerByDemographics through zeep: exact, possible, none, too many,
linked, check-only and full."""

from __future__ import annotations

from typing import Any

import pytest
import zeep
from fastapi.testclient import TestClient

from tests.api.conftest import bearer
from tests.soap.conftest import Org, miap, person


def register(lrs: Any, org: Org, **overrides: Any) -> str:
    answer = lrs.registerSingleLearner(**org.auth(), Learner=person(**overrides))
    assert answer.ResponseCode == "WSRC0005", answer
    uln: str = answer.ULN
    return uln


def merge(client: TestClient, admin: Org, master: str, linked: str) -> None:
    r = client.post(
        "/api/v1/learners/merge",
        headers=bearer(admin.key),
        json={"master_uln": master, "linked_uln": linked, "reason": "the same person"},
    )
    assert r.status_code == 200, r.text


def search(lrs: Any, org: Org, find_type: str = "FUL", **overrides: Any) -> Any:
    details = {
        "PreviousFamilyName": None,
        "SchoolAtAge16": None,
        "PlaceOfBirth": None,
        "EmailAddress": None,
        **person(**overrides),
    }
    return lrs.learnerByDemographics(**org.auth(), FindType=find_type, **details)


def test_find_by_uln_in_full_and_check_only(lrs: Any, org: Any) -> None:
    provider = org()
    uln = register(
        lrs, provider, Title="Mr", LastKnownPostCode="cf10 1ep", LastKnownAddressLine1="1 Quay St"
    )
    full = lrs.learnerByULN(
        **provider.auth(), FindType="FUL", ULN=uln, FamilyName="Szymańska", GivenName="William"
    )
    assert (full.ResponseCode, full.ULN) == ("WSRC0004", uln)
    assert (full.FamilyName, full.GivenName) == ("Szymańska", "William")
    [learner] = full.Learner
    assert uln == learner.ULN
    assert (learner.GivenName, learner.FamilyName, learner.Title) == ("William", "Szymańska", "Mr")
    assert (learner.DateOfBirth, learner.Gender) == ("2007-03-04", "1")
    assert learner.LastKnownPostCode == "CF10 1EP"  # stored canonical
    assert learner.LastKnownAddressLine1 == "1 Quay St"
    assert (learner.VersionNumber, learner.MasterSubstituted) == (1, "N")
    assert learner.LearnerStatus == "active"
    assert learner.LinkedULNs is None
    assert learner.CreatedDate.startswith(learner.LastUpdatedDate[:10])

    check = lrs.learnerByULN(**provider.auth(), FindType="CHK", ULN=uln)
    assert (check.ResponseCode, check.ULN, check.Learner) == ("WSRC0004", uln, [])
    default = lrs.learnerByULN(**provider.auth(), ULN=uln)
    assert len(default.Learner) == 1  # FUL unless CHK is asked for


def test_find_by_uln_linked_unknown_invalid_and_missing(
    lrs: Any, org: Any, client: TestClient
) -> None:
    provider, admin = org(), org("admin")
    master = register(lrs, provider, GivenName="Dafydd", FamilyName="Evans")
    linked = register(lrs, provider, GivenName="Oisín", FamilyName="Kowalski", Gender="2")
    merge(client, admin, master, linked)

    found = lrs.learnerByULN(**provider.auth(), ULN=linked)
    assert (found.ResponseCode, found.ULN) == ("WSRC0022", master)
    [learner] = found.Learner
    assert (learner.ULN, learner.MasterSubstituted, learner.GivenName) == (master, "Y", "Dafydd")
    assert [linked] == learner.LinkedULNs.ULN

    unknown = lrs.learnerByULN(**provider.auth(), ULN="2000000001")
    assert (unknown.ResponseCode, unknown.ULN, unknown.Learner) == ("WSRC0001", "2000000001", [])
    missing = lrs.learnerByULN(**provider.auth(), FindType="FUL")
    assert (missing.ResponseCode, missing.Learner) == ("WSRC0015", [])

    with pytest.raises(zeep.exceptions.Fault) as invalid:
        lrs.learnerByULN(**provider.auth(), ULN="1234567890")
    fault = miap(invalid.value)
    assert (fault.faultcode, fault.code, fault.actor) == ("s:Client", "WSEC0136", "learnerByULN")
    assert "check digit" in fault.faultstring

    with pytest.raises(zeep.exceptions.Fault) as bad_type:
        lrs.learnerByULN(**provider.auth(), ULN=master, FindType="ALL")
    assert miap(bad_type.value).code == "WSEC0001"
    assert "FindType" in bad_type.value.message


def test_find_by_demographics_exact_in_full_and_check_only(lrs: Any, org: Any) -> None:
    provider = org()
    uln = register(lrs, provider, EmailAddress="will@example.org")
    full = search(lrs, provider, GivenName="WILLIAM", LastKnownPostCode="cf101ep")
    assert (full.ResponseCode, full.ULN) == ("WSRC0004", uln)
    assert (full.GivenName, full.LastKnownPostCode) == ("WILLIAM", "cf101ep")  # as searched
    [learner] = full.Learner
    assert (learner.ULN, learner.GivenName, learner.EmailAddress) == (
        uln,
        "William",
        "will@example.org",
    )

    check = search(lrs, provider, "CHK", GivenName="WILLIAM")
    assert (check.ResponseCode, check.ULN, check.Learner) == ("WSRC0004", uln, [])


def test_find_by_demographics_possible_and_none(lrs: Any, org: Any) -> None:
    provider = org()
    existing = register(lrs, provider, GivenName="Seán", FamilyName="Murphy")
    # Same family name and date of birth, a typo'd forename, moved: maybe the same person.
    possible = search(
        lrs, provider, GivenName="Sein", FamilyName="Murphy", LastKnownPostCode="BT9 5AA"
    )
    assert (possible.ResponseCode, possible.ULN) == ("WSRC0003", None)
    assert [m.ULN for m in possible.Learner] == [existing]
    brief = search(
        lrs, provider, "CHK", GivenName="Sein", FamilyName="Murphy", LastKnownPostCode="BT9 5AA"
    )
    assert (brief.ResponseCode, brief.Learner) == ("WSRC0003", [])

    none = search(lrs, provider, GivenName="Adaeze", FamilyName="Okafor", Gender="2")
    assert (none.ResponseCode, none.ULN, none.Learner) == ("WSRC0001", None, [])


def test_find_by_demographics_too_many(lrs: Any, org: Any) -> None:
    provider = org()
    names = ["Jack", "James", "Jacob", "Joseph", "Joshua", "Jamal", "Jay", "Jude", "Jasper"]
    for name in [*names, "Jonah", "Jesse"]:
        register(lrs, provider, GivenName=name, FamilyName="Nowak")
    crowd = search(lrs, provider, GivenName="J", FamilyName="Nowak")
    assert (crowd.ResponseCode, crowd.Learner) == ("WSRC0002", [])
    narrowed = search(lrs, provider, GivenName="Jasper", FamilyName="Nowak")
    assert narrowed.ResponseCode == "WSRC0004"


def test_find_by_demographics_answers_a_linked_learner_with_the_master(
    lrs: Any, org: Any, client: TestClient
) -> None:
    provider, admin = org(), org("admin")
    master = register(lrs, provider, GivenName="Dafydd", FamilyName="Evans")
    # Registered a second time with confirm_new, which only the JSON API offers.
    r = client.post(
        "/api/v1/learners",
        headers=bearer(provider.key),
        json={"given_name": "Dafydd", "family_name": "Evans-Price", "date_of_birth": "2007-03-04",
              "gender": "1", "postcode": "SA1 1AA", "confirm_new": True,
              "reason": "thought to be a different Dafydd"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    linked = r.json()["learner"]["uln"]
    merge(client, admin, master, linked)
    found = search(
        lrs, provider, GivenName="Dafydd", FamilyName="Evans-Price", LastKnownPostCode="SA1 1AA"
    )
    assert (found.ResponseCode, found.ULN) == ("WSRC0004", master)
    [learner] = found.Learner
    assert (learner.ULN, learner.MasterSubstituted) == (master, "Y")
    assert [linked] == learner.LinkedULNs.ULN


def test_find_by_demographics_needs_names_and_birth_date_and_valid_values(
    lrs: Any, org: Any
) -> None:
    provider = org()
    thin = lrs.learnerByDemographics(
        **provider.auth(), FamilyName="Khan", PreviousFamilyName=None, SchoolAtAge16=None,
        PlaceOfBirth=None, EmailAddress=None,
    )  # fmt: skip
    assert (thin.ResponseCode, thin.FamilyName, thin.Learner) == ("WSRC0015", "Khan", [])
    with pytest.raises(zeep.exceptions.Fault) as bad:
        search(lrs, provider, DateOfBirth="15/03/2006")
    fault = miap(bad.value)
    assert (fault.code, fault.actor) == ("WSEC0001", "learnerByDemographics")
    assert "DateOfBirth" in fault.faultstring
    assert "YYYY-MM-DD" in (fault.further or "")


def test_find_needs_the_permission_to_search(lrs: Any, org: Any) -> None:
    university = org("university")
    with pytest.raises(zeep.exceptions.Fault) as refused:
        search(lrs, university)
    assert miap(refused.value).code == "WSEC0006"
    with pytest.raises(zeep.exceptions.Fault) as refused_read:
        lrs.learnerByULN(**university.auth(), ULN="2000000001")
    assert miap(refused_read.value).code == "WSEC0006"
