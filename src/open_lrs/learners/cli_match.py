"""`lrs match ...`: searches explained for operators, and the upkeep of matching's tables.

Here, not in the matching package, because every command works on the register: a search as
the API runs it, re-filing or counting the learners, sampling them. Matching is the engine.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from open_lrs.core.cli_support import console, database, out, print_json, reported_errors
from open_lrs.core.settings import get_settings
from open_lrs.learners import search
from open_lrs.learners.cli import AdminUkprn, AsJson, admin_actor
from open_lrs.learners.matching_store import STORE
from open_lrs.learners.search_schemas import SearchRequest, SearchResponse
from open_lrs.matching import model as model_file
from open_lrs.matching.estimate import compare_weights

app = typer.Typer(help="Matching: explain a search, rebuild keys and name counts, re-estimate.")

OUTCOME_WORDS = {
    "exact_match": "one learner, sure enough to use without checking",
    "possible_matches": "candidates for a person to choose from",
    "no_match": "nobody on the register is like this learner",
    "too_many_matches": "more than 10 learners are like this one: give more details",
}


@app.command("explain")
def explain(
    given_name: Annotated[str, typer.Option(help="Given name (middle names may follow)")],
    family_name: Annotated[str, typer.Option()],
    date_of_birth: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    gender: Annotated[str | None, typer.Option(help="0, 1, 2 or 9")] = None,
    postcode: Annotated[str | None, typer.Option()] = None,
    previous_family_name: Annotated[str | None, typer.Option()] = None,
    ukprn: AdminUkprn = None,
    as_json: AsJson = False,
) -> None:
    """Search the register as the API does and show, for each candidate, how every field
    agreed and what it weighed. The search is audited as the organisation's."""
    with reported_errors():
        request = SearchRequest.model_validate(
            {
                "given_name": given_name,
                "family_name": family_name,
                "date_of_birth": date_of_birth,
                "gender": gender,
                "postcode": postcode,
                "previous_family_name": previous_family_name,
            }
        )
        db = database()
        result = search.search(
            db.unit_of_work(),
            admin_actor(db, ukprn),
            request,
            get_settings().match_model_version,
        )
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    _print_result(result)


def _print_result(result: SearchResponse) -> None:
    out.print(
        f"[bold]{result.code}[/bold] ({result.lrs_code}): {OUTCOME_WORDS[result.code]}. "
        f"Model version {result.model_version}; thresholds: match "
        f"{result.thresholds.auto_match:g}, review {result.thresholds.review:g}."
    )
    for rank, match in enumerate(result.matches, start=1):
        learner = match.learner
        note = f", matched linked ULN {match.matched_uln}" if match.master_substituted else ""
        table = Table(
            title=f"{rank}. ULN {match.uln}: {learner.given_name} {learner.family_name}, "
            f"born {learner.date_of_birth}, {learner.postcode}{note}",
            title_justify="left",
        )
        for column in ("field", "searched", "on the register", "agreement"):
            table.add_column(column)
        table.add_column("weight", justify="right")
        for part in match.explanation:
            table.add_row(
                part.field,
                part.searched or "",
                part.found or "",
                part.agreement,
                f"{part.weight:+.2f}",
            )
        table.add_row("", "", "", "[bold]score[/bold]", f"[bold]{match.score:.2f}[/bold]")
        out.print(table)


@app.command("reindex")
def reindex() -> None:
    """File every learner under its blocking keys again (after an upgrade that changes them)."""
    db = database()
    with (
        reported_errors(),
        db.unit_of_work() as uow,
        console.status("re-filing learners under their blocking keys"),
    ):
        count = STORE.rebuild_keys(uow.session.connection())
        uow.commit()
    out.print(f"Filed {count:,} learners under their blocking keys.")


@app.command("frequencies")
def frequencies() -> None:
    """Count how common each forename, its starts and each family name are (run nightly)."""
    db = database()
    with reported_errors(), db.unit_of_work() as uow, console.status("counting names"):
        total = STORE.refresh_frequencies(uow.session.connection())
        uow.commit()
    out.print(f"Counted the names of {total:,} active learners.")


@app.command("estimate")
def estimate(
    output: Annotated[Path, typer.Option(help="Where to write the new model file")],
    version: Annotated[
        str | None, typer.Option(help="The new model's version (default: the next number)")
    ] = None,
    sample: Annotated[int, typer.Option(min=100, help="Learners sampled")] = 20_000,
    seed: Annotated[int, typer.Option()] = 1,
) -> None:
    """Re-estimate the model's m and u from the register (u from random pairs, m by EM over
    blocked candidate pairs, one session per blocking rule) and write a new model file.
    Prints the old and new weight of every level for review; the thresholds, and the register
    size they hold for, are kept."""
    from open_lrs.matching import sampling

    db = database()
    with (
        reported_errors(),
        db.unit_of_work() as uow,
        console.status(f"sampling {sample:,} learners and their candidates"),
    ):
        start = search.current_model(get_settings().match_model_version)
        if version is None:
            version = str(int(start.version) + 1) if start.version.isdigit() else "new"
        data = sampling.estimate_model(
            uow.session, STORE, start, sample=sample, seed=seed, version=version
        )
    output.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    new = model_file.Model.from_dict(data)
    table = Table(title=f"weights: model {start.version} → {new.version}", title_justify="left")
    table.add_column("field")
    table.add_column("level")
    table.add_column(f"v{start.version}", justify="right")
    table.add_column(f"v{new.version}", justify="right")
    for field, level, old_w, new_w in compare_weights(start, new):
        table.add_row(
            field,
            level,
            "" if old_w is None else f"{old_w:+.2f}",
            "" if new_w is None else f"{new_w:+.2f}",
        )
    out.print(table)
    console.print(
        f"Wrote {output}. Review it, choose thresholds on labelled pairs (docs/matching.md), "
        f"then install it as matching/data/model-v{version}.json and set "
        f"LRS_MATCH_MODEL_VERSION={version}."
    )
