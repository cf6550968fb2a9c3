"""Printing FEBRL4: precision, recall and F1 for both systems, and why the engine's links
went wrong."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from quality.febrl import Person
from quality.febrl_ours import FebrlOurs, Pair, rule_out_reason
from quality.febrl_splink import FebrlSplink
from quality.linkage import Scores
from quality.report import console, explain


def _scores_row(label: str, s: Scores) -> list[str]:
    return [
        label,
        f"{s.threshold:g}",
        f"{s.precision:.4f}",
        f"{s.recall:.4f}",
        f"{s.f1:.4f}",
        str(s.tp),
        str(s.fp),
        str(s.fn),
    ]


def report(
    ours: FebrlOurs, splinks: Sequence[FebrlSplink], a: list[Person], b: list[Person], shown: int
) -> None:
    console.rule("[b]FEBRL4: 5,000 × 5,000, 5,000 true links, soc_sec_id never read[/b]")
    console.print(
        f"our blocking: {ours.candidate_pairs:,} candidate pairs, "
        f"{ours.blocking_recall:.2%} of true links retrieved (engine keys alone: "
        f"{ours.blocking_recall_engine_only:.2%}; they need a date of birth and a UK postcode "
        "sector for two of their five kinds)"
    )
    console.print(
        "EM λ per training rule:", {k: round(v, 4) for k, v in ours.fitted.lambdas.items()}
    )
    table = Table(title="FEBRL4 precision / recall / F1")
    for col in ("system", "threshold", "precision", "recall", "F1", "TP", "FP", "FN"):
        table.add_column(col, justify="right" if col != "system" else "left")
    table.add_row(
        *_scores_row("ours, engine as is, 1:1, prior threshold (no labels)", ours.at_prior)
    )
    table.add_row(*_scores_row("ours, engine as is, 1:1, best threshold", ours.best))
    table.add_row(
        *_scores_row(
            "ours without the rule-outs, 1:1, prior threshold", ours.at_prior_without_rule_outs
        )
    )
    table.add_row(
        *_scores_row(
            "ours without the rule-outs, 1:1, best threshold", ours.best_without_rule_outs
        ),
        end_section=True,
    )
    for s in splinks:
        table.add_row(*_scores_row(f"{s.name}, all pairs, best", s.best_pairwise))
        table.add_row(*_scores_row(f"{s.name}, 1:1, best", s.best_one_to_one))
        table.add_row(*_scores_row(f"{s.name}, 1:1, p ≥ 0.5 (no labels)", s.at_half))
    console.print(table)
    console.print(
        "Splink blocking: "
        + "; ".join(f"{s.name}: {s.pairs:,} pairs, {s.blocking_recall:.2%} recall" for s in splinks)
    )
    console.print("true links the engine ruled out, by reason:")
    for why, n in ours.ruled_out_true.most_common():
        console.print(f"  {n:5}  {why}")
    _febrl_weights(ours)
    _errors(ours, a, b, shown)
    times = [("ours", ours.seconds), *((s.name, s.seconds) for s in splinks)]
    console.print(
        "FEBRL4 timings: "
        + "; ".join(
            f"{name}: " + ", ".join(f"{step} {sec:.1f} s" for step, sec in steps.items())
            for name, steps in times
        )
    )


def _why(kind: str, truth: Pair | None) -> str:
    if kind == "false link":
        return "false link"
    if truth is None:
        return "missed: not among the candidate pairs"
    if truth.engine.ruled_out:
        return f"missed, ruled out: {rule_out_reason(truth)}"
    return "missed: below the threshold or its records taken by another link"


def _errors(ours: FebrlOurs, a: list[Person], b: list[Person], shown: int) -> None:
    """The engine-as-is errors at the prior threshold, counted by cause, one example each."""
    groups: dict[str, list[tuple[Pair | None, Pair | None]]] = {}
    for kind, pair, truth in ours.wrong:
        groups.setdefault(_why(kind, truth), []).append((pair, truth))
    console.print("errors at the prior threshold (engine as is), by cause, with an example:")
    for why, group in sorted(groups.items(), key=lambda x: -len(x[1])):
        console.print(f"  [b]{len(group):5}  {why}[/b]")
        for pair, truth in group[: max(1, shown // 5)]:
            if pair is not None:
                console.print(f"         linked:    {_pair(pair, a, b)}")
            if truth is not None:
                console.print(f"         true pair: {_pair(truth, a, b)}")


def _pair(p: Pair, a: list[Person], b: list[Person]) -> str:
    x, y = a[p.a], b[p.b]
    extra = " ".join(f"{f} {w:+.1f}" for f, w in p.address.items() if w)
    return (
        f"{y.rec_id} → {x.rec_id} total {p.total:.1f}; engine: {explain(p.engine)}; "
        f"FEBRL fields: {extra} [dob text {y.dob_text} | {x.dob_text}]"
    )


def _febrl_weights(ours: FebrlOurs) -> None:
    m = ours.fitted.model
    shown = (
        "forename",
        "family_name",
        "date_of_birth",
        "street_number",
        "address_1",
        "address_2",
        "suburb",
        "au_postcode",
        "state",
    )
    console.print("FEBRL4 weights estimated with matching.estimate (bits):")
    for field in shown:
        levels = ", ".join(f"{lv} {m.weight(field, lv):+.2f}" for lv in m.probabilities[field])
        console.print(f"  {field}: {levels}")
