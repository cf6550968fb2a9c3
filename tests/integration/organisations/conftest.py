"""Fixtures of the organisations' integration tests."""

from __future__ import annotations

import pytest

from open_lrs.core.db import Database
from tests.conftest import OrgFactory
from tests.integration.organisations.admin_helpers import People


@pytest.fixture
def people(db: Database, make_org: OrgFactory) -> People:
    return People(db, make_org)
