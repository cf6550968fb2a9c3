"""Filing a feed's awards on learners' records: idempotent, superseding, with a report.

Each award is checked against the catalogue (the code must be known) and its grade against the
qualification type, then filed on the learner that ``identify`` settles. An award is keyed by
its source, the organisation that sent it and its ``record_key``:

* no current event with the key: a new event (``loaded``);
* the same content as the current event: nothing changes (``unchanged``), so loading a file
  twice changes nothing;
* different content: a new event supersedes the old one (``superseded``), which keeps its
  content and gains only the time it was superseded. A provisional result never replaces a
  final one.

Awards whose learner the machine cannot settle wait in the feed-exceptions queue
(``unmatched``, ``feeds.waiting``), unless a person has already decided on that same award;
records that can never be filed are ``rejected`` with the reason.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from open_lrs.audit import service as audit
from open_lrs.core.bulk import chunks, insert_many
from open_lrs.core.clock import utcnow
from open_lrs.core.db import UnitOfWork
from open_lrs.core.security import Actor
from open_lrs.feeds import identify, waiting
from open_lrs.feeds.models import FeedLoad
from open_lrs.feeds.types import Award, FeedFile, RecordProblem
from open_lrs.organisations.permissions import Action, require
from open_lrs.records import grades
from open_lrs.records.catalogue import current_entries
from open_lrs.records.kinds import ACHIEVEMENT, FINAL, PROVISIONAL
from open_lrs.records.models import CatalogueEntry, DataChallenge, LearningEvent

ACTIONS = {"ILR": Action.FEED_ILR, "AO": Action.FEED_AWARDS, "NPD": Action.FEED_SCHOOL}
# Feeds that carry a learner's full details, so a ULN that fails can be looked up by them.
_BY_DEMOGRAPHICS = frozenset({"ILR", "NPD"})
_MAX_PROBLEMS_KEPT = 1000
# The fields that make an award what it is: a change in any of them is a new version.
_CONTENT = (
    "kind",
    "subject_code",
    "status",
    "grade",
    "award_date",
    "participation_start",
    "participation_end",
    "provider_ukprn",
    "awarding_organisation_ukprn",
    "credits",
    "language",
)


@dataclass
class LoadReport:
    load_id: int
    source: str
    records: int
    loaded: int = 0
    superseded: int = 0
    unchanged: int = 0
    rejected: int = 0
    unmatched: int = 0
    problems: list[RecordProblem] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "records": self.records,
            "loaded": self.loaded,
            "superseded": self.superseded,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "unmatched": self.unmatched,
        }


@dataclass(frozen=True)
class Checked:
    """An award that the catalogue knows, with its canonical grade."""

    award: Award
    entry: CatalogueEntry
    grade: str | None


def _problem(award: Award, column: str, message: str, code: str) -> RecordProblem:
    return RecordProblem(award.line, f"{award.record_key}: {column}", message, code)


def check_award(award: Award, entry: CatalogueEntry | None) -> Checked | RecordProblem:
    if entry is None:
        return _problem(
            award,
            "SubjectCode",
            f'"{award.subject_code}" is not in the qualification and unit catalogue',
            "unknown_subject",
        )
    if award.qualification_type and award.qualification_type != entry.qualification_type:
        return _problem(
            award,
            "QualificationType",
            f"{award.qualification_type} disagrees with the catalogue, which lists "
            f"{award.subject_code} as {entry.qualification_type}",
            "type_mismatch",
        )
    grade = award.grade
    if grade is not None and award.kind == ACHIEVEMENT:
        try:
            grade = grades.normalise_grade(entry.qualification_type, grade)
        except ValueError as exc:
            return _problem(award, "Grade", str(exc), "invalid_grade")
    if award.kind == ACHIEVEMENT and award.award_date is None:
        return _problem(award, "AwardDate", "an achievement needs its award date", "missing")
    return Checked(award, entry, grade)


def _check_all(s: Session, awards: Sequence[Award], report: LoadReport) -> list[Checked]:
    entries = current_entries(s, (a.subject_code for a in awards))
    checked: list[Checked] = []
    for award in awards:
        result = check_award(award, entries.get(award.subject_code))
        if isinstance(result, RecordProblem):
            report.problems.append(result)
        else:
            checked.append(result)
    return checked


def _rounds(filed: Sequence[tuple[Checked, int]]) -> list[list[tuple[Checked, int]]]:
    """Awards in the order they must be filed: an award whose key comes again later in the
    same load (a provisional result, then the final one) is filed before its successor, which
    then supersedes it, exactly as if the two had come in two loads."""
    rounds: list[list[tuple[Checked, int]]] = []
    seen: dict[str, int] = {}
    for item in filed:
        n = seen.get(item[0].award.record_key, 0)
        seen[item[0].award.record_key] = n + 1
        if n == len(rounds):
            rounds.append([])
        rounds[n].append(item)
    return rounds


def content_hash(learner_id: int, award: Award, grade: str | None) -> str:
    content: dict[str, Any] = {name: getattr(award, name) for name in _CONTENT}
    content |= {"learner_id": learner_id, "grade": grade}
    canonical = json.dumps(content, sort_keys=True, default=date.isoformat)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _event_row(load: FeedLoad, item: Checked, learner_id: int, digest: str) -> dict[str, Any]:
    award, entry = item.award, item.entry
    return {
        "learner_id": learner_id,
        "feed_load_id": load.id,
        "source": load.source,
        "organisation_id": load.organisation_id,
        "record_key": award.record_key,
        "kind": award.kind,
        "catalogue_entry_id": entry.id,
        "subject_code": entry.code,
        "subject_title": entry.title,
        "qualification_type": entry.qualification_type,
        "level": entry.level,
        "credits": award.credits if award.credits is not None else entry.credits,
        "grade": item.grade,
        "status": award.status,
        "awarding_organisation_ukprn": award.awarding_organisation_ukprn,
        "awarding_organisation_name": entry.awarding_organisation_name,
        "provider_ukprn": award.provider_ukprn,
        "award_date": award.award_date,
        "participation_start": award.participation_start,
        "participation_end": award.participation_end,
        "language": award.language,
        "collection_type": award.collection_type,
        "return_number": award.return_number,
        "content_hash": digest,
        "loaded_at": load.received_at,
        "supersedes_id": None,
        "superseded_at": None,
    }


def _current(s: Session, load: FeedLoad, keys: Sequence[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for chunk in chunks(keys, 500):
        rows = s.execute(
            select(
                LearningEvent.id,
                LearningEvent.record_key,
                LearningEvent.content_hash,
                LearningEvent.status,
            ).where(
                LearningEvent.source == load.source,
                LearningEvent.organisation_id == load.organisation_id,
                LearningEvent.record_key.in_(chunk),
                LearningEvent.superseded_at.is_(None),
            )
        )
        found.update((row.record_key, row) for row in rows)
    return found


def file_awards(
    s: Session, load: FeedLoad, filed: Sequence[tuple[Checked, int]], report: LoadReport
) -> None:
    """File each checked award on its learner (the id given with it); never commits."""
    current = _current(s, load, [item.award.record_key for item, _ in filed])
    new_rows: list[dict[str, Any]] = []
    replaced: list[int] = []
    for item, learner_id in filed:
        digest = content_hash(learner_id, item.award, item.grade)
        old = current.get(item.award.record_key)
        if old is not None and old.content_hash == digest:
            report.unchanged += 1
            continue
        if old is not None and old.status == FINAL and item.award.status == PROVISIONAL:
            report.problems.append(
                _problem(
                    item.award,
                    "Status",
                    "a provisional result cannot replace the final result already recorded",
                    "provisional_after_final",
                )
            )
            continue
        row = _event_row(load, item, learner_id, digest)
        if old is not None:
            row["supersedes_id"] = old.id
            replaced.append(old.id)
            report.superseded += 1
        else:
            report.loaded += 1
        new_rows.append(row)
    _supersede(s, replaced, load)
    insert_many(s.connection(), LearningEvent, new_rows)


def _supersede(s: Session, event_ids: Sequence[int], load: FeedLoad) -> None:
    """Mark events superseded (before their successors are inserted: only one event per key may
    be current) and close the challenges to them: the source has corrected the record."""
    now = utcnow()
    for chunk in chunks(event_ids, 500):
        s.execute(
            update(LearningEvent).where(LearningEvent.id.in_(chunk)).values(superseded_at=now)
        )
        s.execute(
            update(DataChallenge)
            .where(DataChallenge.event_id.in_(chunk), DataChallenge.resolved_at.is_(None))
            .values(
                resolution="corrected",
                resolution_note=f"superseded by feed load {load.id}",
                resolved_at=now,
                resolved_by_organisation_id=load.organisation_id,
            )
        )


def _records_refused(problems: Sequence[RecordProblem]) -> int:
    """How many records the reader refused: a record may have several problems, all on its
    line (a problem without a line is a record of its own)."""
    lines = [p.line for p in problems]
    return len({line for line in lines if line is not None}) + lines.count(None)


def lock(s: Session, load: FeedLoad) -> None:
    """One load at a time per source and organisation on PostgreSQL (SQLite has one writer), so
    two loads of one file cannot both file the same award."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
            {"k": f"feed:{load.source}:{load.organisation_id}"},
        )


def _new_load(
    s: Session, actor: Actor, feed: FeedFile, *, file_name: str | None, sha256: str | None
) -> FeedLoad:
    """The load's row, added and locked (``lock``), its counts and problems still to come."""
    load = FeedLoad(
        source=feed.source,
        organisation_id=actor.organisation_id,
        api_key_id=actor.api_key_id,
        user_label=actor.user_label,
        file_name=file_name,
        sha256=sha256,
        received_at=utcnow(),
        counts={},
        problems=[],
        details=dict(feed.details),
    )
    s.add(load)
    s.flush()
    lock(s, load)
    return load


def _file_feed(
    s: Session,
    actor: Actor,
    feed: FeedFile,
    model_version: str,
    *,
    file_name: str | None,
    sha256: str | None,
) -> LoadReport:
    """Check, settle and file every award of ``feed``, and store its report (``load``'s work);
    learners found by their details are scored by the model of ``model_version``."""
    load = _new_load(s, actor, feed, file_name=file_name, sha256=sha256)
    records = len(feed.awards) + _records_refused(feed.problems)
    report = LoadReport(load_id=load.id, source=feed.source, records=records)
    report.problems.extend(feed.problems)
    checked = _check_all(s, feed.awards, report)
    settled = identify.identify(
        s,
        [c.award.learner for c in checked],
        model_version,
        by_demographics=feed.source in _BY_DEMOGRAPHICS,
    )
    filed = [
        (c, int(who.learner_id)) for c in checked if (who := settled[c.award.learner]).learner_id
    ]
    unsettled = [(c, who) for c in checked if (who := settled[c.award.learner]).learner_id is None]
    by_key = {c.award.record_key: c for c, _ in unsettled}
    past = waiting.decided(s, load, [c.award for c, _ in unsettled])
    filed += [(by_key[award.record_key], learner_id) for award, learner_id in past.filed]
    done = {a.record_key for a, _ in past.filed} | {a.record_key for a in past.dismissed}
    unsettled = [(c, who) for c, who in unsettled if c.award.record_key not in done]
    report.unchanged += len(past.dismissed)
    for round_ in _rounds(filed):
        file_awards(s, load, round_, report)
    waiting.release(s, load, [(c.award, learner_id) for c, learner_id in filed])
    waiting.queue(s, load, [(c.award, who) for c, who in unsettled])
    report.unmatched = len(unsettled)
    filed_count = report.loaded + report.superseded + report.unchanged + report.unmatched
    report.rejected = report.records - filed_count
    load.counts = report.counts()
    load.problems = [asdict(p) for p in report.problems[:_MAX_PROBLEMS_KEPT]]
    audit.record(
        s,
        actor,
        ACTIONS[feed.source],
        outcome="loaded",
        details={"feed_load_id": load.id, **report.counts()},
    )
    return report


def load(
    uow: UnitOfWork,
    actor: Actor,
    feed: FeedFile,
    model_version: str,
    *,
    file_name: str | None = None,
    sha256: str | None = None,
) -> LoadReport:
    """File ``feed``'s awards; learners found by their details are scored by the model of
    ``model_version``."""
    require(actor, ACTIONS[feed.source])
    with uow:
        report = _file_feed(
            uow.session, actor, feed, model_version, file_name=file_name, sha256=sha256
        )
        uow.commit()
        return report
