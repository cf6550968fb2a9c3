"""The service refuses an SQLite too old for the search's SQL, naming what it needs."""

import pytest

from open_lrs.core.db import SQLITE_MINIMUM, check_sqlite_version


def test_an_sqlite_older_than_3_38_is_refused_with_what_is_needed() -> None:
    with pytest.raises(RuntimeError, match=r"SQLite 3\.38\.0 or later is needed; .* has 3\.37\.2"):
        check_sqlite_version((3, 37, 2))


def test_sqlite_3_38_and_later_are_accepted() -> None:
    check_sqlite_version(SQLITE_MINIMUM)
    check_sqlite_version((3, 40, 1))
