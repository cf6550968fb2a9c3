"""`lrs feeds ...`: load a feed file from the command line and print its load report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from open_lrs.core.cli_support import console, database, out, print_json, reported_errors
from open_lrs.core.settings import get_settings
from open_lrs.feeds import service
from open_lrs.feeds.loading import LoadReport
from open_lrs.feeds.service import FileSource
from open_lrs.organisations.service import system_actor

app = typer.Typer(help="Data feeds into the Personal Learning Record.", no_args_is_help=True)

SOURCES: dict[str, FileSource] = {"ilr": "ILR", "ao": "AO", "school": "NPD"}


def _print(file_name: str, report: LoadReport) -> None:
    out.print(f"{file_name}: feed load {report.load_id}", highlight=False)
    table = Table()
    table.add_column("Outcome")
    table.add_column("Records", justify="right")
    for name, count in report.counts().items():
        table.add_row(name, f"{count:,}")
    out.print(table)
    for p in report.problems[:50]:
        where = f"line {p.line}, " if p.line else ""
        out.print(f"  {where}{p.field}: {p.message}", highlight=False)
    if len(report.problems) > 50:
        out.print(f"  … and {len(report.problems) - 50:,} more (GET /api/v1/feeds/loads)")


@app.command("load")
def load(
    kind: Annotated[str, typer.Argument(metavar="{ilr|ao|school}", help="The feed's format")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    ukprn: Annotated[
        str | None,
        typer.Option(help="The organisation sending the file (its UKPRN); an ILR return's own"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Load an ILR return, an awarding organisation's awards or school results, and print the
    load report: loaded, superseded, unchanged, rejected (with reasons) and unmatched."""
    source = SOURCES.get(kind.lower())
    if source is None:
        console.print(f"[red]error:[/red] the feed is ilr, ao or school, not {kind!r}")
        raise typer.Exit(2)
    if ukprn is None and source != "ILR":
        console.print("[red]error:[/red] --ukprn is needed: the file does not say who sent it")
        raise typer.Exit(2)
    db = database()
    version = get_settings().match_model_version
    data = file.read_bytes()
    with reported_errors():
        sender = ukprn or service.ilr_sender(data, file_name=file.name)
        actor = system_actor(db.unit_of_work(), sender)
        with console.status(f"Loading {file.name}…"):
            report = service.load_file(
                db.unit_of_work(), actor, source, data, version, file_name=file.name
            )
    if as_json:
        print_json(
            {
                "load_id": report.load_id,
                **report.counts(),
                "problems": [p.__dict__ for p in report.problems],
            }
        )
    else:
        _print(file.name, report)
