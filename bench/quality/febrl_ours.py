"""Our engine on FEBRL4: candidate pairs scored by ``scoring.score`` plus the FEBRL address
fields, then linked one to one. See ``quality.febrl`` for what is ours and what is added."""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import JaroWinkler

from open_lrs.core.text import compact_name, typo_close
from open_lrs.matching.model import Model
from open_lrs.matching.normalise import family_key
from open_lrs.matching.scoring import Scored, score
from open_lrs.matching.store import MIN_LEARNERS_FOR_FREQUENCIES, first_forename
from quality.febrl import Fitted, Person, address_levels, candidate_pairs, fit
from quality.linkage import Scores, best, evaluate, one_to_one


@dataclass(frozen=True)
class Pair:
    a: int
    b: int
    total: float
    engine: Scored  # the engine's part: person fields, rule-outs, explanation
    address: dict[str, float]


def frequencies(a: list[Person]) -> Any:
    """Name frequencies as the engine's store would give them: none for a register under
    ``MIN_LEARNERS_FOR_FREQUENCIES`` (FEBRL's 5,000)."""
    forenames = Counter(first_forename(p.record.given_name) for p in a)
    families = Counter(family_key(p.record.family_name) for p in a)
    total = len(a)

    def frequency(field_name: str, name: str) -> float | None:
        if total < MIN_LEARNERS_FOR_FREQUENCIES or not name:
            return None
        counts = forenames if field_name == "forename" else families
        return max(counts.get(name, 0), 1) / total

    return frequency


def score_pairs(
    a: list[Person], b: list[Person], pairs: Iterable[tuple[int, int]], model: Model
) -> list[Pair]:
    frequency = frequencies(a)
    out = []
    for i, j in pairs:
        scored = score(b[j].query, a[i].record, model, frequency)  # type: ignore[arg-type]
        levels = address_levels(b[j].address, a[i].address)
        address = {f: round(model.weight(f, lv), 2) for f, lv in levels.items()}
        address["blank family name"] = _blank_family(a[i], b[j], scored)
        out.append(Pair(i, j, scored.score + sum(address.values()), scored, address))
    return out


def _blank_family(a: Person, b: Person, scored: Scored) -> float:
    """FEBRL leaves 1-2% of family names blank; the register and searches require one, so
    the engine has no "missing" level and compares a blank as "different" (or two blanks as
    "exact"). A FEBRL addition: cancel the family name's weight when either is blank."""
    if a.record.family_name and b.record.family_name:
        return 0.0
    return -next(p.weight for p in scored.explanation if p.field == "family_name")


def rule_out_reason(pair: Pair) -> str:
    """Why the engine ruled a (true) pair out, in the words of its rule."""
    parts = {p.field: p for p in pair.engine.explanation}
    forename = parts["forename"]
    if forename.agreement != "different":
        return "date of birth different and family name not exact"
    q, r = forename.searched or "", forename.found or ""
    if compact_name(q) and typo_close(compact_name(q), compact_name(r)):
        return "forename different: a space splits it (the joined forms are typo-close)"
    if JaroWinkler.similarity(compact_name(q), compact_name(r)) >= 0.8:
        return "forename different, yet Jaro-Winkler >= 0.8 (a bad misspelling or a look-alike)"
    return "forename different: another name altogether (FEBRL's substitutions)"


@dataclass
class FebrlOurs:
    blocking_recall: float
    blocking_recall_engine_only: float
    candidate_pairs: int
    fitted: Fitted
    at_prior: Scores  # threshold from the 1:1 prior, no labels used
    best: Scores  # best threshold on the labels (as Splink's figure)
    at_prior_without_rule_outs: Scores
    best_without_rule_outs: Scores
    ruled_out_true: Counter[str]
    wrong: list[tuple[str, Pair | None, Pair | None]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def run_ours(
    a: list[Person], b: list[Person], truth: set[tuple[str, str]], *, seed: int, u_pairs: int
) -> FebrlOurs:
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    a_index = {p.rec_id: i for i, p in enumerate(a)}
    b_index = {p.rec_id: j for j, p in enumerate(b)}
    ids = {(a_index[x], b_index[y]) for x, y in truth}
    engine_only = candidate_pairs(a, b, extra=False)
    pairs = candidate_pairs(a, b, extra=True)
    seconds["blocking"] = time.perf_counter() - started
    print(
        f"  blocking: {len(pairs):,} candidate pairs, "
        f"{len(ids & pairs) / len(ids):.2%} of true links retrieved "
        f"(engine keys alone: {len(engine_only):,} pairs, {len(ids & engine_only) / len(ids):.2%})"
    )
    fitted = fit(a, b, seed, u_pairs)
    seconds["estimating (u, EM)"] = fitted.seconds
    print(f"  estimated u on {u_pairs:,} random pairs and m by EM in {fitted.seconds:.1f} s")
    started = time.perf_counter()
    scored = score_pairs(a, b, pairs, fitted.model)
    seconds["scoring"] = time.perf_counter() - started
    kept = [(p.total, a[p.a].rec_id, b[p.b].rec_id) for p in scored if not p.engine.ruled_out]
    everything = [(p.total, a[p.a].rec_id, b[p.b].rec_id) for p in scored]
    grid = [t / 4 for t in range(-120, 240)]
    prior = math.log2(len(a) - 1)  # posterior odds 1 when each B record has one A record
    at_prior = evaluate(one_to_one(kept, prior), truth, prior)
    by_pair = {(p.a, p.b): p for p in scored}
    linked = {(a_index[x], b_index[y]) for x, y in one_to_one(kept, prior)}
    wrong: list[tuple[str, Pair | None, Pair | None]] = []
    for i, j in sorted(linked - ids):
        true_i = a_index.get(b[j].rec_id.split("-dup-")[0] + "-org")
        wrong.append(("false link", by_pair[(i, j)], by_pair.get((true_i, j))))
    for i, j in sorted(ids - linked):
        wrong.append(("missed link", None, by_pair.get((i, j))))
    return FebrlOurs(
        blocking_recall=len(ids & pairs) / len(ids),
        blocking_recall_engine_only=len(ids & engine_only) / len(ids),
        candidate_pairs=len(pairs),
        fitted=fitted,
        at_prior=at_prior,
        best=best(kept, truth, grid),
        at_prior_without_rule_outs=evaluate(one_to_one(everything, prior), truth, prior),
        best_without_rule_outs=best(everything, truth, grid),
        ruled_out_true=Counter(
            rule_out_reason(p) for p in scored if p.engine.ruled_out and (p.a, p.b) in ids
        ),
        wrong=wrong,
        seconds=seconds,
    )
