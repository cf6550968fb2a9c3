"""Finding learners by demographics: the one search that the API, registration, batches and
the CLI all use.

Here, in the learners package, because it answers with learners (their records, masters and
linked ULNs, as the API shows them) and audits what it showed; matching is the engine it
drives (keys, candidates, scores) and knows nothing of learners or of the API. Which model
scores is the caller's to say, from its settings (``current_model``): this module reads no
settings of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, aliased

from open_lrs.audit import service as audit
from open_lrs.core.db import UnitOfWork
from open_lrs.core.errors import FieldError, InsufficientData
from open_lrs.core.security import Actor
from open_lrs.learners import repository as repo
from open_lrs.learners.matching_store import STORE
from open_lrs.learners.models import LINKED, Learner
from open_lrs.learners.search_schemas import (
    FieldExplanation,
    Match,
    SearchRequest,
    SearchResponse,
    Thresholds,
)
from open_lrs.matching import model as model_file
from open_lrs.matching.model import Model
from open_lrs.matching.scoring import Decision, Outcome, Query, Scored, decide
from open_lrs.organisations.permissions import Action, require


def current_model(version: str) -> Model:
    """The model that scores searches: the version the caller's settings name
    (``LRS_MATCH_MODEL_VERSION``), loaded once per process."""
    return model_file.load(version)


def to_query(request: SearchRequest) -> Query:
    if missing := request.missing():
        raise InsufficientData(
            f"A search needs {', '.join(missing).replace('_', ' ')}: without them it could "
            "only be answered with many people of the same name.",
            errors=[FieldError(f, "is required to search", "missing") for f in missing],
        )
    assert request.given_name is not None
    assert request.family_name is not None
    assert request.date_of_birth is not None
    return Query(
        given_name=request.given_name,
        family_name=request.family_name,
        date_of_birth=request.date_of_birth,
        gender=request.gender,
        postcode=request.postcode,
        previous_family_name=request.previous_family_name,
        email=request.email,
        place_of_birth=request.place_of_birth,
        school_at_age_16=request.school_at_age_16,
    )


def query_of(details: object) -> Query:
    """The search for a learner's details as they would be registered (an API registration, a
    batch row): the search request's fields read off them."""
    searched = {f: getattr(details, f) for f in SearchRequest.model_fields}
    return to_query(SearchRequest.model_construct(**searched))


@dataclass(frozen=True)
class Found:
    """A decision, with each match's learner record, the master that answers for it, and the
    ULNs linked to each master."""

    decision: Decision
    records: dict[int, Learner]
    masters: dict[int, Learner]
    linked: dict[int, list[str]]

    def learners(self) -> list[tuple[Scored, Learner, Learner]]:
        return [(s, self.records[_id(s)], self.masters[_id(s)]) for s in self.decision.matches]


def _id(scored: Scored) -> int:
    assert isinstance(scored.record.key, int)
    return scored.record.key


# The learners decided on, each with the ULNs linked to it (space-separated), in one query.
_LINKED = aliased(Learner)
_DECIDED = select(
    Learner,
    select(func.aggregate_strings(_LINKED.uln, " "))
    .where(_LINKED.master_id == Learner.id)
    .scalar_subquery(),
).where(Learner.id.in_(bindparam("ids", expanding=True)))


def find(session: Session, query: Query, model: Model) -> Found:
    """Candidates by blocking key, scored and decided, linked learners counted as their
    masters. Reads only; only the learners decided on are loaded whole."""
    candidates = STORE.candidates(session, query)
    answers_for = {
        row.id: row.master_id if row.status == LINKED and row.master_id is not None else row.id
        for row in candidates.rows
    }
    decision = decide(
        query,
        candidates.records(),
        model,
        candidates.frequency,
        learners=candidates.learners,
        same_learner=lambda r: answers_for[r.key],
    )
    wanted = {_id(s) for s in decision.matches}
    wanted |= {answers_for[i] for i in wanted}
    loaded: dict[int, Learner] = {}
    linked: dict[int, list[str]] = {}
    if wanted:
        for learner, ulns in session.execute(_DECIDED, {"ids": sorted(wanted)}):
            loaded[learner.id] = learner
            linked[learner.id] = sorted(ulns.split()) if ulns else []
    records = {i: loaded[i] for i in (_id(s) for s in decision.matches)}
    masters = {i: loaded[answers_for[i]] for i in records}
    return Found(decision, records, masters, linked)


def to_matches(session: Session, found: Found) -> list[Match]:
    return [
        Match(
            uln=master.uln,
            score=scored.score,
            master_substituted=record.id != master.id,
            matched_uln=record.uln,
            learner=repo.to_public(session, master, found.linked[master.id]),
            explanation=explanation(scored),
        )
        for scored, record, master in found.learners()
    ]


def explanation(scored: Scored) -> list[FieldExplanation]:
    return [
        FieldExplanation(
            field=p.field,
            agreement=p.agreement,
            weight=p.weight,
            searched=p.searched,
            found=p.found,
        )
        for p in scored.explanation
    ]


def search(
    uow: UnitOfWork, actor: Actor, request: SearchRequest, model_version: str
) -> SearchResponse:
    """The search use case, audited; scored by the model of ``model_version``."""
    require(actor, Action.LEARNER_SEARCH)
    query = to_query(request)
    model = current_model(model_version)
    with uow:
        s = uow.session
        uow.begin_read_only()  # the search reads; only its audit rows are written, after
        found = find(s, query, model)
        outcome = found.decision.outcome
        matches = to_matches(s, found)
        uow.end_reading()
        audit_search(s, actor, outcome, [m.id for _, _, m in found.learners()])
        uow.commit()
    return SearchResponse(
        code=outcome.code,
        lrs_code=outcome.lrs_code,
        model_version=model.version,
        thresholds=Thresholds(auto_match=found.decision.auto_match, review=found.decision.review),
        matches=matches,
    )


def audit_search(
    session: Session, actor: Actor, outcome: Outcome, learner_ids: Sequence[int]
) -> None:
    """One event per learner shown (so each learner's access log lists it), or one event for
    a search that showed nobody."""
    details = {"outcome": outcome.code, "shown": len(learner_ids)}
    if learner_ids:
        audit.record_many(
            session,
            actor,
            Action.LEARNER_SEARCH,
            outcome=outcome.lrs_code,
            learner_ids=learner_ids,
            details=details,
        )
    else:
        audit.record(
            session, actor, Action.LEARNER_SEARCH, outcome=outcome.lrs_code, details=details
        )
