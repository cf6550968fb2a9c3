"""Who may do what: one table for organisation kinds, the only place where a kind is checked,
and one for the roles of the people who use the portal, checked on top of it; ``require`` is
the one check every service makes.

docs/permissions.md is generated from ``MATRIX`` and ``ROLES`` (``lrs docs permissions``), so
the document and the rules cannot drift apart.
"""

from __future__ import annotations

from enum import StrEnum

from open_lrs.core.errors import Forbidden
from open_lrs.core.security import Actor


class Kind(StrEnum):
    PROVIDER = "provider"
    AWARDING_ORGANISATION = "awarding_organisation"
    SCHOOL = "school"
    UNIVERSITY = "university"
    CAREERS_SERVICE = "careers_service"
    ADMIN = "admin"


class Action(StrEnum):
    LEARNER_REGISTER = "learner.register"
    LEARNER_READ = "learner.read"
    LEARNER_SEARCH = "learner.search"
    LEARNER_UPDATE = "learner.update"
    LEARNER_VERIFY = "learner.verify"
    LEARNER_RETRIEVE = "learner.retrieve"
    LEARNER_MERGE = "learner.merge"
    LEARNER_IMPORT = "learner.import"
    BATCH_READ = "batch.read"
    REPORT_MERGES = "report.merges"
    AUDIT_READ = "audit.read"
    PLR_READ = "plr.read"
    PLR_CHALLENGE = "plr.challenge"
    FEED_ILR = "feed.ilr"
    FEED_AWARDS = "feed.awards"
    FEED_SCHOOL = "feed.school"
    CATALOGUE_MANAGE = "catalogue.manage"
    ORGANISATION_MANAGE = "organisation.manage"
    USERS_MANAGE = "users.manage"
    KEYS_MANAGE = "keys.manage"
    ORGANISATION_READ = "organisation.read"


ACTION_DESCRIPTIONS: dict[Action, str] = {
    Action.LEARNER_REGISTER: "Register a learner and obtain a ULN",
    Action.LEARNER_READ: "Read a learner's details by ULN",
    Action.LEARNER_SEARCH: "Find a learner's ULN by name, date of birth, gender and postcode",
    Action.LEARNER_UPDATE: "Update a learner's details",
    Action.LEARNER_VERIFY: "Verify a ULN against a name (answers match or not, no details)",
    Action.LEARNER_RETRIEVE: "Check up to 200 ULNs at once (status and master ULN only)",
    Action.LEARNER_MERGE: "Merge and unmerge ULNs",
    Action.LEARNER_IMPORT: "Bulk-import an existing register",
    Action.BATCH_READ: "Follow the organisation's own batches, their exceptions and output",
    Action.REPORT_MERGES: "List merged and unmerged ULNs",
    Action.AUDIT_READ: "Query the audit log",
    Action.PLR_READ: "Read a learner's learning events and enrolment summary (with their consent)",
    Action.PLR_CHALLENGE: "Challenge a learning event as wrong, or answer a challenge",
    Action.FEED_ILR: "Load ILR returns (the provider's own) and resolve their exceptions",
    Action.FEED_AWARDS: "Load unit and qualification awards as an awarding organisation",
    Action.FEED_SCHOOL: "Load school results (GCSE, A level)",
    Action.CATALOGUE_MANAGE: "Load the qualification and unit catalogue",
    Action.ORGANISATION_MANAGE: "Create organisations and API keys for any organisation",
    Action.USERS_MANAGE: "Invite the organisation's own portal users, set their roles, remove them",
    Action.KEYS_MANAGE: "Create and revoke the organisation's own API keys",
    Action.ORGANISATION_READ: "Read an organisation's name, UKPRN, kind and whether it is active",
}

# Every organisation verifies ULNs, and looks after its own people and keys.
_EVERYONE = {
    Action.LEARNER_VERIFY,
    Action.BATCH_READ,
    Action.ORGANISATION_READ,
    Action.LEARNER_RETRIEVE,
    Action.REPORT_MERGES,
    Action.USERS_MANAGE,
    Action.KEYS_MANAGE,
}
_REGISTRARS = _EVERYONE | {
    Action.LEARNER_REGISTER,
    Action.LEARNER_READ,
    Action.LEARNER_SEARCH,
    Action.LEARNER_UPDATE,
    Action.PLR_READ,
    Action.PLR_CHALLENGE,
}

MATRIX: dict[Kind, frozenset[Action]] = {
    # Providers (colleges, training providers) and schools enrol learners: they register,
    # read and keep details up to date.
    # Providers also send their ILR returns; schools their pupils' results.
    Kind.PROVIDER: frozenset(_REGISTRARS | {Action.FEED_ILR}),
    Kind.SCHOOL: frozenset(_REGISTRARS | {Action.FEED_SCHOOL}),
    # Awarding organisations post results against ULNs: they find a candidate's ULN and read
    # details to confirm who a candidate is, but do not create or change learners.
    # They load their awards and answer challenges to them, and read the PLR (with consent).
    Kind.AWARDING_ORGANISATION: frozenset(
        _EVERYONE
        | {
            Action.LEARNER_READ,
            Action.LEARNER_SEARCH,
            Action.PLR_READ,
            Action.PLR_CHALLENGE,
            Action.FEED_AWARDS,
        }
    ),
    # Universities and careers services check a ULN an applicant gives them; they see
    # whether it matches, never the register's copy of the learner's details, and read the
    # achievements of learners who agreed to share them.
    Kind.UNIVERSITY: frozenset(_EVERYONE | {Action.PLR_READ}),
    Kind.CAREERS_SERVICE: frozenset(_EVERYONE | {Action.PLR_READ}),
    Kind.ADMIN: frozenset(Action),
}


def is_allowed(kind: str, action: Action) -> bool:
    try:
        return action in MATRIX[Kind(kind)]
    except ValueError:
        return False


class Role(StrEnum):
    """A portal user's role within their organisation."""

    ADMIN = "admin"
    REGISTRAR = "registrar"
    VIEWER = "viewer"


ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.ADMIN: "Everything the organisation may do, including its users and API keys",
    Role.REGISTRAR: "Registers learners and keeps their details up to date; loads files",
    Role.VIEWER: "Finds, reads and verifies learners; changes nothing",
}
_READ_ONLY = frozenset(
    {
        Action.LEARNER_READ,
        Action.LEARNER_SEARCH,
        Action.LEARNER_VERIFY,
        Action.LEARNER_RETRIEVE,
        Action.REPORT_MERGES,
        Action.PLR_READ,
        Action.BATCH_READ,
        Action.ORGANISATION_READ,
    }
)
# A role narrows what the organisation's kind allows; it never widens it.
ROLES: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.REGISTRAR: frozenset(Action)
    - {
        Action.ORGANISATION_MANAGE,
        Action.USERS_MANAGE,
        Action.KEYS_MANAGE,
        Action.AUDIT_READ,
        Action.CATALOGUE_MANAGE,
        Action.LEARNER_MERGE,
        Action.LEARNER_IMPORT,
    },
    Role.VIEWER: _READ_ONLY,
}


def role_allows(role: str | None, action: Action) -> bool:
    """Whether a user's role allows ``action``; ``None`` (an API key, the CLI) is not narrowed."""
    if role is None:
        return True
    try:
        return action in ROLES[Role(role)]
    except ValueError:
        return False


def permitted(actor: Actor, action: Action) -> bool:
    """Whether ``require`` would let ``actor`` do ``action`` (to offer only what is allowed)."""
    return is_allowed(actor.organisation_kind, action) and role_allows(actor.role, action)


def require(actor: Actor, action: Action) -> None:
    """The one permission check: the organisation's kind, then the person's role, if any."""
    if not is_allowed(actor.organisation_kind, action):
        raise Forbidden(
            f"A {actor.organisation_kind.replace('_', ' ')} may not do this "
            f"({action.value}); see docs/permissions.md."
        )
    if not role_allows(actor.role, action):
        raise Forbidden(
            f"Your role ({actor.role}) may not do this ({action.value}); "
            "ask an administrator of your organisation."
        )
