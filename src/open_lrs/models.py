"""Every mapped model, imported in one place so that Alembic sees the whole schema."""

from open_lrs.audit.models import AuditEvent
from open_lrs.batches.models import Batch, BatchRow
from open_lrs.core.db import Base
from open_lrs.feeds.models import FeedException, FeedLoad
from open_lrs.learners.models import Learner, LearnerHistory, LearnerMerge
from open_lrs.matching.models import LearnerMatchKey, NameFrequency
from open_lrs.organisations.models import ApiKey, Organisation, User
from open_lrs.organisations.sessions import PortalSession
from open_lrs.records.models import CatalogueEntry, DataChallenge, LearningEvent

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Base",
    "Batch",
    "BatchRow",
    "CatalogueEntry",
    "DataChallenge",
    "FeedException",
    "FeedLoad",
    "Learner",
    "LearnerHistory",
    "LearnerMatchKey",
    "LearnerMerge",
    "LearningEvent",
    "NameFrequency",
    "Organisation",
    "PortalSession",
    "User",
]
