"""The learners' table as matching sees it: the one ``matching.store.Store`` of the register.

Matching is the engine and must not import the learners package (which imports it), so the
register hands matching its table here, once, at import time: the store's statements are
built once per process, as before. Turning a ``Learner`` into what the scorer reads is the
learners package's business too, so it is here.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from open_lrs.learners.models import ACTIVE, Learner
from open_lrs.matching import store
from open_lrs.matching.scoring import Record

STORE = store.Store(cast(Table, Learner.__table__), active=ACTIVE)


def to_record(learner: Learner) -> Record:
    """A learner as the scorer sees it."""
    return Record(learner.id, **{f: getattr(learner, f) for f in store.RECORD_FIELDS})


def index_learner(session: Session, learner: Learner, *, new: bool = False) -> None:
    """File a learner under its keys, replacing any a changed learner had (``new``: it has
    none, which saves a statement per registration). Only the learner's id is needed: other
    pending changes (history rows, a batch chunk's earlier rows) are left to flush together."""
    if learner.id is None:
        session.flush()
    store.index_learner(session, learner.id, to_record(learner), new=new)
