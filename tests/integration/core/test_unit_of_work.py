"""The unit of work nests: only the outermost block commits or rolls back."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from open_lrs.core.db import Database, UnitOfWork
from open_lrs.organisations.models import Organisation
from tests.conftest import new_ukprn


def _organisations(db: Database, ukprn: str) -> int:
    with db.unit_of_work() as uow:
        return int(
            uow.session.scalar(
                select(func.count()).select_from(Organisation).where(Organisation.ukprn == ukprn)
            )
            or 0
        )


def _add(unit: UnitOfWork, ukprn: str) -> None:
    with unit as uow:
        uow.session.add(Organisation(name="Nested College", ukprn=ukprn, kind="provider"))
        uow.flush()
        uow.commit()


def test_an_inner_block_shares_the_outer_session_and_commits_nothing(db: Database) -> None:
    ukprn = new_ukprn()
    uow = db.unit_of_work()
    with uow:
        outer_session = uow.session
        assert not uow.nested
        with uow:
            assert uow.nested
            assert uow.session is outer_session
        _add(uow, ukprn)  # commits in an inner block: nothing is committed yet
        assert not uow.nested
    # The outer block left without committing: the inner block's work is rolled back.
    assert _organisations(db, ukprn) == 0


def test_the_outermost_commit_commits_what_inner_blocks_did(db: Database) -> None:
    ukprn = new_ukprn()
    uow = db.unit_of_work()
    with uow:
        _add(uow, ukprn)
        uow.commit()
    assert _organisations(db, ukprn) == 1


def test_an_error_in_an_inner_block_rolls_back_the_whole_unit(db: Database) -> None:
    ukprn = new_ukprn()
    uow = db.unit_of_work()

    def fail_inside() -> None:
        with uow:
            _add(uow, ukprn)
            with uow:
                raise RuntimeError("inner failure")

    with pytest.raises(RuntimeError, match="inner failure"):
        fail_inside()
    assert _organisations(db, ukprn) == 0
    with pytest.raises(RuntimeError, match="outside its 'with' block"):
        _ = uow.session


def test_a_unit_of_work_can_be_used_again_after_its_outer_block(db: Database) -> None:
    first, second = new_ukprn(), new_ukprn()
    uow = db.unit_of_work()
    _add(uow, first)  # alone, the block is the outermost: it commits
    _add(uow, second)
    assert _organisations(db, first) == 1
    assert _organisations(db, second) == 1


def test_reading_inside_an_outer_block_keeps_its_transaction(db: Database) -> None:
    ukprn = new_ukprn()
    uow = db.unit_of_work()
    with uow:
        _add(uow, ukprn)
        with uow:
            uow.begin_read_only()  # the outer transaction has begun: nothing changes
            uow.end_reading()  # nor commits
        uow.commit()
    assert _organisations(db, ukprn) == 1
