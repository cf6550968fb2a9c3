"""Scoring a linkage against the truth: one-to-one assignment, precision, recall, F1."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


def one_to_one(pairs: Iterable[tuple[float, Any, Any]], threshold: float) -> list[tuple[Any, Any]]:
    """Greedy by score: each record in at most one link, none below ``threshold``."""
    used_a, used_b, links = set(), set(), []
    for s, x, y in sorted(pairs, key=lambda p: -p[0]):
        if s < threshold:
            break
        if x not in used_a and y not in used_b:
            used_a.add(x)
            used_b.add(y)
            links.append((x, y))
    return links


@dataclass
class Scores:
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int
    threshold: float


def evaluate(links: Iterable[tuple[str, str]], truth: set[tuple[str, str]], t: float) -> Scores:
    found = set(links)
    tp = len(found & truth)
    fp, fn = len(found) - tp, len(truth) - tp
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, tp, fp, fn, t)


def best(
    pairs: list[tuple[float, str, str]], truth: set[tuple[str, str]], grid: Iterable[float]
) -> Scores:
    return max((evaluate(one_to_one(pairs, t), truth, t) for t in grid), key=lambda s: s.f1)
