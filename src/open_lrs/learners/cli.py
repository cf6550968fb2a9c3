"""`lrs learners ...`: bulk import, merge and unmerge, for administrators."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from sqlalchemy import select

from open_lrs.core.cli_support import console, database, print_json, reported_errors
from open_lrs.core.db import Database
from open_lrs.core.errors import NotFound
from open_lrs.core.security import Actor
from open_lrs.learners import merging
from open_lrs.learners.importer import import_learners
from open_lrs.learners.schemas import MergeResponse
from open_lrs.organisations.models import Organisation
from open_lrs.organisations.permissions import Kind
from open_lrs.organisations.service import system_actor

app = typer.Typer(help="Learners: bulk import, merge and unmerge.", no_args_is_help=True)

AdminUkprn = Annotated[
    str | None,
    typer.Option("--ukprn", help="Act as this admin organisation (default: the first admin one)"),
]
Reason = Annotated[str, typer.Option(help="Why: recorded in both learners' history")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON")]
SHOWN_ERRORS = 50


def admin_actor(db: Database, ukprn: str | None) -> Actor:
    if ukprn is None:
        with db.unit_of_work() as uow:
            ukprn = uow.session.scalar(
                select(Organisation.ukprn)
                .where(Organisation.kind == Kind.ADMIN.value, Organisation.active.is_(True))
                .order_by(Organisation.id)
            )
        if ukprn is None:
            raise NotFound(
                "There is no admin organisation: create one with "
                "'lrs org add --kind admin --name ... --ukprn ...'."
            )
    return system_actor(db.unit_of_work(), ukprn)


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    ukprn: AdminUkprn = None,
    errors_file: Annotated[
        Path | None, typer.Option(help="Write every rejected row's line, field and reason here")
    ] = None,
) -> None:
    """Import an existing register from CSV (columns as in GET /api/v1/learners/{uln}).

    Exit code 0 when every row loaded, 3 when some rows were rejected (the rest loaded),
    1 when the file as a whole was refused (nothing loaded).
    """
    db = database()
    with reported_errors():
        actor = admin_actor(db, ukprn)
        size = file.stat().st_size
        with (
            file.open(encoding="utf-8-sig", newline="") as source,
            Progress(
                TextColumn("importing"),
                BarColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            ) as bar,
        ):
            task = bar.add_task("import", total=size)
            report = import_learners(
                db.unit_of_work(),
                actor,
                source,
                source_name=file.name,
                progress=lambda done: bar.update(task, completed=done),
            )
    rate = report.loaded / report.elapsed_seconds if report.elapsed_seconds else 0.0
    typer.echo(
        f"{report.rows} rows: {report.loaded} loaded, {report.rejected} rejected "
        f"in {report.elapsed_seconds:.1f} s ({rate:,.0f} rows/s)."
    )
    for err in report.errors[:SHOWN_ERRORS]:
        typer.echo(f"  line {err.line}: {err.field}: {err.message}")
    if len(report.errors) > SHOWN_ERRORS:
        typer.echo(
            f"  ... and {len(report.errors) - SHOWN_ERRORS} more"
            + ("" if errors_file else " (use --errors-file to see all)")
        )
    if errors_file:
        with errors_file.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["line", "field", "message"])
            writer.writerows((e.line, e.field, e.message) for e in report.errors)
    if report.rejected:
        raise typer.Exit(3)


@app.command("merge")
def merge(
    master: Annotated[str, typer.Option(help="The ULN that stays")],
    linked: Annotated[str, typer.Option(help="The ULN linked to the master")],
    reason: Reason,
    ukprn: AdminUkprn = None,
    as_json: AsJson = False,
) -> None:
    """Merge two ULNs that belong to one person."""
    db = database()
    with reported_errors():
        result = merging.merge(
            db.unit_of_work(),
            admin_actor(db, ukprn),
            master_uln=master,
            linked_uln=linked,
            reason=reason,
        )
    _report(
        result,
        as_json,
        f"Merged {linked} into {master}; {master} now links "
        f"{', '.join(result.master.linked_ulns)}.",
    )


@app.command("unmerge")
def unmerge(
    linked: Annotated[str, typer.Option(help="The linked ULN to separate again")],
    reason: Reason,
    ukprn: AdminUkprn = None,
    as_json: AsJson = False,
) -> None:
    """Undo a merge; both learners come back exactly as they were."""
    db = database()
    with reported_errors():
        result = merging.unmerge(
            db.unit_of_work(), admin_actor(db, ukprn), linked_uln=linked, reason=reason
        )
    _report(result, as_json, f"Unmerged {linked} from {result.master.uln}.")


def _report(result: MergeResponse, as_json: bool, summary: str) -> None:
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        typer.echo(summary)
