"""`lrs catalogue ...`: load the qualification and unit catalogue, and read a learner's PLR."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from open_lrs.core.cli_support import console, database, reported_errors
from open_lrs.records import catalogue, catalogue_format

app = typer.Typer(help="The qualification and unit catalogue.", no_args_is_help=True)


def _entries(kind: str, data: bytes) -> list[catalogue_format.CatalogueEntry]:
    if kind == "qualifications":
        return catalogue_format.read_qualifications(data)
    return catalogue_format.read_units(data)


@app.command("load")
def load(
    kind: Annotated[
        str, typer.Argument(help="qualifications or units", metavar="{qualifications|units}")
    ],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Load a catalogue file (docs/catalogue.md). Entries that changed get a new version;
    learning events already recorded keep the version they were loaded with."""
    if kind not in ("qualifications", "units"):
        console.print(f"[red]error:[/red] the kind is qualifications or units, not {kind!r}")
        raise typer.Exit(2)
    db = database()
    with reported_errors():
        entries = _entries(kind, file.read_bytes())
        report = catalogue.load(db.unit_of_work(), None, entries)
    typer.echo(
        f"{file.name}: {report.total:,} entries: {report.added:,} added, "
        f"{report.changed:,} changed (new version), {report.unchanged:,} unchanged."
    )


@app.command("load-sample")
def load_sample() -> None:
    """Load the sample catalogue shipped with Open LRS (fictional codes; for trying it out)."""
    db = database()
    with reported_errors():
        report = catalogue.load(db.unit_of_work(), None, catalogue.sample_entries())
    typer.echo(
        f"Sample catalogue: {report.total:,} entries: {report.added:,} added, "
        f"{report.changed:,} changed, {report.unchanged:,} unchanged."
    )
