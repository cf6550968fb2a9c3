"""Given names that one person may go by (William/Bill, David/Dai, Siân/Jane...).

The table is data (``data/nicknames.csv``), maintained by hand; names are compared folded.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from open_lrs.core.text import compact_name


@cache
def _groups() -> dict[str, frozenset[int]]:
    """Each folded name to the ids of the groups it belongs to."""
    text = files("open_lrs.matching").joinpath("data/nicknames.csv").read_text(encoding="utf-8")
    groups: dict[str, set[int]] = {}
    for number, line in enumerate(text.splitlines()):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        for name in line.split(","):
            if key := compact_name(name):
                groups.setdefault(key, set()).add(number)
    return {name: frozenset(ids) for name, ids in groups.items()}


def are_nicknames(a: str, b: str) -> bool:
    """True when two different folded names are forms of one name in the table."""
    if a == b:
        return False
    groups = _groups()
    return bool(groups.get(a, frozenset()) & groups.get(b, frozenset()))


@cache
def known_names() -> frozenset[str]:
    """Every name in the table (a forename comparison asks, so built once)."""
    return frozenset(_groups())


def forms_of(name: str) -> frozenset[str]:
    """A folded name and every name that shares a nickname group with it."""
    ids = _groups().get(name, frozenset())
    members = _members()
    return frozenset({name}).union(*(members[i] for i in ids))


@cache
def _members() -> dict[int, frozenset[str]]:
    members: dict[int, set[str]] = {}
    for name, ids in _groups().items():
        for i in ids:
            members.setdefault(i, set()).add(name)
    return {i: frozenset(names) for i, names in members.items()}
