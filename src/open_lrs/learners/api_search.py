"""JSON API v1: finding a learner by demographics.

A router of its own, apart from ``learners.api``, because its operation keeps the tag it has
always had ("matching") and a route's tags add to its router's.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from open_lrs.core.http import AUTH_ERRORS, PROBLEM, ActorDep, UowDep
from open_lrs.core.settings import Settings
from open_lrs.learners import search
from open_lrs.learners.search_schemas import SearchRequest, SearchResponse

router = APIRouter(prefix="/api/v1", tags=["matching"])


@router.post(
    "/learners/search",
    operation_id="searchLearners",
    response_model=SearchResponse,
    responses={
        **AUTH_ERRORS,
        422: {"description": "Invalid fields, or mandatory fields missing (WSRC0015)", **PROBLEM},
    },
)
async def search_learners(
    request: SearchRequest, actor: ActorDep, uow: UowDep, http: Request
) -> SearchResponse:
    """Find a learner's ULN by name, date of birth, gender and postcode.

    `exact_match` (WSRC0004): one learner, sure enough to use without a person checking.
    `possible_matches` (WSRC0003): 1 to 10 candidates, best first, for a person to choose from.
    `no_match` (WSRC0001). `too_many_matches` (WSRC0002): more than 10 plausible candidates;
    give more details. Every match carries an explanation of how each field agreed. A learner
    merged into another is answered by the master (`master_substituted`).
    """
    # The busiest route: one hop to a worker thread for the search (a plain ``def`` route
    # takes a second one to validate its response).
    settings: Settings = http.app.state.settings
    return await run_in_threadpool(search.search, uow, actor, request, settings.match_model_version)
