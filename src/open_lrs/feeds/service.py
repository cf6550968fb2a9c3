"""Loading a feed file or an API call of awards: the one entry point for the API and the CLI.

Reading happens before anything is written: a file refused as a whole (not XML, wrong schema,
wrong header) raises ``FeedFileRejected`` with every problem by line and field, and nothing of
it is stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Literal

from open_lrs.core.clock import today
from open_lrs.core.db import UnitOfWork
from open_lrs.core.errors import FieldError, Forbidden, ValidationFailed
from open_lrs.core.security import Actor
from open_lrs.feeds import ao_format, ilr, loading, school_format
from open_lrs.feeds.loading import ACTIONS, LoadReport
from open_lrs.feeds.types import Award, FeedFile, FeedRejected, RecordProblem
from open_lrs.organisations.permissions import Kind, require

FileSource = Literal["ILR", "AO", "NPD"]
MAX_API_AWARDS = 5000


class FeedFileRejected(ValidationFailed):
    """The file cannot be loaded as a whole. Messages may quote the sender's own file back to
    them; they are for the sender, never for logs."""

    code = "feed_file_rejected"
    title = "The feed file was rejected"

    def __init__(self, file_name: str, rejected: FeedRejected) -> None:
        # A reader says what is wrong with the file; what that means for a load is said here.
        message = rejected.message.rstrip(".")
        super().__init__(
            f"{file_name}: {message[0].upper()}{message[1:]}. Nothing in the file was loaded.",
            errors=[problem_error(p) for p in rejected.problems],
            extra={"file_name": file_name, "problem_count": len(rejected.problems)},
        )


def problem_error(p: RecordProblem) -> FieldError:
    where = f"line {p.line}, {p.field}" if p.line else p.field
    return FieldError(where, p.message, p.code)


def read(source: FileSource, data: bytes, actor: Actor) -> FeedFile:
    if source == "ILR":
        return ilr.read_ilr(data)
    if source == "AO":
        return ao_format.read_ao_csv(data, awarding_organisation_ukprn=actor.ukprn, today=today())
    return school_format.read_school_csv(data, today=today())


def ilr_sender(data: bytes, *, file_name: str) -> str:
    """The UKPRN an ILR return is from (its LearningProvider), so that an operator loading a
    return at the command line need not name the provider."""
    try:
        feed = ilr.read_ilr(data)
    except FeedRejected as exc:
        raise FeedFileRejected(file_name, exc) from None
    assert feed.ukprn is not None
    return feed.ukprn


def _own_return(actor: Actor, feed: FeedFile) -> None:
    if feed.source == "ILR" and actor.organisation_kind != Kind.ADMIN and feed.ukprn != actor.ukprn:
        raise Forbidden(
            f"The return is for UKPRN {feed.ukprn}, not yours ({actor.ukprn}): a provider "
            "loads only its own ILR returns."
        )


def load_file(
    uow: UnitOfWork,
    actor: Actor,
    source: FileSource,
    data: bytes,
    model_version: str,
    *,
    file_name: str,
) -> LoadReport:
    """Read ``data`` as a ``source`` file and load it (learners found by their details scored
    by the model of ``model_version``); the report says what became of each record."""
    require(actor, ACTIONS[source])
    try:
        feed = read(source, data, actor)
    except FeedRejected as exc:
        raise FeedFileRejected(file_name, exc) from None
    _own_return(actor, feed)
    return loading.load(
        uow,
        actor,
        feed,
        model_version,
        file_name=file_name,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def load_awards(
    uow: UnitOfWork, actor: Actor, items: Sequence[Mapping[str, str | None]], model_version: str
) -> LoadReport:
    """Load an awarding organisation's awards sent as JSON: each item is checked by the same
    rules as a row of the CSV file, its ``line`` being its position in the list (from 1)."""
    require(actor, ACTIONS["AO"])
    if len(items) > MAX_API_AWARDS:
        raise ValidationFailed(f"At most {MAX_API_AWARDS:,} awards may be sent in one call.")
    awards: list[Award] = []
    problems: list[RecordProblem] = []
    for position, item in enumerate(items, start=1):
        result = ao_format.award_of(
            item, line=position, awarding_organisation_ukprn=actor.ukprn, today=today()
        )
        if isinstance(result, Award):
            awards.append(result)
        else:
            problems.extend(result)
    feed = FeedFile(source="AO", awards=awards, problems=problems, ukprn=actor.ukprn)
    return loading.load(uow, actor, feed, model_version)
