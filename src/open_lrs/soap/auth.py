"""The LRS interface's credentials, mapped onto our organisations and API keys.

An LRS request names its organisation by UKPRN and carries an organisation password and the
name of the person using the MIS. Here the password is one of the organisation's API keys
(longer than the interface's 16 characters, which does not matter to us), checked by the same
``organisations.service.authenticate`` as the JSON API's bearer keys, and it must belong to
the organisation the UKPRN names. The user name is recorded as who acted, in the audit log and
the learners' history. Every kind of failure gets the same answer (WSEC0005), so that a
caller cannot learn which UKPRNs or keys exist.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from open_lrs.core.actor_cache import ActorCache
from open_lrs.core.db import Database
from open_lrs.core.errors import Unauthenticated
from open_lrs.core.security import Actor
from open_lrs.organisations.service import authenticate as authenticate_key

USER_LABEL_LENGTH = 100  # the audit log's user_label column


@dataclass(frozen=True)
class Credentials:
    ukprn: str | None
    password: str | None
    user_name: str | None
    # The request's elements that carry them, named in the answer to a failure.
    ukprn_element: str = "UKPRN"
    password_element: str = "OrgPassword"  # noqa: S105 - an element name


def authenticate(db: Database, cache: ActorCache, credentials: Credentials) -> Actor:
    """The actor for ``credentials``, acting as the user named; ``Unauthenticated`` else."""
    names = f"{credentials.ukprn_element} and {credentials.password_element}"
    failure = Unauthenticated(
        f"The {names} do not name an organisation and one of its API keys, or the key is "
        "revoked. Send your organisation's UKPRN and one of its API keys as the "
        f"{credentials.password_element}."
    )
    password = (credentials.password or "").strip()
    ukprn = (credentials.ukprn or "").strip()
    if not password or not ukprn:
        raise failure
    actor = cache.get(password)
    if actor is None:
        try:
            actor = authenticate_key(db.unit_of_work(), password)
        except Unauthenticated:
            raise failure from None
        cache.put(password, actor)
    if actor.ukprn != ukprn:
        raise failure
    return replace(actor, user_label=user_label(credentials.user_name))


def user_label(user_name: str | None) -> str | None:
    """The user name as it may be stored: printable, one line, within the column's length."""
    if user_name is None:
        return None
    cleaned = " ".join("".join(ch if ch.isprintable() else " " for ch in user_name).split())
    return cleaned[:USER_LABEL_LENGTH] or None
