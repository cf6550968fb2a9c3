"""`lrs worker` and `lrs batch ...`: from the command line what the batch API does."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from open_lrs.batches import service
from open_lrs.batches import worker as worker_module
from open_lrs.batches.schemas import BatchStatus
from open_lrs.batches.worker import Worker
from open_lrs.core.batch_windows import Windows
from open_lrs.core.cli_support import console, database, print_json, reported_errors
from open_lrs.core.db import Database
from open_lrs.core.security import Actor
from open_lrs.core.settings import get_settings
from open_lrs.organisations.service import system_actor

app = typer.Typer(help="Batch registration files and their output.", no_args_is_help=True)

Ukprn = Annotated[str, typer.Option(help="The organisation submitting (its UKPRN)")]


def worker(
    drain: Annotated[
        bool, typer.Option(help="Process everything that may run now, then exit")
    ] = False,
    chunk: Annotated[int, typer.Option(min=1, max=1000, help="Rows per transaction")] = 50,
    poll: Annotated[float, typer.Option(min=0.1, help="Seconds between looks when idle")] = 1.0,
) -> None:
    """Process queued batches. Stop with SIGTERM or Ctrl-C: the chunk in hand is finished
    first. Run as many as you like on PostgreSQL; on SQLite one is enough."""
    db = database()
    console.print("Worker started" + (" (draining)" if drain else "") + ".")
    settings = get_settings()
    done = Worker(
        db,
        retention_days=settings.batch_retention_days,
        match_model_version=settings.match_model_version,
        chunk=chunk,
        poll_seconds=poll,
    ).run(drain=drain)
    console.print(f"Worker stopped after {done:,} rows.")


@app.command("erase-expired")
def erase_expired() -> None:
    """Erase now the learners' details of batches finished more than LRS_BATCH_RETENTION_DAYS
    ago (workers do it when idle, hourly). Their outcomes and output files stay."""
    erased = worker_module.erase_expired(database(), get_settings().batch_retention_days)
    typer.echo(f"Erased the details of {erased:,} batch{'es' if erased != 1 else ''}.")


@app.command("submit")
def submit(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    ukprn: Ukprn,
    allow_duplicate: Annotated[
        bool, typer.Option(help="Queue a file uploaded before (its learners are only found)")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the batch as JSON")] = False,
) -> None:
    """Check a batch file and queue it, or list every problem that refuses it."""
    db = database()
    windows = get_settings().batch_windows()
    with reported_errors():
        actor = system_actor(db.unit_of_work(), ukprn)
        batch = service.submit_file(
            db.unit_of_work(),
            actor,
            file.read_bytes(),
            filename=file.name,
            windows=windows,
            allow_duplicate=allow_duplicate,
        )
        status = service.status_of(service.progress(db.unit_of_work(), actor, batch.id), windows)
    if as_json:
        print_json(status.model_dump(mode="json"))
    else:
        typer.echo(f"Batch {batch.id} queued: {batch.row_count:,} rows; runs {status.runs}.")


@app.command("status")
def status(
    batch_id: Annotated[int, typer.Argument(min=1)],
    ukprn: Ukprn,
    watch: Annotated[bool, typer.Option(help="Show a progress bar until it completes")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """A batch's status and counts by outcome."""
    db = database()
    windows = get_settings().batch_windows()
    with reported_errors():
        actor = system_actor(db.unit_of_work(), ukprn)
        current = _status(db, actor, batch_id, windows)
        if watch and not _complete(current):
            with Progress(
                TextColumn(f"batch {batch_id}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
            ) as bar:
                task = bar.add_task("rows", total=current.row_count, completed=current.rows_done)
                while not _complete(current):
                    time.sleep(1)
                    current = _status(db, actor, batch_id, windows)
                    bar.update(task, completed=current.rows_done)
    if as_json:
        print_json(current.model_dump(mode="json"))
        return
    typer.echo(
        f"Batch {current.id}: {current.status}, {current.rows_done:,} of "
        f"{current.row_count:,} rows done"
    )
    for outcome, n in (current.totals.model_dump() if current.totals else current.codes).items():
        typer.echo(f"  {outcome}: {n:,}")


def _status(db: Database, actor: Actor, batch_id: int, windows: Windows) -> BatchStatus:
    return service.status_of(service.progress(db.unit_of_work(), actor, batch_id), windows)


def _complete(status: BatchStatus) -> bool:
    return status.status == "complete"


@app.command("output")
def output(
    batch_id: Annotated[int, typer.Argument(min=1)],
    ukprn: Ukprn,
    out: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout")
    ] = None,
) -> None:
    """The output file: every row with its ULN and return code (docs/batch-format.md)."""
    db = database()
    with reported_errors():
        actor = system_actor(db.unit_of_work(), ukprn)
        name, body = service.output_file(db.unit_of_work(), actor, batch_id)
    if out is None:
        typer.echo(body.decode("utf-8-sig"), nl=False)
    else:
        out.write_bytes(body)
        console.print(f"Wrote {out} ({name}).")
