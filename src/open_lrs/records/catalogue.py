"""Loading the qualification and unit catalogue, and finding entries by code.

Reloading is versioned: an entry whose title, level, credits or any other field changed gets a
new version and the old one stops being current, but learning events keep the version (and the
title, level and credits) they were loaded with, so a reload never rewrites anyone's record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from open_lrs.audit import service as audit
from open_lrs.core.bulk import chunks
from open_lrs.core.db import UnitOfWork
from open_lrs.core.security import Actor
from open_lrs.organisations.permissions import Action, require
from open_lrs.records import catalogue_format
from open_lrs.records.models import CatalogueEntry

FIELDS = (
    "kind",
    "title",
    "qualification_type",
    "level",
    "credits",
    "guided_learning_hours",
    "awarding_organisation_code",
    "awarding_organisation_name",
    "valid_from",
    "valid_to",
)


@dataclass(frozen=True)
class CatalogueReport:
    added: int
    changed: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.added + self.changed + self.unchanged


def current_entries(s: Session, codes: Iterable[str]) -> dict[str, CatalogueEntry]:
    """The current version of each code that the catalogue holds."""
    found: dict[str, CatalogueEntry] = {}
    for chunk in chunks(sorted(set(codes)), 500):
        found.update(
            (e.code, e)
            for e in s.scalars(
                select(CatalogueEntry).where(CatalogueEntry.current, CatalogueEntry.code.in_(chunk))
            )
        )
    return found


def _values(entry: catalogue_format.CatalogueEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in FIELDS}


def _add_versions(
    s: Session, entries: Sequence[catalogue_format.CatalogueEntry]
) -> CatalogueReport:
    """Add new entries and new versions of changed ones."""
    current = current_entries(s, (e.code for e in entries))
    added: list[dict[str, Any]] = []
    replaced: list[CatalogueEntry] = []
    unchanged = 0
    for entry in entries:
        values = _values(entry)
        old = current.get(entry.code)
        if old is not None and all(getattr(old, k) == v for k, v in values.items()):
            unchanged += 1
            continue
        version = 1 if old is None else old.version + 1
        if old is not None:
            replaced.append(old)
        added.append({"code": entry.code, "version": version, "current": True, **values})
    for chunk in chunks([old.id for old in replaced], 500):
        # Before the inserts: only one version of a code may be current.
        s.execute(update(CatalogueEntry).where(CatalogueEntry.id.in_(chunk)).values(current=False))
    s.expire_all()
    s.add_all(CatalogueEntry(**row) for row in added)
    s.flush()
    return CatalogueReport(
        added=len(added) - len(replaced), changed=len(replaced), unchanged=unchanged
    )


def load(
    uow: UnitOfWork, actor: Actor | None, entries: Sequence[catalogue_format.CatalogueEntry]
) -> CatalogueReport:
    """Load entries for ``actor`` (an administrator), or for the operator at the command line
    (``None``: whoever can run the CLI can reach the database anyway)."""
    if actor is not None:
        require(actor, Action.CATALOGUE_MANAGE)
    with uow:
        report = _add_versions(uow.session, entries)
        audit.record(
            uow.session,
            actor,
            Action.CATALOGUE_MANAGE,
            outcome="loaded",
            details={"added": report.added, "changed": report.changed},
        )
        uow.commit()
        return report


def sample_entries() -> list[catalogue_format.CatalogueEntry]:
    """The sample catalogue shipped with Open LRS (fictional codes and organisations), for the
    demo and the tests; docs/catalogue.md describes it."""
    data = resources.files("open_lrs.records") / "data"
    return [
        *catalogue_format.read_qualifications((data / "catalogue_qualifications.csv").read_bytes()),
        *catalogue_format.read_units((data / "catalogue_units.csv").read_bytes()),
    ]
