"""Which learner each award in a feed belongs to.

A ULN is trusted only when it verifies against the names (and date of birth and gender, when
given) that came with it, by the same rules as the verify service: a ULN with a wrong check
digit, the temporary 9999999999, or one that belongs to someone else must not file an
achievement on the wrong person. Feeds that carry full details (ILR, school results) then look
the learner up by demographics, and only an exact match is filed, and only when the feed gave
no real ULN: a well-formed ULN that is not the found learner's contradicts the match. Everything
else waits for a person in the feed-exceptions queue.

ULNs are fetched in chunks, one query per chunk, because a load has tens of thousands of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from open_lrs.core.bulk import chunks
from open_lrs.core.postcodes import UNKNOWN_POSTCODE
from open_lrs.feeds.types import LearnerIdentity
from open_lrs.learners import search
from open_lrs.learners.lookup import verify_against
from open_lrs.learners.models import LINKED, Learner
from open_lrs.learners.uln import uln_error
from open_lrs.learners.verification import VerificationResult
from open_lrs.matching.scoring import Outcome, Query

_CHUNK = 500

# Why an award's learner was not settled (FeedException.reason).
ULN_INVALID = "uln_invalid"
ULN_NOT_FOUND = "uln_not_found"
ULN_NOT_VERIFIED = "uln_not_verified"
NO_MATCH = "no_match"
POSSIBLE_MATCHES = "possible_matches"
TOO_MANY_MATCHES = "too_many_matches"
INSUFFICIENT_DETAILS = "insufficient_details"
ULN_CONFLICT = "uln_conflict"


@dataclass(frozen=True)
class Identified:
    """The master learner an award is filed on, or why there is none."""

    learner_id: int | None
    reason: str | None = None
    message: str = ""
    candidate_ulns: list[str] = field(default_factory=list)


_COLUMNS = (
    Learner.id,
    Learner.uln,
    Learner.status,
    Learner.master_id,
    Learner.given_name,
    Learner.family_name,
    Learner.previous_family_name,
    Learner.preferred_given_name,
    Learner.date_of_birth,
    Learner.gender,
)


def _rows(s: Session, column: InstrumentedAttribute[Any], values: Iterable[Any]) -> dict[Any, Any]:
    found: dict[Any, Any] = {}
    for chunk in chunks(sorted(set(values)), _CHUNK):
        for row in s.execute(select(*_COLUMNS).where(column.in_(chunk))):
            found[getattr(row, column.key)] = row
    return found


def _masters(s: Session, ulns: Iterable[str]) -> dict[str, tuple[Any, bool]]:
    """For each ULN on the register: (its master's row, whether the ULN was a linked one)."""
    by_uln = _rows(s, Learner.uln, ulns)
    linked_to = {
        row.master_id
        for row in by_uln.values()
        if row.status == LINKED and row.master_id is not None
    }
    by_id = _rows(s, Learner.id, linked_to) if linked_to else {}
    result: dict[str, tuple[Any, bool]] = {}
    for uln, row in by_uln.items():
        master = by_id.get(row.master_id, row) if row.status == LINKED else row
        result[uln] = (master, master is not row)
    return result


def _verifies(identity: LearnerIdentity, master: Any, *, linked: bool) -> bool:
    if not identity.given_name or not identity.family_name:
        return False
    outcome = verify_against(identity, master, linked=linked)  # type: ignore[arg-type]
    return outcome.result is not VerificationResult.NO_MATCH


def _by_uln(identity: LearnerIdentity, masters: dict[str, tuple[Any, bool]]) -> Identified:
    uln = identity.uln or ""
    if problem := uln_error(uln):
        return Identified(None, ULN_INVALID, f"ULN {problem}")
    if uln not in masters:
        return Identified(None, ULN_NOT_FOUND, "no learner has this ULN")
    master, linked = masters[uln]
    if _verifies(identity, master, linked=linked):
        return Identified(master.id)
    return Identified(
        None,
        ULN_NOT_VERIFIED,
        "the ULN does not verify against the name, date of birth and gender given "
        "(it may belong to someone else)",
    )


def _query(identity: LearnerIdentity) -> Query | None:
    if not (identity.given_name and identity.family_name and identity.date_of_birth):
        return None
    return Query(
        given_name=identity.given_name,
        family_name=identity.family_name,
        date_of_birth=identity.date_of_birth,
        gender=identity.gender,
        postcode=identity.postcode or UNKNOWN_POSTCODE,
    )


def _by_demographics(
    s: Session, identity: LearnerIdentity, why: Identified, model_version: str
) -> Identified:
    query = _query(identity)
    if query is None:
        return Identified(
            None,
            INSUFFICIENT_DETAILS,
            f"{why.message}; and given name, family name and date of birth are needed to "
            "find the learner by their details",
        )
    found = search.find(s, query, search.current_model(model_version))
    outcome = found.decision.outcome
    if outcome is Outcome.EXACT_MATCH:
        master = found.learners()[0][2]
        if identity.uln and uln_error(identity.uln) is None:
            # A real-looking ULN that is not the found learner's is evidence against the
            # match (two sisters of one name at one address): a person decides.
            return Identified(
                None,
                ULN_CONFLICT,
                f"{why.message}; the details match learner {master.uln}, but the feed gives "
                f"another ULN for them",
                [master.uln],
            )
        return Identified(master.id)
    ulns = [master.uln for _, _, master in found.learners()]
    reason, words = {
        Outcome.POSSIBLE_MATCHES: (POSSIBLE_MATCHES, "possible matches need a person to choose"),
        Outcome.TOO_MANY: (TOO_MANY_MATCHES, "too many learners are alike to choose one"),
        Outcome.NO_MATCH: (NO_MATCH, "no learner on the register matches the details"),
    }[outcome]
    return Identified(None, reason, f"{why.message}; searched by details: {words}", ulns)


def identify(
    s: Session, identities: Sequence[LearnerIdentity], model_version: str, *, by_demographics: bool
) -> dict[LearnerIdentity, Identified]:
    """The learner for each distinct identity. ``by_demographics``: look up by details those
    whose ULN is missing, temporary or does not verify (feeds that carry the details), scored
    by the model of ``model_version``."""
    distinct = list(dict.fromkeys(identities))
    masters = _masters(s, {i.uln for i in distinct if i.uln and uln_error(i.uln) is None})
    result: dict[LearnerIdentity, Identified] = {}
    for identity in distinct:
        settled = _by_uln(identity, masters)
        if settled.learner_id is None and by_demographics:
            settled = _by_demographics(s, identity, settled, model_version)
        result[identity] = settled
    return result
