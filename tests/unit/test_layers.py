"""The packages sit in floors and import only downwards; no module imports itself back.

Read from the source (``ast``), not by importing it, so that an import inside a function
counts as much as one at the top. docs/architecture.md draws the same floors.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import open_lrs

SRC = Path(open_lrs.__file__).parent

# A package may import its own floor's packages only where listed in SIDEWAYS, and any
# package on a lower floor. The interfaces (app, cli, models: the whole application) are on
# top; each feature package holds its own API routes and CLI commands.
FLOORS: dict[str, int] = {
    "core": 0,
    "audit": 1,
    "matching": 1,
    "organisations": 2,
    "learners": 3,
    "records": 4,
    "batches": 4,
    "feeds": 5,
    "audit_log": 5,
    "portal": 6,
    "soap": 6,
    "demo": 7,
    "migrations": 7,
    "models": 6,
    "app": 8,
    "cli": 8,
}
SIDEWAYS: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in SRC.rglob("*.py")}
    found: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([node.module] if node.module else []))
                targets = [f"{base}.{a.name}" for a in node.names] + [base]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target.startswith("open_lrs.") and target != name:
                    found[name].add(target)
    return found


IMPORTS = _imports()


def _package(module: str) -> str:
    return module.split(".")[1]


def test_every_package_has_a_floor() -> None:
    packages = {_package(m) for m in IMPORTS} | {_package(t) for ts in IMPORTS.values() for t in ts}
    assert packages <= set(FLOORS), packages - set(FLOORS)


def test_packages_import_only_downwards() -> None:
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in IMPORTS.items()
        for target in targets
        if (a := _package(module)) != (b := _package(target))
        and FLOORS[b] >= FLOORS[a]
        and (a, b) not in SIDEWAYS
    )
    assert wrong == []


def test_no_module_imports_itself_back() -> None:
    """No cycle of modules (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in IMPORTS.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(IMPORTS):
        if module not in index:
            visit(module)
    assert cycles == []


def test_the_reader_sees_imports_inside_functions() -> None:
    """The check is real: a lazy import (as organisations once hid one of audit) counts."""
    assert "open_lrs.core.sqlite.checkpoints" in IMPORTS["open_lrs.core.sqlite.connections"]
    assert any(t.startswith("open_lrs.matching") for t in IMPORTS["open_lrs.learners.search"])
