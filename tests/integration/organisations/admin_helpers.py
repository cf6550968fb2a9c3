"""People of organisations for the administrators' tests, and what the database holds of them:
their users, sign-in sessions and audit events."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from open_lrs.audit.models import AuditEvent
from open_lrs.core.clock import utcnow
from open_lrs.core.db import Database
from open_lrs.core.security import Actor
from open_lrs.organisations import service, users
from open_lrs.organisations.models import User
from open_lrs.organisations.sessions import SIGNED_IN, PortalSession
from open_lrs.portal.auth import new_token, token_digest
from tests.conftest import OrgFactory

PASSWORD = "correct horse battery staple"


class People:
    """Users of organisations, and the actors they are when they sign in."""

    def __init__(self, db: Database, make_org: OrgFactory) -> None:
        self.db = db
        self.make_org = make_org
        self.count = 0

    def add(self, role: str, ukprn: str | None = None) -> tuple[Actor, int]:
        """A user (of a new provider unless ``ukprn``): their actor and id."""
        if ukprn is None:
            ukprn = self.make_org()[0].ukprn
        self.count += 1
        info = users.add_user(
            self.db.unit_of_work(),
            ukprn=ukprn,
            email=f"admin{self.count}.{ukprn}@example.org",
            display_name=f"Person {self.count}",
            role=role,
            password=PASSWORD,
            change_required=False,
        )
        org_actor = service.system_actor(self.db.unit_of_work(), ukprn)
        actor = Actor(
            organisation_id=org_actor.organisation_id,
            organisation_kind=org_actor.organisation_kind,
            ukprn=ukprn,
            user_id=info.id,
            user_label=info.display_name,
            role=role,
        )
        return actor, info.id


def user_of(session: Session, user_id: int) -> User:
    found = session.get(User, user_id)
    assert found is not None
    return found


def sign_in_session(db: Database, user_id: int) -> None:
    with db.unit_of_work() as uow:
        uow.session.add(
            PortalSession(
                token_digest=token_digest(new_token()),
                user_id=user_id,
                stage=SIGNED_IN,
                created_at=utcnow(),
                last_seen_at=utcnow(),
                data={},
            )
        )
        uow.commit()


def sessions_of(db: Database, user_id: int) -> int:
    with db.unit_of_work() as uow:
        return len(
            uow.session.scalars(
                select(PortalSession.id).where(PortalSession.user_id == user_id)
            ).all()
        )


def audit_of(db: Database, actor: Actor, action: str) -> list[tuple[str, dict[str, object]]]:
    with db.unit_of_work() as uow:
        rows = uow.session.execute(
            select(AuditEvent.outcome, AuditEvent.details, AuditEvent.user_id)
            .where(AuditEvent.organisation_id == actor.organisation_id)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.id)
        ).all()
    assert all(user_id == actor.user_id for _, _, user_id in rows)
    return [(outcome, details) for outcome, details, _ in rows]
