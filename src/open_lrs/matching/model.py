"""The Fellegi-Sunter model: a weight for each field's agreement level, and two thresholds.

Parameters are data (``data/model-<version>.json``), loaded once and versioned, so that a
re-estimated model is a new file, not a code change. A level absent from a field (``missing``)
weighs nothing: no evidence either way.

The thresholds hold for a register of ``register_size`` learners. On a larger register they
rise by log2 of how many times larger it is: a search's learner is one of N, so the prior odds
that a given candidate is them fall as 1/N, and the same evidence makes a weaker case. Without
this, a register ten times larger puts ten times as many strangers above the review threshold
(same forename and date of birth, say). They never fall below the values chosen.

A third threshold, ``sibling``, is about who else could be the learner searched for: a twin
or sibling shares the family name, the date of birth (a twin) and the address, and only the
fields that tell the members of a home apart -- the forename, gender, an email address --
weigh for one against the other. A candidate is matched without a person only if those
fields' weights add up to ``sibling`` bits or more (a model without it keeps version 2's rule
alone: a middle name or an initial never matches on its own).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

CURRENT_VERSION = "3"
# The fields whose agreement tells apart people who share a home and a birthday.
SIBLING_FIELDS = ("forename", "gender", "email")


@dataclass(frozen=True)
class Model:
    version: str
    auto_match: float
    review: float
    probabilities: dict[str, dict[str, tuple[float, float]]]
    term_frequency_fields: frozenset[str]
    register_size: int | None = None  # the register's size the thresholds were chosen for
    # Forename levels weighed by how common the start the two names share is ("Jo" is weak).
    start_frequency_levels: frozenset[str] = frozenset()
    sibling: float | None = None  # bits from SIBLING_FIELDS needed to match without a person

    def thresholds(self, learners: int | None) -> tuple[float, float]:
        """(auto-match, review) for a register of ``learners``: raised by log2 of how many
        times larger than ``register_size`` it is, to two decimals."""
        rise = 0.0
        if self.register_size and learners and learners > self.register_size:
            rise = round(math.log2(learners / self.register_size), 2)
        return self.auto_match + rise, self.review + rise

    def weight(self, field: str, level: str, frequency: float | None = None) -> float:
        """log2(m/u) for the level; for an exact name, log2(m / how common the name is), and
        for a forename that is the start of the other, log2(m / how common that start is)."""
        m_u = self.probabilities[field].get(level)
        if m_u is None:
            return 0.0
        m, u = m_u
        if frequency is not None and self.weighs_by_frequency(field, level):
            u = frequency
        return math.log2(m / u)

    def weighs_by_frequency(self, field: str, level: str) -> bool:
        if level == "exact":
            return field in self.term_frequency_fields
        return field == "forename" and level in self.start_frequency_levels

    def knows(self, field: str, level: str) -> bool:
        return level in self.probabilities.get(field, {})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Model:
        probabilities: dict[str, dict[str, tuple[float, float]]] = {}
        for field, levels in data["fields"].items():
            probabilities[field] = {}
            for level, (m, u) in levels.items():
                if not (0 < m <= 1 and 0 < u <= 1):
                    raise ValueError(f"{field}.{level}: m and u must be in (0, 1]")
                probabilities[field][level] = (float(m), float(u))
        thresholds = data["thresholds"]
        auto, review = thresholds["auto_match"], thresholds["review"]
        if review >= auto:
            raise ValueError("the review threshold must be below the auto-match threshold")
        size = thresholds.get("register_size")
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
            raise ValueError("thresholds.register_size must be a whole number of learners")
        sibling = thresholds.get("sibling")
        if isinstance(sibling, bool) or not isinstance(sibling, int | float | None):
            raise ValueError("thresholds.sibling must be a number of bits")
        starts = frozenset(data.get("start_frequency_levels", ()))
        if not starts <= set(probabilities.get("forename", {})):
            raise ValueError("start_frequency_levels must be levels of the forename")
        return cls(
            version=str(data["version"]),
            auto_match=float(auto),
            review=float(review),
            probabilities=probabilities,
            term_frequency_fields=frozenset(data.get("term_frequency_fields", ())),
            register_size=size,
            start_frequency_levels=starts,
            sibling=None if sibling is None else float(sibling),
        )


@cache
def load(version: str = CURRENT_VERSION) -> Model:
    text = files("open_lrs.matching").joinpath(f"data/model-v{version}.json").read_text("utf-8")
    return Model.from_dict(json.loads(text))
