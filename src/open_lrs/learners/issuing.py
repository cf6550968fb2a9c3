"""Issuing a ULN: a new learner inserted under a fresh random ULN, retried on the rare
collision with one already issued (the registration path's last step, ``service``)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, make_transient_to_detached

from open_lrs.learners import repository as repo
from open_lrs.learners.models import Learner
from open_lrs.learners.uln import generate_uln

ULN_ISSUE_ATTEMPTS = 20


class UlnSpaceExhausted(RuntimeError):
    """Twenty random ULNs in a row were taken: the register is (nearly) full."""


def issue_learner(session: Session, values: dict[str, Any]) -> Learner:
    """Insert a learner under a fresh random ULN, retrying on the rare collision.

    On SQLite the transaction holds the only write lock, so a ULN found free stays free. On
    PostgreSQL another transaction could take it meanwhile, so the insert is one
    ``INSERT ... ON CONFLICT DO NOTHING``, tried again under another ULN when it inserted
    nothing: one round trip, where a look-up and a savepoint took four.
    """
    if session.get_bind().dialect.name == "postgresql":
        return _issue_on_postgresql(session, values)
    for _ in range(ULN_ISSUE_ATTEMPTS):
        uln = generate_uln()
        if repo.by_uln(session, uln) is not None:
            continue
        learner = Learner(uln=uln, **values)
        session.add(learner)
        session.flush()
        return learner
    raise UlnSpaceExhausted("could not find a free ULN")


_COLUMNS = tuple(c.key for c in Learner.__table__.columns if c.key != "id")
# Built once, with every column a bound parameter: building the statement from each
# registration's values took longer than running it.
_LEARNERS = cast(Table, Learner.__table__)
_INSERT_UNLESS_TAKEN = (
    pg_insert(_LEARNERS).on_conflict_do_nothing(index_elements=["uln"]).returning(_LEARNERS.c.id)
)


def _issue_on_postgresql(session: Session, values: dict[str, Any]) -> Learner:
    row = {name: None for name in _COLUMNS} | values | {"version": 1}
    for _ in range(ULN_ISSUE_ATTEMPTS):
        row["uln"] = generate_uln()
        learner_id = session.connection().execute(_INSERT_UNLESS_TAKEN, row).scalar()
        if learner_id is None:
            continue
        # The row is in the table: the object joins the session as persistent, every column
        # known, without another INSERT or a SELECT.
        learner = Learner(id=learner_id, **row)
        make_transient_to_detached(learner)
        session.add(learner)
        return learner
    raise UlnSpaceExhausted("could not find a free ULN")
