"""What the PLR integration tests share: the sample catalogue, a provider and an awarding
organisation, and registering a learner who agreed to share (unless told otherwise)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from open_lrs.core.db import Database
from open_lrs.core.security import Actor
from open_lrs.learners import service as learners
from open_lrs.learners.schemas import LearnerRegistration, LearnerResult
from open_lrs.records import catalogue
from tests.conftest import OrgFactory
from tests.factories import MODEL_VERSION, learner_payload


@pytest.fixture
def sample_catalogue(db: Database) -> None:
    catalogue.load(db.unit_of_work(), None, catalogue.sample_entries())


@pytest.fixture
def provider(make_org: OrgFactory) -> Actor:
    return make_org("provider")[0]


@pytest.fixture
def awarder(make_org: OrgFactory) -> Actor:
    return make_org("awarding_organisation")[0]


@pytest.fixture
def register(db: Database, provider: Actor) -> Callable[..., LearnerResult]:
    def make(**overrides: Any) -> LearnerResult:
        body = learner_payload(**{"ability_to_share": "1", **overrides})
        return learners.register(
            db.unit_of_work(), provider, LearnerRegistration(**body), MODEL_VERSION
        )

    return make
