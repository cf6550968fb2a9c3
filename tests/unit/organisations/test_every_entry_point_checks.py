"""Every service entry point checks its own permission, whoever calls it.

An entry point is a public function of a feature package that takes a unit of work first and
an ``actor``: the API, the portal, SOAP, the batch worker and the CLI all call these (inside
another's block or not; the unit of work nests). Each is called here with an actor whose
organisation kind may do nothing, and with one whose role may do nothing, and a unit of work
that fails the test if it is opened: each must refuse with ``Forbidden`` before it reads or
writes anything. (A function that looks at its other arguments before checking gets
plausible values: the check may depend on them, as a batch's kind decides whether
registering or verifying is needed.)
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import open_lrs
from open_lrs.core.db import UnitOfWork
from open_lrs.core.errors import Forbidden
from open_lrs.core.security import Actor

# The interfaces call the entry points; they are not entry points themselves.
_INTERFACES = ("api", "routes", "portal", "soap", "cli", "demo", "migrations", "app")


def _service_modules() -> Iterator[Any]:
    for info in pkgutil.walk_packages(open_lrs.__path__, "open_lrs."):
        parts = info.name.split(".")
        if any(part.startswith(_INTERFACES) for part in parts[1:]):
            continue
        yield importlib.import_module(info.name)


def _entry_points() -> list[tuple[str, Callable[..., Any]]]:
    found = []
    for module in _service_modules():
        for name, fn in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(fn):
                continue
            if fn.__module__ != module.__name__:
                continue  # imported from elsewhere: counted where it is defined
            params = list(inspect.signature(fn).parameters)
            if params[:1] == ["uow"] and "actor" in params:
                found.append((f"{module.__name__}.{name}", fn))
    return sorted(found, key=lambda item: item[0])


ENTRY_POINTS = _entry_points()


class _Untouchable(UnitOfWork):
    """A unit of work that fails the test when used: the check comes first."""

    def __init__(self) -> None:
        pass

    def __enter__(self) -> UnitOfWork:
        raise AssertionError("opened the unit of work before checking the permission")

    @property
    def session(self) -> Any:
        raise AssertionError("used the database before checking the permission")


# Plausible values for the arguments (and their attributes) that a function may look at to
# know which permission it needs: a feed's source, a batch's kind.
_SAMPLES: dict[str, Any] = {"source": "ILR", "kind": "registration"}


class _Anything:
    """Any other argument: its attributes are samples or more of the same; it is never
    stored or queried, since nothing is until the permission is checked."""

    def __getattr__(self, name: str) -> Any:
        return _SAMPLES.get(name, _Anything())


def _call(fn: Callable[..., Any], actor: Actor) -> None:
    kwargs: dict[str, Any] = {}
    args: list[Any] = []
    for name, param in inspect.signature(fn).parameters.items():
        if param.default is not inspect.Parameter.empty or param.kind in (
            inspect.Parameter.VAR_POSITIONAL,
            inspect.Parameter.VAR_KEYWORD,
        ):
            continue
        if name == "uow":
            value: Any = _Untouchable()
        elif name == "actor":
            value = actor
        else:
            value = _SAMPLES.get(name, _Anything())
        if param.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[name] = value
        else:
            args.append(value)
    fn(*args, **kwargs)


NO_KIND = Actor(organisation_id=1, organisation_kind="none", ukprn="10000001")
NO_ROLE = Actor(organisation_id=1, organisation_kind="admin", ukprn="10000001", role="none")


def test_the_entry_points_are_found() -> None:
    names = {name.rsplit(".", 1)[1] for name, _ in ENTRY_POINTS}
    assert len(ENTRY_POINTS) >= 50
    assert {"registration", "register", "verify", "verify_details", "apply_changes"} <= names
    assert {"load", "load_file", "merge", "learning_events", "query"} <= names


@pytest.mark.parametrize("actor", [NO_KIND, NO_ROLE], ids=["kind", "role"])
@pytest.mark.parametrize(("name", "fn"), ENTRY_POINTS, ids=[n for n, _ in ENTRY_POINTS])
def test_an_entry_point_refuses_an_actor_without_the_permission(
    name: str, fn: Callable[..., Any], actor: Actor
) -> None:
    with pytest.raises(Forbidden):
        _call(fn, actor)
