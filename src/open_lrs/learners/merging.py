"""Merging two ULNs that turn out to be one person, undoing it, and reporting both.

A merge never touches personal fields: it links ``linked`` to ``master`` (and re-points any
ULNs already linked to ``linked``). Unmerge reverses exactly that, so both records come back
as they were; the history of each learner shows every step.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from open_lrs.audit import service as audit
from open_lrs.core.clock import utcnow
from open_lrs.core.db import UnitOfWork
from open_lrs.core.errors import MergeRefused
from open_lrs.core.security import Actor
from open_lrs.learners import repository as repo
from open_lrs.learners.models import ACTIVE, LINKED, Learner, LearnerMerge
from open_lrs.learners.schemas import MergeEvent, MergeReport, MergeResponse
from open_lrs.organisations.permissions import Action, require


def _record_merge(
    s: Session,
    actor: Actor,
    master: Learner,
    linked: Learner,
    before_master_links: list[str],
    reason: str,
) -> None:
    """The merge in both learners' histories and in the audit log."""
    repo.add_history(
        s,
        linked,
        actor,
        "merged",
        {"status": (ACTIVE, LINKED), "master_uln": (None, master.uln)},
        reason=reason,
    )
    repo.add_history(
        s,
        master,
        actor,
        "merged_in",
        {"linked_ulns": (before_master_links, repo.linked_ulns(s, master.id))},
        reason=reason,
    )
    audit.record_many(
        s, actor, Action.LEARNER_MERGE, outcome="merged", learner_ids=[master.id, linked.id]
    )


def merge(
    uow: UnitOfWork, actor: Actor, *, master_uln: str, linked_uln: str, reason: str
) -> MergeResponse:
    require(actor, Action.LEARNER_MERGE)
    if master_uln == linked_uln:
        raise MergeRefused("A ULN cannot be merged into itself.")
    with uow:
        s = uow.session
        master_rec, master = repo.resolve(s, master_uln, for_update=True)
        linked_rec, _ = repo.resolve(s, linked_uln, for_update=True)
        if master_rec.status != ACTIVE:
            raise MergeRefused(
                f"ULN {master_uln} is itself linked to {master.uln}; merge into that master."
            )
        if linked_rec.status != ACTIVE:
            raise MergeRefused(f"ULN {linked_uln} is already linked to another ULN.")
        before_master_links = repo.linked_ulns(s, master.id)
        carried = list(s.scalars(select(Learner).where(Learner.master_id == linked_rec.id)))
        for child in carried:
            child.master_id = master.id
        linked_rec.status, linked_rec.master_id = LINKED, master.id
        now = utcnow()
        linked_rec.updated_at = master.updated_at = now
        s.flush()
        s.add(
            LearnerMerge(
                master_id=master.id,
                linked_id=linked_rec.id,
                carried_ids=[c.id for c in carried],
                reason=reason,
                merged_at=now,
                merged_by_organisation_id=actor.organisation_id,
            )
        )
        _record_merge(s, actor, master, linked_rec, before_master_links, reason)
        response = MergeResponse(
            code="merged", master=repo.to_public(s, master), linked=repo.to_public(s, linked_rec)
        )
        uow.commit()
        return response


def unmerge(uow: UnitOfWork, actor: Actor, *, linked_uln: str, reason: str) -> MergeResponse:
    require(actor, Action.LEARNER_MERGE)
    with uow:
        s = uow.session
        linked_rec, master = repo.resolve(s, linked_uln, for_update=True)
        merge_row = s.scalar(
            select(LearnerMerge)
            .where(LearnerMerge.linked_id == linked_rec.id, LearnerMerge.unmerged_at.is_(None))
            .order_by(LearnerMerge.id.desc())
        )
        if linked_rec.status != LINKED or merge_row is None:
            raise MergeRefused(f"ULN {linked_uln} is not linked to another ULN.")
        before_master_links = repo.linked_ulns(s, master.id)
        for child in s.scalars(
            select(Learner).where(
                Learner.id.in_(merge_row.carried_ids), Learner.master_id == master.id
            )
        ):
            child.master_id = linked_rec.id
        linked_rec.status, linked_rec.master_id = ACTIVE, None
        now = utcnow()
        linked_rec.updated_at = master.updated_at = now
        merge_row.unmerged_at = now
        merge_row.unmerged_by_organisation_id = actor.organisation_id
        merge_row.unmerge_reason = reason
        s.flush()
        repo.add_history(
            s,
            linked_rec,
            actor,
            "unmerged",
            {"status": (LINKED, ACTIVE), "master_uln": (master.uln, None)},
            reason=reason,
        )
        repo.add_history(
            s,
            master,
            actor,
            "unmerged_out",
            {"linked_ulns": (before_master_links, repo.linked_ulns(s, master.id))},
            reason=reason,
        )
        audit.record_many(
            s,
            actor,
            "learner.unmerge",
            outcome="unmerged",
            learner_ids=[master.id, linked_rec.id],
        )
        response = MergeResponse(
            code="unmerged", master=repo.to_public(s, master), linked=repo.to_public(s, linked_rec)
        )
        uow.commit()
        return response


def report(
    uow: UnitOfWork, actor: Actor, *, since: datetime, until: datetime | None = None
) -> MergeReport:
    """Merges and unmerges in [since, until), oldest first, for providers to mirror."""
    require(actor, Action.REPORT_MERGES)
    until = until or utcnow()
    with uow:
        s = uow.session
        rows = s.execute(
            select(LearnerMerge).where(
                or_(
                    LearnerMerge.merged_at.between(since, until),
                    LearnerMerge.unmerged_at.between(since, until),
                )
            )
        ).scalars()
        ids = set()
        pending = []
        for m in rows:
            ids.update({m.master_id, m.linked_id})
            if since <= m.merged_at < until:
                pending.append(("merged", m.master_id, m.linked_id, m.merged_at))
            if m.unmerged_at is not None and since <= m.unmerged_at < until:
                pending.append(("unmerged", m.master_id, m.linked_id, m.unmerged_at))
        ulns = (
            dict(s.execute(select(Learner.id, Learner.uln).where(Learner.id.in_(ids))).all())
            if ids
            else {}
        )
        events = sorted(
            (
                MergeEvent(event=e, master_uln=ulns[mid], linked_uln=ulns[lid], occurred_at=at)
                for e, mid, lid, at in pending
            ),
            key=lambda ev: (ev.occurred_at, ev.event),
        )
        audit.record(s, actor, Action.REPORT_MERGES, outcome="ok", details={"events": len(events)})
        uow.commit()
        return MergeReport(events=events)
