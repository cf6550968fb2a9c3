"""Drawing the pairs that re-estimation needs from the register (``lrs match estimate``).

u: pairs of learners drawn at random. m: EM over the candidate pairs the blocking keys bring
together, one session per kind of key, each leaving out the fields its key compared (they
agree because the key made them, not because the pair is one person). See docs/matching.md.
"""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy.orm import Session

from open_lrs.matching import blocking, estimate
from open_lrs.matching.model import Model
from open_lrs.matching.scoring import Record, query_for
from open_lrs.matching.store import Store

# Kind of blocking key (its prefix in ``blocking``) -> the fields it compared.
KEY_FIELDS = {
    "df": {"date_of_birth", "family_name"},
    "fym": {"family_name", "forename"},
    "fyd": {"family_name", "forename"},
    "ds": {"date_of_birth", "postcode"},
    "dg": {"date_of_birth", "forename"},
    "fgs": {"family_name", "forename", "postcode"},
    "fgm": {"family_name", "forename", "date_of_birth"},
    "gs": {"forename", "postcode"},
    "fp": {"family_name", "postcode"},
}


def sample_records(session: Session, store: Store, n: int, seed: int) -> list[Record]:
    ids = store.active_ids(session)
    chosen = random.Random(seed).sample(ids, min(n, len(ids)))
    return store.records(session, chosen)


def candidate_pairs(
    session: Session, store: Store, records: list[Record], model: Model
) -> dict[str, list[dict[str, str]]]:
    """For each kind of key, the comparison vectors of sampled learners with the other learners
    filed under a key of that kind that they share."""
    sessions: dict[str, list[dict[str, str]]] = {kind: [] for kind in KEY_FIELDS}
    for record in records:
        own = blocking.record_keys(record)
        for candidate in store.candidates(session, query_for(record)).records():
            if candidate.key == record.key:
                continue
            shared = own & blocking.record_keys(candidate)
            kinds = {key.split("|", 1)[0] for key in shared}
            if kinds:
                vector = estimate.comparison_vector(record, candidate, model)
                for kind in kinds:
                    sessions[kind].append(vector)
    return sessions


def estimate_model(
    session: Session, store: Store, start: Model, *, sample: int, seed: int, version: str
) -> dict[str, Any]:
    """A new model file's data, estimated from the learners in ``store`` (the register)."""
    total = store.count(session)
    if total < 2:
        raise ValueError("the register needs learners to estimate from")
    records = sample_records(session, store, sample, seed)
    shuffled = records[:]
    random.Random(seed + 1).shuffle(shuffled)
    u = estimate.estimate_u(zip(records, shuffled, strict=True), model=start)
    results = []
    for kind, vectors in candidate_pairs(session, store, records, start).items():
        if vectors:
            fields = set(start.probabilities) - KEY_FIELDS[kind]
            results.append(estimate.estimate_em(vectors, start, fix_u=u, fields=fields))
    m = estimate.combine_m(results) if results else estimate.model_probabilities(start)[0]
    return estimate.to_model_dict(
        m,
        u,
        version=version,
        thresholds={"auto_match": start.auto_match, "review": start.review},
        register_size=start.register_size,
        term_frequency_fields=sorted(start.term_frequency_fields),
        note=f"Re-estimated from {len(records):,} of {total:,} learners (seed {seed}), "
        f"starting from model {start.version}: u from random pairs, m by EM per blocking key.",
        start=start,
    )
