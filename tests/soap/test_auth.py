"""Credentials as the interface carries them: UKPRN names the organisation, OrgPassword is one
of its API keys, UserName is recorded as who acted."""

from __future__ import annotations

from typing import Any

import pytest
import zeep
from sqlalchemy import select

from open_lrs.audit.models import AuditEvent
from open_lrs.core.db import Database
from open_lrs.organisations import service as orgs
from open_lrs.organisations.models import Organisation
from tests.soap.conftest import miap, person


def refused(call: Any) -> Any:
    with pytest.raises(zeep.exceptions.Fault) as fault:
        call()
    return miap(fault.value)


def test_wrong_missing_or_foreign_credentials_are_wsec0005(lrs: Any, org: Any) -> None:
    mine, theirs = org(), org()
    cases = [
        {**mine.auth(), "OrgPassword": mine.key[:-1] + ("A" if mine.key[-1] != "A" else "B")},
        {**mine.auth(), "OrgPassword": "Passw0rd1234567"},  # an LRS-style password
        {**mine.auth(), "OrgPassword": None},
        {**mine.auth(), "OrgPassword": theirs.key},  # a real key, of another organisation
        {**mine.auth(), "UKPRN": "99999999"},  # an organisation that does not exist
        {**mine.auth(), "UKPRN": None},
    ]
    for credentials in cases:
        fault = refused(lambda c=credentials: lrs.learnerByULN(**c, ULN="2000000001"))
        assert (fault.faultcode, fault.code, fault.actor) == (
            "s:Client",
            "WSEC0005",
            "learnerByULN",
        )
        assert "API key" in fault.faultstring
    theirs_own = lrs.learnerByULN(**theirs.auth(), ULN="2000000001")
    assert theirs_own.ResponseCode == "WSRC0001"


def test_a_revoked_key_is_refused(lrs: Any, org: Any, db: Database) -> None:
    provider = org()
    assert lrs.learnerByULN(**provider.auth(), ULN="2000000001").ResponseCode == "WSRC0001"
    [key] = orgs.list_keys(db.unit_of_work(), ukprn=provider.ukprn)
    orgs.revoke_key(db.unit_of_work(), ukprn=provider.ukprn, key_id=key.id)
    fault = refused(lambda: lrs.learnerByULN(**provider.auth(), ULN="2000000001"))
    assert fault.code == "WSEC0005"


def test_a_kind_of_organisation_not_allowed_is_wsec0006(lrs: Any, org: Any) -> None:
    university = org("university")
    fault = refused(lambda: lrs.registerSingleLearner(**university.auth(), Learner=person()))
    assert (fault.faultcode, fault.code, fault.actor) == (
        "s:Client",
        "WSEC0006",
        "registerSingleLearner",
    )
    assert "university" in fault.faultstring
    # What a university may do, it does.
    check = lrs.verifyLearner(
        **university.auth(),
        LearnerToVerify={"ULN": "2000000001", "GivenName": "A", "FamilyName": "B",
                         "DateOfBirth": None, "Gender": None},
    )  # fmt: skip
    assert check.ResponseCode == "WSVRC006"


def test_the_user_name_is_recorded_in_the_audit_log(lrs: Any, org: Any, db: Database) -> None:
    provider = org()
    uln = lrs.registerSingleLearner(**provider.auth("Jane Doe (Admissions)"), Learner=person()).ULN
    lrs.learnerByULN(**provider.auth("j\tsmith\n" + "x" * 200), ULN=uln)
    lrs.learnerByULN(**{**provider.auth(), "UserName": None}, ULN=uln)
    with db.session_factory() as s:
        mine = s.execute(
            select(AuditEvent.action, AuditEvent.user_label)
            .join(Organisation, Organisation.id == AuditEvent.organisation_id)
            .where(Organisation.ukprn == provider.ukprn, AuditEvent.api_key_id.is_not(None))
            .order_by(AuditEvent.id)
        ).all()
    assert [tuple(row) for row in mine] == [
        ("learner.register", "Jane Doe (Admissions)"),
        ("learner.read", "j smith " + "x" * 92),  # one line, cut to the column's 100
        ("learner.read", None),  # no UserName: the API key alone is recorded
    ]
