"""The `lrs` command line: one entry point for operators, scripts and `make run`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from open_lrs.batches.cli import app as batch_app
from open_lrs.batches.cli import worker
from open_lrs.core import migrate
from open_lrs.core.cli_support import console, database, print_json
from open_lrs.core.settings import get_settings
from open_lrs.feeds.cli import app as feeds_app
from open_lrs.learners.cli import app as learners_app
from open_lrs.learners.cli_match import app as match_app
from open_lrs.organisations.cli import key_app, org_app, user_app
from open_lrs.records.cli import app as catalogue_app

app = typer.Typer(
    name="lrs",
    help="Open LRS: the Learner Register and Personal Learning Record service.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data for trying the service locally.", no_args_is_help=True)
docs_app = typer.Typer(help="Generate reference documents from the code.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(org_app, name="org")
app.add_typer(key_app, name="key")
app.add_typer(user_app, name="user")
app.add_typer(learners_app, name="learners")
app.add_typer(match_app, name="match")
app.add_typer(batch_app, name="batch")
app.command("worker")(worker)
app.add_typer(feeds_app, name="feeds")
app.add_typer(catalogue_app, name="catalogue")
app.add_typer(demo_app, name="demo")
app.add_typer(docs_app, name="docs")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations (creating the SQLite file under ./var/ if needed)."""
    db = database()
    migrate.upgrade(db.engine, revision)
    typer.echo(f"Database at migration {migrate.current_revision(db.engine)}.")


@db_app.command("check")
def db_check() -> None:
    """Fail if the models and the migrations disagree (alembic check)."""
    db = database()
    migrate.check(db.engine)
    typer.echo("Models and migrations agree.")


@db_app.command("current")
def db_current() -> None:
    """Print the database's migration and the latest one."""
    db = database()
    typer.echo(f"current: {migrate.current_revision(db.engine)}  head: {migrate.head_revision()}")


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Default: LRS_HOST or 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(help="Default: LRS_PORT or 8000")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (about one per core)")] = 1,
) -> None:
    """Serve the API (docs at /docs). Refuses to start on an unmigrated database."""
    from open_lrs.core import serving

    settings = get_settings()
    db = database()
    if not migrate.is_up_to_date(db.engine):
        console.print(
            "[red]error:[/red] the database is not at the latest migration: "
            "run 'lrs db upgrade' first."
        )
        raise typer.Exit(1)
    if workers > 1 and settings.is_sqlite and settings.sqlite_path() is None:
        console.print("[red]error:[/red] an in-memory SQLite database cannot be shared by workers.")
        raise typer.Exit(1)
    serving.run(
        "open_lrs.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        access_log=False,
        log_level="warning",
    )


@demo_app.command("setup")
def demo_setup(
    keys_file: Annotated[Path, typer.Option(help="Where demo keys are kept")] = Path(
        "var/demo-keys.json"
    ),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create demo organisations and learners (development only) and print their keys."""
    from open_lrs.demo.seed import DEMO_TOTP_SECRET, DEMO_USER_PASSWORD, seed, seed_portal_user

    settings = get_settings()
    if settings.environment != "development":
        console.print("[red]error:[/red] demo data is only for LRS_ENVIRONMENT=development.")
        raise typer.Exit(1)
    orgs, ulns = seed(database(), keys_file)
    email = seed_portal_user(database())
    if as_json:
        print_json(
            {
                "organisations": [o.__dict__ for o in orgs],
                "learner_ulns": ulns,
                "portal_user": {
                    "email": email,
                    "password": DEMO_USER_PASSWORD,
                    "totp_secret": DEMO_TOTP_SECRET,
                },
            }
        )
        return
    base = f"http://{settings.host}:{settings.port}"
    typer.echo("Demo organisations and API keys (local demo only):")
    for o in orgs:
        typer.echo(f"  {o.kind:<22} UKPRN {o.ukprn}  {o.name:<26} key: {o.api_key}")
    college_key = orgs[0].api_key
    typer.echo(f"Demo learners' ULNs: {', '.join(ulns)}")
    typer.echo("Try it:")
    typer.echo(f"  curl -H 'Authorization: Bearer {college_key}' {base}/api/v1/learners/{ulns[0]}")
    typer.echo("  Find a learner by demographics (typo'd name, moved):")
    typer.echo(
        f"  curl -H 'Authorization: Bearer {college_key}' -H 'Content-Type: application/json' "
        f"""-d '{{"given_name": "Sian", "family_name": "Evnas", "date_of_birth": "2008-03-15", """
        f""""gender": "2", "postcode": "CF24 3AA"}}' {base}/api/v1/learners/search"""
    )
    typer.echo("  Siân's achievements (her record opens with her ULN and names):")
    typer.echo(
        f"  curl -H 'Authorization: Bearer {college_key}' "
        f"'{base}/api/v1/learners/{ulns[0]}/learning-events?given_name=Si%C3%A2n&family_name=Evans'"
    )
    typer.echo(f"  API docs: {base}/docs")
    typer.echo(f"The organisation portal (local demo only): {base}/sign-in")
    typer.echo(f"  email {email}  password {DEMO_USER_PASSWORD}")
    typer.echo(
        f"  authenticator secret {DEMO_TOTP_SECRET} (add it to an authenticator app, or get a "
        'code with: .venv/bin/python -c "import pyotp; '
        f"print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\")"
    )


@demo_app.command("generate")
def demo_generate(
    learners: Annotated[int, typer.Option(min=1, help="Learners on the register")] = 10_000,
    queries: Annotated[int, typer.Option(min=0, help="Labelled searches of it")] = 2_000,
    seed: Annotated[int, typer.Option(help="The same seed writes the same files")] = 1,
    out: Annotated[Path, typer.Option(help="Directory for register.csv and queries.csv")] = Path(
        "var/demo-data"
    ),
) -> None:
    """Write a made-up UK register and labelled searches of it (no database needed)."""
    from collections import Counter

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    from open_lrs.core.clock import today
    from open_lrs.demo.population import generate_register, write_register_csv
    from open_lrs.demo.queries import (
        ABSENT_SCENARIOS,
        SCENARIOS,
        generate_queries,
        write_queries_csv,
    )

    day = today()
    columns = (TextColumn("generating learners"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True, disable=learners <= 100_000) as bar:
        task = bar.add_task("generate", total=learners)
        register = generate_register(
            learners, seed=seed, today=day, progress=lambda done: bar.update(task, completed=done)
        )
    try:
        cases = generate_queries(register, queries, seed=seed, today=day)
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}; generate more learners.", highlight=False)
        raise typer.Exit(1) from None
    out.mkdir(parents=True, exist_ok=True)
    register_csv = write_register_csv(out / "register.csv", register)
    queries_csv = write_queries_csv(out / "queries.csv", cases)
    counts = Counter(case.scenario for case in cases)
    table = Table("scenario", "searches", "should find", title="Searches by scenario")
    for name in SCENARIOS:
        table.add_row(name, str(counts[name]), "nobody" if name in ABSENT_SCENARIOS else "1")
    console.print(table)
    typer.echo(f"Wrote {len(register)} learners to {register_csv}")
    typer.echo(f"  and {len(cases)} labelled searches to {queries_csv}.")
    typer.echo(f"Next: lrs learners import {register_csv} --ukprn <UKPRN>")


@docs_app.command("permissions")
def docs_permissions(
    output: Annotated[Path, typer.Option()] = Path("docs/permissions.md"),
) -> None:
    """Write the permissions matrix (docs/permissions.md) from the code's one table."""
    from open_lrs.organisations.docs import permissions_markdown

    output.write_text(permissions_markdown(), encoding="utf-8")
    typer.echo(f"Wrote {output}.")


@docs_app.command("verification")
def docs_verification(
    output: Annotated[Path, typer.Option()] = Path("docs/verification.md"),
) -> None:
    """Rewrite the failure-flag section of docs/verification.md from the code's one table."""
    from open_lrs.learners.verification_flags import with_flags_section

    try:
        document = with_flags_section(output.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        console.print(f"[red]error:[/red] {output}: {exc}", highlight=False)
        raise typer.Exit(1) from None
    output.write_text(document, encoding="utf-8")
    typer.echo(f"Wrote the failure flags in {output}.")


if __name__ == "__main__":
    app()
