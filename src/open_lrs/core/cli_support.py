"""What every CLI command shares: the database from settings, errors as one line, JSON output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console

from open_lrs.core.db import Database
from open_lrs.core.errors import LrsError
from open_lrs.core.logging import configure_logging
from open_lrs.core.settings import get_settings

console = Console(stderr=True)  # progress, messages and errors
out = Console()  # results a user reads or pipes


def database() -> Database:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    return Database.from_url(
        settings.database_url, echo=settings.database_echo, sqlite_tuned=settings.sqlite_tuned
    )


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn a service error into a one-line reason (plus field errors) and exit code 1."""
    try:
        yield
    except LrsError as exc:
        console.print(f"[red]error:[/red] {exc.detail}", highlight=False)
        for err in exc.errors:
            console.print(f"  {err.field}: {err.message}", highlight=False)
        raise typer.Exit(1) from None


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))
