"""verifyLearner (every WSVRC code and VRF flag) and retrieveULNs (200 at once) through zeep."""

from __future__ import annotations

from typing import Any

import pytest
import zeep
from fastapi.testclient import TestClient

from tests.soap.conftest import Org, miap, person
from tests.soap.test_find import merge


def verify(lrs: Any, org: Org, **given: Any) -> Any:
    claim = {"DateOfBirth": None, "Gender": None, **given}
    answer = lrs.verifyLearner(**org.auth(), LearnerToVerify=claim)
    return answer


def test_every_verification_code_and_failure_flag(lrs: Any, org: Any, client: TestClient) -> None:
    provider, university, admin = org(), org("university"), org("admin")
    siân = person(
        GivenName="Siân",
        FamilyName="O'Neill",
        Gender="2",
        DateOfBirth="2005-04-01",
        PreviousFamilyName="Jones",
    )
    uln = lrs.registerSingleLearner(**provider.auth(), Learner=siân).ULN
    assert uln

    exact = verify(lrs, university, ULN=uln, GivenName="SIAN", FamilyName="oneill")
    assert (exact.ResponseCode, exact.ULN, exact.FailureFlag) == ("WSVRC001", uln, [])
    assert (exact.SearchedULN, exact.SearchedGivenName, exact.SearchedFamilyName) == (
        uln,
        "SIAN",
        "oneill",
    )
    assert exact.FamilyName is None  # the register's details are never returned

    typo = verify(lrs, university, ULN=uln, GivenName="Sain", FamilyName="O'Neill")
    assert (typo.ResponseCode, typo.FailureFlag) == ("WSVRC003", ["VRF1"])
    maiden = verify(lrs, university, ULN=uln, GivenName="Siân", FamilyName="Jones")
    assert (maiden.ResponseCode, maiden.FailureFlag) == ("WSVRC003", ["VRF5"])

    wrong_dob = verify(
        lrs, university, ULN=uln, GivenName="Siân", FamilyName="O'Neill",
        DateOfBirth="2005-04-02", Gender="2",
    )  # fmt: skip
    assert (wrong_dob.ResponseCode, wrong_dob.FailureFlag) == ("WSVRC005", ["VRF7"])
    assert (wrong_dob.SearchedDateOfBirth, wrong_dob.SearchedGender) == ("2005-04-02", "2")
    wrong_gender = verify(
        lrs, university, ULN=uln, GivenName="Siân", FamilyName="O'Neill", Gender="1"
    )
    assert (wrong_gender.ResponseCode, wrong_gender.FailureFlag) == ("WSVRC005", ["VRF8"])
    stranger = verify(lrs, university, ULN=uln, GivenName="Bob", FamilyName="Marley")
    assert stranger.ResponseCode == "WSVRC005"
    assert stranger.FailureFlag == ["VRF1", "VRF2", "VRF3", "VRF4", "VRF5", "VRF6"]

    nobody = verify(lrs, university, ULN="2000000001", GivenName="A", FamilyName="B")
    assert (nobody.ResponseCode, nobody.ULN, nobody.SearchedULN) == ("WSVRC006", None, "2000000001")

    other = lrs.registerSingleLearner(
        **provider.auth(), Learner=person(GivenName="Chiamaka", FamilyName="Okafor")
    ).ULN
    merge(client, admin, uln, other)
    linked = verify(lrs, university, ULN=other, GivenName="Siân", FamilyName="O'Neill")
    assert (linked.ResponseCode, linked.ULN, linked.SearchedULN) == ("WSVRC002", uln, other)
    similar = verify(lrs, university, ULN=other, GivenName="Sain", FamilyName="O'Neill")
    assert (similar.ResponseCode, similar.ULN, similar.FailureFlag) == ("WSVRC004", uln, ["VRF1"])


def test_verify_with_missing_or_invalid_details(lrs: Any, org: Any) -> None:
    university = org("university")
    thin = verify(lrs, university, ULN="2000000001")
    assert (thin.ResponseCode, thin.SearchedULN) == ("WSRC0015", "2000000001")
    nothing = lrs.verifyLearner(**university.auth())
    assert nothing.ResponseCode == "WSRC0015"
    for bad, element in [
        (
            {"ULN": "1234567890", "GivenName": "A", "FamilyName": "B"},
            "VerifyLearner/LearnerToVerify/ULN",
        ),
        (
            {"ULN": "2000000001", "GivenName": "A", "FamilyName": "B", "DateOfBirth": "1/4/2005"},
            "LearnerToVerify/DateOfBirth",
        ),
        (
            {"ULN": "2000000001", "GivenName": "A", "FamilyName": "B", "Gender": "F"},
            "LearnerToVerify/Gender",
        ),
    ]:
        with pytest.raises(zeep.exceptions.Fault) as refused:
            verify(lrs, university, **bad)
        fault = miap(refused.value)
        assert (fault.code, fault.actor) == ("WSEC0001", "verifyLearner")
        assert element in fault.faultstring


def test_retrieve_200_ulns(lrs: Any, org: Any, client: TestClient) -> None:
    provider, careers, admin = org(), org("careers_service"), org("admin")
    a = lrs.registerSingleLearner(**provider.auth(), Learner=person()).ULN
    b = lrs.registerSingleLearner(
        **provider.auth(), Learner=person(GivenName="Zofia", FamilyName="Nowak", Gender="2")
    ).ULN
    merge(client, admin, a, b)
    ulns = [a, b, "2000000001", "1234567890", *["5000000012"] * 196]
    # RetrieveULNsResponse holds one RetrievedULNs: zeep answers its VerifiedULN list.
    results = lrs.retrieveULNs(**careers.auth(), ULNsToRetrieve={"ULN": ulns})
    assert len(results) == 200
    assert [(r.ULN, r.MasterULN, r.ResponseCode) for r in results[:4]] == [
        (a, a, "WSRC0004"),
        (b, a, "WSRC0022"),
        ("2000000001", None, "WSRC0001"),
        ("1234567890", None, "WSEC0136"),
    ]
    assert {r.ResponseCode for r in results[4:]} == {"WSRC0001"}
    assert all(r.FamilyName is None and r.DateOfBirth is None for r in results)


def test_retrieve_refuses_none_or_more_than_200(lrs: Any, org: Any) -> None:
    provider = org()
    for ulns, words in [([], "at least 1"), (["2000000001"] * 201, "at most 200")]:
        with pytest.raises(zeep.exceptions.Fault) as refused:
            lrs.retrieveULNs(**provider.auth(), ULNsToRetrieve={"ULN": ulns})
        fault = miap(refused.value)
        assert (fault.code, fault.actor) == ("WSEC0001", "retrieveULNs")
        assert "ULNsToRetrieve/ULN" in fault.faultstring
        assert words in (fault.further or "")
    with pytest.raises(zeep.exceptions.Fault) as long_one:
        lrs.retrieveULNs(**provider.auth(), ULNsToRetrieve={"ULN": ["2000000001", "9" * 30]})
    assert "RetrieveULNs/ULNsToRetrieve/ULN[2]" in miap(long_one.value).faultstring
