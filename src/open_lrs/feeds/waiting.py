"""The feed-exceptions queue as a load sees it: queueing awards whose learner is unsettled,
letting them go when a load settles them, and remembering what a person decided.

A person's decision holds for the award it was made on: loading the same return again (as
providers do every month) files a resolved award on the learner the person chose, and leaves a
dismissed one dismissed, as long as the feed still says the same thing about it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from open_lrs.core.bulk import chunks
from open_lrs.core.clock import utcnow
from open_lrs.feeds import identify
from open_lrs.feeds.models import DISMISSED, OPEN, RESOLVED, FeedException, FeedLoad
from open_lrs.feeds.types import Award, award_to_json


def _exceptions(
    s: Session, load: FeedLoad, keys: Sequence[str], statuses: tuple[str, ...]
) -> dict[str, FeedException]:
    """The latest exception of each key in one of ``statuses``."""
    found: dict[str, FeedException] = {}
    for chunk in chunks(keys, 500):
        found.update(
            (e.record_key, e)
            for e in s.scalars(
                select(FeedException)
                .where(
                    FeedException.source == load.source,
                    FeedException.organisation_id == load.organisation_id,
                    FeedException.status.in_(statuses),
                    FeedException.record_key.in_(chunk),
                )
                .order_by(FeedException.id)
            )
        )
    return found


@dataclass(frozen=True)
class Decided:
    """Unsettled awards a person has already decided on: those to file on the learner the
    person chose, and how many were dismissed before and are unchanged since."""

    filed: list[tuple[Award, int]]
    dismissed: list[Award]


def decided(s: Session, load: FeedLoad, awards: Sequence[Award]) -> Decided:
    past = _exceptions(s, load, [a.record_key for a in awards], (RESOLVED, DISMISSED))
    filed: list[tuple[Award, int]] = []
    dismissed: list[Award] = []
    for award in awards:
        earlier = past.get(award.record_key)
        if earlier is None:
            continue
        now: dict[str, Any] = award_to_json(award)
        if (
            earlier.status == RESOLVED
            and earlier.resolved_learner_id is not None
            and earlier.award["learner"] == now["learner"]
        ):
            filed.append((award, earlier.resolved_learner_id))
        elif earlier.status == DISMISSED and _same(earlier.award, now):
            dismissed.append(award)
    return Decided(filed, dismissed)


def _same(before: dict[str, Any], now: dict[str, Any]) -> bool:
    """The same award, wherever it sat in the file."""
    return {k: v for k, v in before.items() if k != "line"} == {
        k: v for k, v in now.items() if k != "line"
    }


def queue(
    s: Session, load: FeedLoad, unsettled: Sequence[tuple[Award, identify.Identified]]
) -> None:
    """Queue awards whose learner is unsettled; an award already waiting (the same file loaded
    again) is refreshed, not queued twice."""
    latest = {award.record_key: (award, why) for award, why in unsettled}
    waiting = _exceptions(s, load, list(latest), (OPEN,))
    for award, why in latest.values():
        values = {
            "feed_load_id": load.id,
            "line": award.line,
            "reason": why.reason or identify.NO_MATCH,
            "message": why.message,
            "award": award_to_json(award),
            "candidate_ulns": why.candidate_ulns,
        }
        if (existing := waiting.get(award.record_key)) is not None:
            for name, value in values.items():
                setattr(existing, name, value)
        else:
            s.add(
                FeedException(
                    source=load.source,
                    organisation_id=load.organisation_id,
                    record_key=award.record_key,
                    status=OPEN,
                    **values,
                )
            )


def release(s: Session, load: FeedLoad, filed: Sequence[tuple[Award, int]]) -> None:
    """Awards that were waiting and are now filed (their learner registered since, or their
    details corrected in this load) leave the queue."""
    waiting = _exceptions(s, load, [award.record_key for award, _ in filed], (OPEN,))
    learner_of = {award.record_key: learner_id for award, learner_id in filed}
    for key, exception in waiting.items():
        exception.status = RESOLVED
        exception.resolved_at = utcnow()
        exception.resolved_by = f"feed load {load.id}"
        exception.resolved_learner_id = learner_of[key]
