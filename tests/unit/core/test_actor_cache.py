"""Remembered API keys: expire on time, can be turned off, keep no plaintext key."""

from __future__ import annotations

import pytest

from open_lrs.core import actor_cache
from open_lrs.core.actor_cache import ActorCache
from open_lrs.core.security import Actor

ACTOR = Actor(organisation_id=1, organisation_kind="provider", ukprn="10000001", api_key_id=7)


def test_a_key_is_remembered_until_it_expires() -> None:
    now = [0.0]
    cache = ActorCache(5, clock=lambda: now[0])
    assert cache.get("lrs_abc_secret") is None
    cache.put("lrs_abc_secret", ACTOR)
    now[0] = 4.99
    assert cache.get("lrs_abc_secret") == ACTOR
    assert cache.get("lrs_abc_other") is None
    now[0] = 5.0
    assert cache.get("lrs_abc_secret") is None


def test_zero_seconds_remembers_nothing() -> None:
    cache = ActorCache(0)
    cache.put("lrs_abc_secret", ACTOR)
    assert cache.get("lrs_abc_secret") is None


def test_only_digests_are_kept_and_a_full_cache_starts_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(actor_cache, "MAX_ENTRIES", 2)
    cache = ActorCache(60)
    cache.put("lrs_a_secret", ACTOR)
    cache.put("lrs_b_secret", ACTOR)
    assert not any("secret" in k for k in cache._entries)
    cache.put("lrs_c_secret", ACTOR)
    assert cache.get("lrs_a_secret") is None
    assert cache.get("lrs_c_secret") == ACTOR
    cache.clear()
    assert cache.get("lrs_c_secret") is None
