"""LearnerByUln, UpdateLearnerSubsetFields and GetOrganisation through zeep loaded from the
unmodified LearnerServiceR9.wsdl, and the R9 credentials (``invokingOrganisation``) with their
DomainFaults."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from open_lrs.core.db import Database
from tests.api.conftest import bearer
from tests.soap import r9_data as data
from tests.soap.conftest import Org, r9_auth, r9_refused


def by_uln(r9: Any, org: Org, uln: str | None, find_type: str | None = "FUL") -> Any:
    return r9.LearnerByUln(
        **r9_auth(org), uln=uln, givenName="Given", familyName="Family", findType=find_type
    )


def json_learner(client: TestClient, org: Org, uln: str) -> dict[str, Any]:
    r = client.get(f"/api/v1/learners/{uln}", headers=bearer(org.key))
    assert r.status_code == 200, r.text
    learner: dict[str, Any] = r.json()["learner"]
    return learner


# LearnerByUln ------------------------------------------------------------------------------


def test_learner_by_uln_answers_the_learner_in_r9s_shape(
    r9: Any, org: Any, db: Database, client: TestClient
) -> None:
    provider = org()
    learner = data.register(
        db,
        provider,
        title="Ms",
        middle_other_name="Jane",
        family_name_at_age_16="Lee",
        school_at_age_16="Riverside School",
        email="a.learner@example.org",
        verification_type="999",
        other_verification_description="Seen a bank card",
        date_of_address_capture="2024-09-01",
    )
    uln = learner.learner.uln
    found = by_uln(r9, provider, uln)
    assert (found.ResponseCode, found.Uln, found.GivenName, found.FamilyName) == (
        "WSRC0004",
        uln,
        "Given",  # echoed, not checked, as learnerByULN does
        "Family",
    )
    mine = json_learner(client, provider, uln)
    got = found.Learner
    text = {
        "Uln": "uln",
        "Title": "title",
        "GivenName": "given_name",
        "MiddleOtherName": "middle_other_name",
        "FamilyName": "family_name",
        "FamilyNameAt16": "family_name_at_age_16",
        "SchoolAtAge16": "school_at_age_16",
        "LastKnownAddressLine1": "address_line_1",
        "LastKnownPostCode": "postcode",
        "EmailAddress": "email",
        "OtherVerificationDescription": "other_verification_description",
    }
    assert {e: got[e] for e in text} == {e: mine[f] for e, f in text.items()}
    assert (got.Gender, got.AbilityToShare, got.VerificationType, got.VersionNumber) == (
        int(mine["gender"]),
        1,
        999,
        mine["version"],
    )
    assert got.DateOfBirth == datetime.fromisoformat(mine["date_of_birth"])
    assert got.DateOfAddressCapture == datetime(2024, 9, 1)
    assert got.CreatedDate == datetime.fromisoformat(mine["created_at"])
    assert (got.LinkedUlns, got.TelephoneNumber, got.TierLevel) == (None, None, None)

    brief = by_uln(r9, provider, uln, "CHK")
    assert (brief.ResponseCode, brief.Uln, brief.Learner) == ("WSRC0004", uln, None)


def test_learner_by_uln_linked_unknown_missing_and_invalid(r9: Any, org: Any, db: Database) -> None:
    provider, admin = org(), org("admin")
    master, linked = data.register(db, provider), data.register(db, provider)
    data.merge(db, admin, master, linked)
    found = by_uln(r9, provider, linked.learner.uln)
    assert (found.ResponseCode, found.Uln) == ("WSRC0022", master.learner.uln)
    assert (found.Learner.Uln, found.Learner.LinkedUlns.string) == (
        master.learner.uln,
        [linked.learner.uln],
    )
    unknown = by_uln(r9, provider, "2000000001")
    assert (unknown.ResponseCode, unknown.Uln, unknown.Learner) == ("WSRC0001", "2000000001", None)
    assert by_uln(r9, provider, None).ResponseCode == "WSRC0015"
    invalid = r9_refused(lambda: by_uln(r9, provider, "1234567890"))
    assert (invalid.faultcode, invalid.code) == ("s:Client", "WSEC0136")
    wrong_type = r9_refused(lambda: by_uln(r9, provider, master.learner.uln, "ALL"))
    assert wrong_type.code == "WSEC0001"
    assert "LearnerByUln/findType must be FUL or CHK" in wrong_type.faultstring


# UpdateLearnerSubsetFields -----------------------------------------------------------------


def update(r9: Any, org: Org, uln: str | None, version: int, **fields: Any) -> str:
    values = {
        "emailAddress": None,
        "telephoneNumber": None,
        "abilityToShare": "NotProvided",
        "schoolAtAge16": None,
        "preferredGivenName": None,
    }
    values.update(fields)
    result: str = r9.UpdateLearnerSubsetFields(
        **r9_auth(org, user="Jane Doe"), uln=uln, versionNumber=version, **values
    )
    return result


def test_update_subset_fields_changes_only_what_is_sent(
    r9: Any, org: Any, db: Database, client: TestClient
) -> None:
    provider = org()
    learner = data.register(
        db, provider, ability_to_share="0", school_at_age_16="Old School", email="old@example.org"
    )
    uln = learner.learner.uln
    before = json_learner(client, provider, uln)
    version = by_uln(r9, provider, uln).Learner.VersionNumber
    result = update(
        r9,
        provider,
        uln,
        version,
        emailAddress="new@example.org",
        telephoneNumber="029 2000 0000",
        abilityToShare="FPNSeenShareData",
        schoolAtAge16="",  # empty clears
        preferredGivenName=None,  # nil leaves it as it is
    )
    assert result == "WSRC0006"
    after = json_learner(client, provider, uln)
    assert (after["email"], after["ability_to_share"], after["school_at_age_16"]) == (
        "new@example.org",
        "1",
        None,
    )
    unchanged = set(before) - {"email", "ability_to_share", "school_at_age_16", "version",
                               "updated_at"}  # fmt: skip
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    assert after["version"] == version + 1
    history = client.get(f"/api/v1/learners/{uln}/history", headers=bearer(provider.key)).json()
    assert (history[-1]["user_label"], sorted(history[-1]["changes"])) == (
        "Jane Doe",
        ["ability_to_share", "email", "school_at_age_16"],
    )

    # The same again is no change, as is a telephone number (not held); the version read
    # before is now stale.
    assert update(r9, provider, uln, version + 1, emailAddress="new@example.org") == "WSRC0020"
    assert update(r9, provider, uln, version + 1, telephoneNumber="07700 900123") == "WSRC0020"
    assert update(r9, provider, uln, version, preferredGivenName="Jo") == "WSRC0013"
    assert json_learner(client, provider, uln)["preferred_given_name"] is None
    # NotProvided leaves AbilityToShare; FPNNotSeen sets 0.
    assert update(r9, provider, uln, version + 1, abilityToShare="FPNNotSeen") == "WSRC0006"
    assert json_learner(client, provider, uln)["ability_to_share"] == "0"


def test_update_subset_fields_refusals(r9: Any, org: Any, db: Database) -> None:
    provider, university = org(), org("university")
    uln = data.register(db, provider).learner.uln
    assert update(r9, provider, "2000000001", 1, emailAddress="a@example.org") == "WSRC0019"
    assert update(r9, provider, None, 1) == "WSRC0015"
    bad = r9_refused(lambda: update(r9, provider, uln, 1, emailAddress="not an address"))
    assert (bad.faultcode, bad.code) == ("s:Client", "WSEC0001")
    assert "UpdateLearnerSubsetFields/emailAddress" in bad.faultstring
    assert "\nUpdateLearnerSubsetFields/emailAddress: " in bad.detail
    long_name = r9_refused(lambda: update(r9, provider, uln, 1, preferredGivenName="x" * 36))
    assert "\nUpdateLearnerSubsetFields/preferredGivenName: " in long_name.detail
    zero = r9_refused(lambda: update(r9, provider, uln, 0, emailAddress="a@example.org"))
    assert "\nUpdateLearnerSubsetFields/versionNumber: " in zero.detail
    invalid = r9_refused(lambda: update(r9, provider, "1234567890", 1))
    assert invalid.code == "WSEC0136"
    forbidden = r9_refused(lambda: update(r9, university, uln, 1, emailAddress="a@example.org"))
    assert (forbidden.code, "operation: UpdateLearnerSubsetFields") == (
        "WSEC0006",
        forbidden.detail.splitlines()[0],
    )


# GetOrganisation ---------------------------------------------------------------------------


def organisation(r9: Any, org: Org, ukprn: str | None = None, ref: str | None = None) -> Any:
    return r9.GetOrganisation(**r9_auth(org), ukPrn=ukprn, orgRef=ref)


def test_get_organisation_answers_ours_or_the_one_named(r9: Any, org: Any) -> None:
    provider, awarder = org(), org("awarding_organisation")
    own = organisation(r9, provider)
    assert (own.ResponseCode, own.DisplayName, own.Ukprn, own.Status, own.OrgRef) == (
        "WSRC0004",
        "Test provider",
        provider.ukprn,
        "active",
        None,
    )
    named = organisation(r9, provider, awarder.ukprn, ref="ignored when ukPrn is sent")
    assert (named.ResponseCode, named.DisplayName, named.Ukprn) == (
        "WSRC0004",
        "Test awarding_organisation",
        awarder.ukprn,
    )
    # A university may ask too: names and UKPRNs are public.
    assert organisation(r9, org("university"), provider.ukprn).Ukprn == provider.ukprn


def test_get_organisation_unknown_or_malformed(r9: Any, org: Any) -> None:
    provider = org()
    unknown = organisation(r9, provider, "99999999")
    assert (unknown.ResponseCode, unknown.Ukprn, unknown.DisplayName) == (
        "WSRC0001",
        "99999999",
        None,
    )
    bad = r9_refused(lambda: organisation(r9, provider, "1234"))
    assert (bad.code, "\nGetOrganisation/ukPrn: must be exactly 8 digits\n" in bad.detail) == (
        "WSEC0001",
        True,
    )
    by_ref = r9_refused(lambda: organisation(r9, provider, None, "ORG123"))
    assert by_ref.code == "WSEC0001"
    assert "orgRef is not used" in by_ref.faultstring


# Credentials -------------------------------------------------------------------------------

CALLS = {
    "GetLearnerLearningEvents": lambda r9, auth: r9.GetLearnerLearningEvents(
        **{k: v for k, v in auth.items() if k != "vendorId"}, vendorID=1,
        uln="2000000001", givenName="A", familyName="B", dateOfBirth=None, gender=None,
        getType="FULL",
    ),
    "LearnerByUln": lambda r9, auth: r9.LearnerByUln(
        **auth, uln="2000000001", givenName="A", familyName="B", findType="FUL"
    ),
    "UpdateLearnerSubsetFields": lambda r9, auth: r9.UpdateLearnerSubsetFields(
        **auth, uln="2000000001", versionNumber=1, emailAddress=None, telephoneNumber=None,
        abilityToShare="NotProvided", schoolAtAge16=None, preferredGivenName=None,
    ),
    "GetOrganisation": lambda r9, auth: r9.GetOrganisation(**auth, ukPrn=None, orgRef=None),
    "ViewAudit": lambda r9, auth: r9.ViewAudit(
        **auth, learnerUln="2000000001", learnerGivenName="A", learnerFamilyName="B", page=1
    ),
}  # fmt: skip


@pytest.mark.parametrize("operation", sorted(CALLS))
def test_wrong_missing_or_foreign_credentials_are_wsec0005(
    r9: Any, org: Any, operation: str
) -> None:
    mine, theirs = org(), org()
    call = CALLS[operation]
    invoking = r9_auth(mine)["invokingOrganisation"]
    for wrong in (
        {**invoking, "Password": mine.key[:-1] + ("A" if mine.key[-1] != "A" else "B")},
        {**invoking, "Password": theirs.key},  # a real key, of another organisation
        {**invoking, "Ukprn": theirs.ukprn},
        {**invoking, "Password": None},
        None,  # invokingOrganisation nil
    ):
        fault = r9_refused(lambda w=wrong: call(r9, {**r9_auth(mine), "invokingOrganisation": w}))
        assert (fault.faultcode, fault.code) == ("s:Client", "WSEC0005")
        assert "invokingOrganisation/Ukprn and invokingOrganisation/Password" in fault.faultstring
        assert fault.detail.startswith(f"operation: {operation}\n")
        assert "\nrequest id: " in fault.detail
    # The right credentials are answered (ViewAudit's answer for an unknown ULN is a fault).
    if operation == "ViewAudit":
        assert r9_refused(lambda: call(r9, r9_auth(mine))).code == "WSRC0001"
    else:
        call(r9, r9_auth(mine))


def test_the_user_name_is_recorded_and_a_kind_not_allowed_is_wsec0006(
    r9: Any, org: Any, db: Database, client: TestClient
) -> None:
    provider, university = org(), org("university")
    uln = data.register(db, provider).learner.uln
    version = by_uln(r9, provider, uln).Learner.VersionNumber
    assert update(r9, provider, uln, version, emailAddress="x@example.org") == "WSRC0006"
    history = client.get(f"/api/v1/learners/{uln}/history", headers=bearer(provider.key)).json()
    assert history[-1]["user_label"] == "Jane Doe"
    fault = r9_refused(lambda: by_uln(r9, university, uln))
    assert (fault.faultcode, fault.code) == ("s:Client", "WSEC0006")
    assert "university" in fault.faultstring
