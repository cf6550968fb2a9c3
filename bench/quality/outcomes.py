"""One classification of a search's answer, whoever answered it (our engine or Splink).

A search for someone on the register (``expected`` set) is resolved correctly, sent to a
person with the truth on the list or without it, answered "too many", missed (no match), or --
the harm -- matched confidently to someone else. A search for someone absent is right only as
a no match; a confident match to anyone is the same harm.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

EXACT, POSSIBLE, NONE, TOO_MANY = "exact", "possible", "none", "too_many"

AUTO_CORRECT = "auto_correct"
FALSE_EXACT = "false_exact"
REVIEW_TRUTH = "review_truth"
REVIEW_NO_TRUTH = "review_no_truth"
TOO_MANY_ = "too_many"
NO_MATCH = "no_match"  # a miss when the learner is on the register, right when not
CATEGORIES = (AUTO_CORRECT, REVIEW_TRUTH, REVIEW_NO_TRUTH, TOO_MANY_, NO_MATCH, FALSE_EXACT)

MAX_POSSIBLE = 10  # as the engine: more plausible candidates than this is "too many"
# The search API's codes as the outcomes above.
FROM_API = {
    "exact_match": EXACT,
    "possible_matches": POSSIBLE,
    "no_match": NONE,
    "too_many_matches": TOO_MANY,
}


@dataclass(frozen=True)
class Answer:
    """What a system answered: an outcome and the ULNs it offered, best first."""

    outcome: str
    ulns: tuple[str, ...] = ()
    best_score: float | None = None


def classify(expected: str | None, answer: Answer) -> str:
    if answer.outcome == EXACT:
        return AUTO_CORRECT if expected is not None and answer.ulns[0] == expected else FALSE_EXACT
    if answer.outcome == POSSIBLE:
        return REVIEW_TRUTH if expected is not None and expected in answer.ulns else REVIEW_NO_TRUTH
    if answer.outcome == TOO_MANY:
        return TOO_MANY_
    return NO_MATCH


def decide_by_thresholds(
    candidates: Sequence[tuple[str, float] | tuple[str, float, bool]], auto: float, review: float
) -> Answer:
    """The engine's decision rule on (ULN, score[, may auto-match]) candidates of any scale:
    drop those below ``review``; more than ten is too many; one alone at or above ``auto`` is a
    match, unless it may not be matched without a person (a middle-name-only forename)."""
    plausible = sorted((c for c in candidates if c[1] >= review), key=lambda c: -c[1])
    if not plausible:
        return Answer(NONE)
    if len(plausible) > MAX_POSSIBLE:
        return Answer(TOO_MANY, (), plausible[0][1])
    ulns = tuple(c[0] for c in plausible)
    best = plausible[0]
    eligible = len(best) < 3 or bool(best[2])  # type: ignore[misc]
    if best[1] >= auto and eligible and (len(plausible) == 1 or plausible[1][1] < auto):
        return Answer(EXACT, ulns[:1], best[1])
    return Answer(POSSIBLE, ulns, best[1])


@dataclass
class Tally:
    """Counts by scenario and category, for searches of present and of absent people."""

    name: str
    by_scenario: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    present_scenarios: set[str] = field(default_factory=set)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, scenario: str, expected: str | None, category: str, query_id: str) -> None:
        self.by_scenario[scenario][category] += 1
        if expected is not None:
            self.present_scenarios.add(scenario)
        if category == FALSE_EXACT or (expected is not None and category == NO_MATCH):
            self.examples[category].append(query_id)

    def total(self, present: bool | None = None) -> Counter[str]:
        out: Counter[str] = Counter()
        for scenario, counts in self.by_scenario.items():
            if present is None or (scenario in self.present_scenarios) == present:
                out.update(counts)
        return out

    def count(self, scenarios: Iterable[str] | None = None) -> int:
        chosen = self.by_scenario if scenarios is None else scenarios
        return sum(sum(self.by_scenario[s].values()) for s in chosen)
