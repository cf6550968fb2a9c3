"""`lrs org ...` and `lrs key ...`: organisations and API keys, for administrators."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from open_lrs.core.cli_support import console, database, print_json, reported_errors
from open_lrs.organisations import service, users
from open_lrs.organisations.models import Organisation
from open_lrs.organisations.permissions import Kind, Role

org_app = typer.Typer(
    help="Organisations (providers, awarding organisations, schools...).", no_args_is_help=True
)
key_app = typer.Typer(
    help="API keys: shown once when created, stored only as a hash.", no_args_is_help=True
)
user_app = typer.Typer(
    help="People who sign in to the portal (passwords stored only as Argon2 hashes).",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts")]
UkprnOpt = Annotated[str, typer.Option("--ukprn", help="The organisation's 8-digit UKPRN")]


@org_app.command("add")
def org_add(
    name: Annotated[str, typer.Option(help="The organisation's name")],
    ukprn: UkprnOpt,
    kind: Annotated[Kind, typer.Option(help="What kind of organisation it is")],
    as_json: JsonOpt = False,
) -> None:
    """Create an organisation and print its first API key (shown only this once)."""
    with reported_errors():
        created = service.create_organisation(
            database().unit_of_work(), name=name, ukprn=ukprn, kind=kind.value
        )
    if as_json:
        print_json(
            {
                "organisation_id": created.organisation_id,
                "ukprn": created.ukprn,
                "key_id": created.key_id,
                "api_key": created.api_key,
            }
        )
        return
    typer.echo(
        f"Organisation {created.organisation_id} created (UKPRN {created.ukprn}, {kind.value})."
    )
    typer.echo(f"API key (copy it now; it is not shown again): {created.api_key}")


@org_app.command("list")
def org_list(as_json: JsonOpt = False) -> None:
    """List organisations."""
    db = database()
    with db.unit_of_work() as uow:
        rows = list(uow.session.scalars(select(Organisation).order_by(Organisation.id)))
    if as_json:
        print_json(
            [
                {"id": o.id, "name": o.name, "ukprn": o.ukprn, "kind": o.kind, "active": o.active}
                for o in rows
            ]
        )
        return
    table = Table("id", "UKPRN", "kind", "name", "active")
    for o in rows:
        table.add_row(str(o.id), o.ukprn, o.kind, o.name, "yes" if o.active else "no")
    console.print(table)


@key_app.command("add")
def key_add(
    ukprn: UkprnOpt,
    name: Annotated[str, typer.Option(help="What the key is for, e.g. 'MIS integration'")],
    as_json: JsonOpt = False,
) -> None:
    """Create another API key for an organisation."""
    with reported_errors():
        created = service.add_key(database().unit_of_work(), ukprn=ukprn, name=name)
    if as_json:
        print_json(
            {
                "organisation_id": created.organisation_id,
                "key_id": created.key_id,
                "api_key": created.api_key,
            }
        )
        return
    typer.echo(f"API key {created.key_id} '{created.name}' (copy it now): {created.api_key}")


@key_app.command("list")
def key_list(ukprn: UkprnOpt, as_json: JsonOpt = False) -> None:
    """List an organisation's keys (never the secrets)."""
    with reported_errors():
        keys = service.list_keys(database().unit_of_work(), ukprn=ukprn)
    if as_json:
        print_json([k.__dict__ for k in keys])
        return
    table = Table("id", "name", "prefix", "created", "last used", "revoked")
    for k in keys:
        table.add_row(
            str(k.id),
            k.name,
            k.prefix,
            f"{k.created_at:%Y-%m-%d %H:%M}",
            f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "never",
            f"{k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "",
        )
    console.print(table)


@key_app.command("revoke")
def key_revoke(
    ukprn: UkprnOpt, key_id: Annotated[int, typer.Option("--key-id", help="From 'lrs key list'")]
) -> None:
    """Revoke a key at once; calls with it get 401 from then on."""
    with reported_errors():
        info = service.revoke_key(database().unit_of_work(), ukprn=ukprn, key_id=key_id)
    typer.echo(
        f"API key {info.id} '{info.name}' revoked at {info.revoked_at:%Y-%m-%d %H:%M:%S} UTC."
    )


@user_app.command("add")
def user_add(
    ukprn: UkprnOpt,
    email: Annotated[str, typer.Option(help="The user's email address (they sign in with it)")],
    name: Annotated[str, typer.Option(help="The user's name, as the history of changes shows it")],
    role: Annotated[Role, typer.Option(help="What the user may do; see docs/permissions.md")],
    set_password: Annotated[
        bool,
        typer.Option(
            "--set-password",
            help="Type the user's password here (asked twice, not echoed) instead of printing a "
            "one-time password",
        ),
    ] = False,
) -> None:
    """Add a portal user. By default prints a one-time password (shown only this once, valid for
    7 days) that the user replaces at first sign-in, when they also set up an authenticator
    app."""
    if set_password:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        change_required = False
    else:
        password = users.one_time_password()
        change_required = True
    with reported_errors():
        info = users.add_user(
            database().unit_of_work(),
            ukprn=ukprn,
            email=email,
            display_name=name,
            role=role.value,
            password=password,
            change_required=change_required,
        )
    typer.echo(f"User {info.id} {info.email} added to UKPRN {info.ukprn} as {info.role}.")
    if change_required:
        assert info.password_expires_at is not None
        typer.echo(
            f"One-time password (give it to the user; it is not shown again): {password}\n"
            f"It expires at {info.password_expires_at:%Y-%m-%d %H:%M} UTC "
            f"({users.ONE_TIME_PASSWORD_LIFETIME.days} days). They choose their own password "
            "and set up an authenticator app when they first sign in."
        )
