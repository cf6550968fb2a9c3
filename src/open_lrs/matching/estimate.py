"""Estimating the model's m and u probabilities from a register's own data.

u comes from pairs of records drawn at random, which are almost all different people; m and
the share of matches (lambda) come from EM over the candidate pairs that blocking retrieves,
or both m and u from pairs a person has labelled (resolved exceptions). The result is a new
versioned model file, never an edit of an old one, so a decision can always be traced to the
parameters that made it.

Pure: the caller draws the pairs (the CLI reads the database) and writes the file. Every
level gets a pseudo-count, so no probability is 0 and no weight infinite, and a level never
seen keeps a small probability rather than vanishing. A field with no evidence at all (never
compared, or left out of an EM session) keeps the starting model's m and u.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from open_lrs.matching.model import Model, load
from open_lrs.matching.scoring import Record, query_for, score

MISSING = "missing"
PSEUDO_COUNT = 0.5  # Jeffreys' prior: small next to real counts, enough to keep every level > 0
_LAMBDA_MIN = 1e-6

Probabilities = dict[str, dict[str, float]]
Levels = dict[str, tuple[str, ...]]
# The compared (field, level) pairs of one comparison vector; EM works on distinct patterns.
Pattern = tuple[tuple[str, str], ...]


def _no_frequency(_field: str, _value: str) -> float | None:
    return None


def comparison_vector(a: Record, b: Record, model: Model | None = None) -> dict[str, str]:
    """The level of each field when ``b`` is searched for with ``a``'s details.

    Read from the scorer's explanation so that estimation sees exactly the levels searches
    see. ``model`` (default: the current one) says which levels there are: a forename level
    it lacks is ``different``.
    """
    scored = score(query_for(a), b, model or load(), _no_frequency)
    return {part.field: part.agreement for part in scored.explanation}


def _levels(model: Model) -> Levels:
    return {field: tuple(levels) for field, levels in model.probabilities.items()}


def model_probabilities(model: Model) -> tuple[Probabilities, Probabilities]:
    """A model's (m, u), each field scaled to sum to exactly 1 (hand-set priors may not)."""
    levels = _levels(model)
    m, u = (
        _normalised(
            {f: {lv: p[i] for lv, p in ps.items()} for f, ps in model.probabilities.items()}, levels
        )
        for i in (0, 1)
    )
    return m, u


def _normalised(probabilities: Mapping[str, Mapping[str, float]], levels: Levels) -> Probabilities:
    out: Probabilities = {}
    for field, names in levels.items():
        given = probabilities.get(field, {})
        if set(given) != set(names) or any(given[level] <= 0 for level in names):
            raise ValueError(f"{field}: need a probability > 0 for each of {', '.join(names)}")
        total = sum(given[level] for level in names)
        out[field] = {level: given[level] / total for level in names}
    return out


def _pattern(vector: Mapping[str, str], levels: Levels, fields: Collection[str]) -> Pattern:
    """Check a vector against the model's levels and keep the compared ``fields``;
    ``missing`` (or an absent field) is no evidence and is dropped."""
    unknown = set(vector) - set(levels)
    if unknown:
        raise ValueError(f"fields not in the model: {', '.join(sorted(unknown))}")
    pattern = []
    for field, names in levels.items():
        level = vector.get(field, MISSING)
        if level == MISSING:
            continue
        if level not in names:
            raise ValueError(f"{field}: level {level!r} is not in the model")
        if field in fields:
            pattern.append((field, level))
    return tuple(pattern)


def _tally(
    patterns: Iterable[tuple[Pattern, float]], levels: Levels
) -> dict[str, dict[str, float]]:
    """Count, or with weights (a posterior) sum, the occurrences of each level."""
    counts = {field: dict.fromkeys(names, 0.0) for field, names in levels.items()}
    for pattern, weight in patterns:
        for field, level in pattern:
            counts[field][level] += weight
    return counts


def _smoothed(
    counts: Mapping[str, Mapping[str, float]],
    levels: Levels,
    pseudo: float,
    keep: Probabilities,
    observed: Collection[str],
) -> Probabilities:
    """Counts plus ``pseudo`` each, as probabilities; fields not ``observed`` as in ``keep``."""
    if pseudo <= 0:
        raise ValueError("the pseudo-count must be positive, or unseen levels would weigh -inf")
    out: Probabilities = {}
    for field, names in levels.items():
        if field not in observed:
            out[field] = dict(keep[field])
            continue
        total = sum(counts[field][level] for level in names) + pseudo * len(names)
        out[field] = {level: (counts[field][level] + pseudo) / total for level in names}
    return out


def _counted(
    patterns: Sequence[Pattern], levels: Levels, pseudo: float, keep: Probabilities
) -> Probabilities:
    observed = {field for pattern in patterns for field, _ in pattern}
    tally = _tally(((p, 1.0) for p in patterns), levels)
    return _smoothed(tally, levels, pseudo, keep, observed)


def estimate_u(
    random_pairs: Iterable[tuple[Record, Record]],
    *,
    model: Model | None = None,
    pseudo_count: float = PSEUDO_COUNT,
) -> Probabilities:
    """u from pairs drawn at random (Splink's practice): at random, nearly all are different
    people, so how often a level occurs among them is P(level | not a match). A record paired
    with itself is skipped. ``model`` (default: the current one) gives the fields and levels."""
    model = model or load()
    levels = _levels(model)
    patterns = [
        _pattern(comparison_vector(a, b, model), levels, levels)
        for a, b in random_pairs
        if a.key != b.key
    ]
    return _counted(patterns, levels, pseudo_count, model_probabilities(model)[1])


def estimate_from_labels(
    pairs: Iterable[tuple[Mapping[str, str], bool]],
    *,
    model: Model | None = None,
    pseudo_count: float = PSEUDO_COUNT,
) -> tuple[Probabilities, Probabilities]:
    """(m, u) counted from comparison vectors a person has labelled (``True``: same learner)."""
    model = model or load()
    levels = _levels(model)
    matches: list[Pattern] = []
    others: list[Pattern] = []
    for vector, is_match in pairs:
        (matches if is_match else others).append(_pattern(vector, levels, levels))
    m = _counted(matches, levels, pseudo_count, model_probabilities(model)[0])
    u = _counted(others, levels, pseudo_count, model_probabilities(model)[1])
    return m, u


@dataclass(frozen=True)
class EmResult:
    lambda_: float  # the share of the candidate pairs that are matches
    m: Probabilities
    u: Probabilities
    iterations: int
    converged: bool
    # Of the starting parameters, then after each iteration.
    log_likelihood_history: tuple[float, ...]
    estimated_fields: tuple[str, ...] = ()  # compared in this session; the rest kept as started


def _expectation(
    patterns: Counter[Pattern], lambda_: float, m: Probabilities, u: Probabilities
) -> tuple[dict[Pattern, float], float]:
    """P(match | pattern) for each pattern, and the log-likelihood of the data."""
    log_m = {f: {level: math.log(p) for level, p in ps.items()} for f, ps in m.items()}
    log_u = {f: {level: math.log(p) for level, p in ps.items()} for f, ps in u.items()}
    posterior: dict[Pattern, float] = {}
    log_likelihood = 0.0
    for pattern, count in patterns.items():
        a = math.log(lambda_) + sum(log_m[f][level] for f, level in pattern)
        b = math.log1p(-lambda_) + sum(log_u[f][level] for f, level in pattern)
        top = max(a, b)
        log_total = top + math.log(math.exp(a - top) + math.exp(b - top))
        posterior[pattern] = math.exp(a - log_total)
        log_likelihood += count * log_total
    return posterior, log_likelihood


def _clamp(lambda_: float) -> float:
    return min(max(lambda_, _LAMBDA_MIN), 1 - _LAMBDA_MIN)


def _max_change(old: Probabilities, new: Probabilities) -> float:
    return max(abs(new[f][level] - p) for f, ps in old.items() for level, p in ps.items())


def estimate_em(
    vectors: Sequence[Mapping[str, str]],
    start: Model,
    *,
    max_iterations: int = 50,
    tolerance: float = 1e-6,
    fix_u: Mapping[str, Mapping[str, float]] | None = None,
    fields: Collection[str] | None = None,
    lambda_start: float | None = None,
    pseudo_count: float = PSEUDO_COUNT,
) -> EmResult:
    """Two-class EM over the comparison vectors of candidate pairs, fields independent given
    the class. Start from the previous model: EM finds a local optimum, and a poor start can
    settle on a split that is not match / non-match at all.

    With ``fix_u`` (from ``estimate_u``) only lambda and m move. Random pairs do not agree on
    the blocking key as candidates do, so with ``fix_u`` leave the fields a blocking rule
    compared out of ``fields`` and run one session per rule, as Splink does (``combine_m``);
    otherwise their agreement passes for evidence of a match. ``lambda_start`` defaults to the
    mean chance of a match under the starting m and u at even odds. Stops when no probability
    moves by more than ``tolerance``.
    """
    if not vectors:
        raise ValueError("EM needs at least one candidate pair")
    levels = _levels(start)
    chosen = set(levels) if fields is None else set(fields)
    if not chosen <= set(levels):
        raise ValueError(f"fields not in the model: {', '.join(sorted(chosen - set(levels)))}")
    patterns = Counter(_pattern(v, levels, chosen) for v in vectors)
    observed = {field for pattern in patterns for field, _ in pattern}
    n = len(vectors)
    m, u = model_probabilities(start)
    if fix_u is not None:
        u = _normalised(fix_u, levels)
    if lambda_start is None:
        even, _ = _expectation(patterns, 0.5, m, u)
        lambda_start = sum(count * even[p] for p, count in patterns.items()) / n
    lambda_ = _clamp(lambda_start)
    posterior, log_likelihood = _expectation(patterns, lambda_, m, u)
    history = [log_likelihood]
    converged = False
    iterations = 0
    while iterations < max_iterations and not converged:
        iterations += 1
        new_lambda = _clamp(sum(count * posterior[p] for p, count in patterns.items()) / n)
        as_match = _tally(((p, c * posterior[p]) for p, c in patterns.items()), levels)
        new_m = _smoothed(as_match, levels, pseudo_count, m, observed)
        new_u = u
        if fix_u is None:
            as_other = _tally(((p, c * (1 - posterior[p])) for p, c in patterns.items()), levels)
            new_u = _smoothed(as_other, levels, pseudo_count, u, observed)
        change = max(abs(new_lambda - lambda_), _max_change(m, new_m), _max_change(u, new_u))
        lambda_, m, u = new_lambda, new_m, new_u
        posterior, log_likelihood = _expectation(patterns, lambda_, m, u)
        history.append(log_likelihood)
        converged = change < tolerance
    estimated = tuple(field for field in levels if field in observed)
    return EmResult(lambda_, m, u, iterations, converged, tuple(history), estimated)


def combine_m(sessions: Sequence[EmResult]) -> Probabilities:
    """m from several EM sessions (one per blocking rule): each field's mean over the sessions
    that estimated it; a field none estimated keeps the first session's (its start)."""
    if not sessions:
        raise ValueError("no EM sessions to combine")
    combined: Probabilities = {}
    for field, first in sessions[0].m.items():
        used = [s.m[field] for s in sessions if field in s.estimated_fields] or [first]
        combined[field] = {level: sum(m[level] for m in used) / len(used) for level in first}
    return combined


def _round(p: float) -> float:
    return float(f"{p:.6g}")


def to_model_dict(
    m: Mapping[str, Mapping[str, float]],
    u: Mapping[str, Mapping[str, float]],
    *,
    version: str,
    thresholds: Mapping[str, float],
    register_size: int | None = None,
    term_frequency_fields: Iterable[str],
    note: str,
    start: Model | None = None,
) -> dict[str, Any]:
    """The model file's JSON, as ``data/model-v3.json`` has it. Fields and levels follow
    ``start`` (default: the current model): each must have an m and a u, and no other may
    appear, so no level is lost between versions; so do the forename levels weighed by how
    common a start is, and the sibling threshold unless ``thresholds`` gives one. Refuses what
    ``Model.from_dict`` refuses."""
    start = start or load()
    levels = _levels(start)
    for name, given in (("m", m), ("u", u)):
        extra = sorted(
            f"{f}.{lv}" for f, ps in given.items() for lv in ps if lv not in levels.get(f, ())
        )
        absent = sorted(
            f"{f}.{lv}" for f, names in levels.items() for lv in names if lv not in given.get(f, {})
        )
        if extra or absent:
            raise ValueError(f"{name}: levels not in the model {extra}, levels absent {absent}")
    sibling = thresholds.get("sibling", start.sibling)
    tf_fields = list(term_frequency_fields)
    if not set(tf_fields) <= set(levels):
        raise ValueError("term frequency fields must be fields of the model")
    data: dict[str, Any] = {
        "version": version,
        "note": note,
        "thresholds": {
            "auto_match": float(thresholds["auto_match"]),
            "review": float(thresholds["review"]),
            **({"register_size": register_size} if register_size else {}),
            **({"sibling": float(sibling)} if sibling is not None else {}),
        },
        "term_frequency_fields": tf_fields,
        **(
            {"start_frequency_levels": sorted(start.start_frequency_levels)}
            if start.start_frequency_levels
            else {}
        ),
        "fields": {
            field: {level: [_round(m[field][level]), _round(u[field][level])] for level in names}
            for field, names in levels.items()
        },
    }
    Model.from_dict(data)
    return data


def compare_weights(old: Model, new: Model) -> list[tuple[str, str, float | None, float | None]]:
    """(field, level, old weight, new weight) for every level of either model, to review a
    re-estimate before adopting it; None where a model lacks the level."""
    rows: list[tuple[str, str, float | None, float | None]] = []
    for field in {**old.probabilities, **new.probabilities}:
        for level in {**old.probabilities.get(field, {}), **new.probabilities.get(field, {})}:
            old_w, new_w = (
                model.weight(field, level) if level in model.probabilities.get(field, {}) else None
                for model in (old, new)
            )
            rows.append((field, level, old_w, new_w))
    return rows
