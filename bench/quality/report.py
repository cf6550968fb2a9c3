"""Printing the results: totals side by side, the targets, the per-scenario breakdowns (where
the weaknesses show), and why the engine went wrong where it did."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from open_lrs.demo.queries import QueryCase
from open_lrs.matching.scoring import Scored
from quality.ours import Diagnosis, OursResult
from quality.outcomes import (
    AUTO_CORRECT,
    CATEGORIES,
    FALSE_EXACT,
    NO_MATCH,
    REVIEW_NO_TRUTH,
    REVIEW_TRUTH,
    TOO_MANY,
    TOO_MANY_,
    Answer,
    Tally,
    classify,
    decide_by_thresholds,
)

console = Console(width=160)
FALSE_EXACT_PER = 2000
FALSE_EXACT_TARGET = 1  # per 2,000 searches
MISSED_TARGET = 0.005  # of searches for people on the register
F1_TARGET = 0.997
_LABELS = {
    AUTO_CORRECT: "auto ✓",
    REVIEW_TRUTH: "review, truth listed",
    REVIEW_NO_TRUTH: "review, truth absent",
    TOO_MANY_: "too many",
    NO_MATCH: "no match",
    FALSE_EXACT: "FALSE EXACT",
}


def _pct(n: int, total: int) -> str:
    return f"{n:,} ({n / total:.2%})" if total else "-"


def totals(tallies: Sequence[Tally]) -> None:
    table = Table(title="Synthetic UK register: every search, side by side", show_lines=False)
    table.add_column("")
    for t in tallies:
        table.add_column(t.name, justify="right")
    present = [t.total(present=True) for t in tallies]
    absent = [t.total(present=False) for t in tallies]
    n_present = sum(present[0].values())
    n_absent = sum(absent[0].values())
    table.add_row(f"[b]on the register ({n_present:,})[/b]", *[""] * len(tallies))
    rows = (
        ("  auto-resolved correctly", AUTO_CORRECT),
        ("  review, truth among candidates", REVIEW_TRUTH),
        ("  review, truth not among them", REVIEW_NO_TRUTH),
        ("  too many matches", TOO_MANY_),
        ("  missed (no match)", NO_MATCH),
        ("  false exact (someone else)", FALSE_EXACT),
    )
    for label, cat in rows:
        table.add_row(label, *[_pct(c[cat], n_present) for c in present])
    table.add_row(f"[b]not on the register ({n_absent:,})[/b]", *[""] * len(tallies))
    for label, cat in (
        ("  no match (right)", NO_MATCH),
        ("  review", REVIEW_NO_TRUTH),
        ("  too many matches", TOO_MANY_),
        ("  false exact (anyone)", FALSE_EXACT),
    ):
        table.add_row(label, *[_pct(c[cat], n_absent) for c in absent])
    everything = [t.total() for t in tallies]
    n = n_present + n_absent
    table.add_row(
        f"[b]false exact, all {n:,} searches[/b]",
        *[
            f"[b]{c[FALSE_EXACT]:,} = {c[FALSE_EXACT] / n * FALSE_EXACT_PER:.2f} per 2,000[/b]"
            for c in everything
        ],
    )
    table.add_row(
        "[b]auto-resolved correctly, all[/b]",
        *[f"[b]{c[AUTO_CORRECT]:,} ({c[AUTO_CORRECT] / n:.2%})[/b]" for c in everything],
    )
    console.print(table)


def targets(ours: Tally, splink: Sequence[Tally], febrl_f1: tuple[float, float] | None) -> None:
    table = Table(title="Targets (issue 3)")
    for column in ("target", "ours", "met?"):
        table.add_column(column)
    everything, present = ours.total(), ours.total(present=True)
    n, n_present = sum(everything.values()), sum(present.values())
    fe = everything[FALSE_EXACT] / n * FALSE_EXACT_PER
    missed = present[NO_MATCH] / n_present
    table.add_row("false exact matches ≤ 1 per 2,000 searches", f"{fe:.2f}", _met(fe <= 1))
    table.add_row(
        "missed ≤ 0.5% of searches for registered learners",
        f"{missed:.2%}",
        _met(missed <= MISSED_TARGET),
    )
    worst, worst_missed = max(
        (
            (name, counts[NO_MATCH] / sum(counts.values()))
            for name, counts in ours.by_scenario.items()
            if name in ours.present_scenarios
        ),
        key=lambda item: item[1],
    )
    table.add_row(
        "  and in every scenario (issue 23)",
        f"{worst_missed:.2%} at most ({worst})",
        _met(worst_missed <= MISSED_TARGET),
    )
    for t in splink:
        theirs = t.total()
        fewer = everything[FALSE_EXACT] <= theirs[FALSE_EXACT]
        more = everything[AUTO_CORRECT] >= theirs[AUTO_CORRECT]
        table.add_row(
            f"auto-resolved ≥ {t.name}, false exacts ≤ its",
            f"auto {everything[AUTO_CORRECT]:,} vs {theirs[AUTO_CORRECT]:,}; "
            f"false exact {everything[FALSE_EXACT]} vs {theirs[FALSE_EXACT]}",
            _met(more and fewer),
        )
    if febrl_f1 is not None:
        as_is, without = febrl_f1
        table.add_row(
            "FEBRL4 F1 ≥ 0.997 (no soc_sec_id), engine as is",
            f"{as_is:.4f}",
            _met(as_is >= F1_TARGET),
        )
        table.add_row(
            "  the same without the engine's rule-outs",
            f"{without:.4f}",
            _met(without >= F1_TARGET),
        )
    console.print(table)


def _met(ok: bool) -> str:
    return "[green]yes[/green]" if ok else "[red]NO[/red]"


def per_scenario(tally: Tally) -> None:
    table = Table(
        title=f"{tally.name}: by scenario (no match is a miss above the line, right below it)"
    )
    table.add_column("scenario")
    table.add_column("n", justify="right")
    for cat in CATEGORIES:
        table.add_column(_LABELS[cat], justify="right")
    for present in (True, False):
        names = sorted(s for s in tally.by_scenario if (s in tally.present_scenarios) == present)
        for s in names:
            c = tally.by_scenario[s]
            n = sum(c.values())
            cells = []
            for cat in CATEGORIES:
                v = c[cat]
                bad = v and (cat == FALSE_EXACT or (present and cat in (NO_MATCH,)))
                cells.append(f"[red]{v}[/red]" if bad else str(v) if v else "·")
            table.add_row(s, str(n), *cells, end_section=s == names[-1])
    console.print(table)


def side_by_side(tallies: Sequence[Tally]) -> None:
    table = Table(
        title="By scenario, side by side: auto ✓ % / missed / false exact "
        "(absent people: right no match % / - / false exact)"
    )
    table.add_column("scenario")
    table.add_column("n", justify="right")
    for t in tallies:
        table.add_column(t.name, justify="right")
    first = tallies[0]
    for present in (True, False):
        names = sorted(s for s in first.by_scenario if (s in first.present_scenarios) == present)
        for s in names:
            cells = []
            for t in tallies:
                c = t.by_scenario[s]
                n = sum(c.values())
                if present:
                    head = f"{c[AUTO_CORRECT] / n:.1%} / {c[NO_MATCH]}"
                else:
                    head = f"{c[NO_MATCH] / n:.1%} / -"
                fe = c[FALSE_EXACT]
                cells.append(f"{head} / " + (f"[red]{fe}[/red]" if fe else "0"))
            n = sum(first.by_scenario[s].values())
            table.add_row(s, str(n), *cells, end_section=s == names[-1])
    console.print(table)


def explain(scored: Scored) -> str:
    return (
        "; ".join(
            f"{p.field} {p.agreement} {p.weight:+.2f} ({p.searched!s} | {p.found!s})"
            for p in scored.explanation
        )
        + f"  = {scored.score:.2f}"
        + ("  [ruled out]" if scored.ruled_out else "")
    )


def _case(d: Diagnosis) -> str:
    c = d.case
    return (
        f"{c.query_id} [{c.scenario}] searched {c.given_name!r} {c.family_name!r} "
        f"{c.date_of_birth} g={c.gender} pc={c.postcode} prev={c.previous_family_name}; "
        f"expected {c.expected_uln}"
    )


def cause(d: Diagnosis, review: float, auto: float) -> str:
    if d.truth is None:
        return "learner not on the register"
    if not d.truth_retrieved:
        return "not retrieved by blocking"
    if d.truth.ruled_out:
        forename = next(p for p in d.truth.explanation if p.field == "forename")
        if forename.agreement == "different":
            return "ruled out: forename 'different'"
        return "ruled out: date of birth different, family name not exact"
    if d.truth.score < review:
        return f"truth below review ({review:g})"
    if d.category == TOO_MANY_:
        return "more than ten plausible candidates"
    top = d.answered[0] if d.answered else None
    if top is not None and top.record.key != d.truth.record.key and top.score >= d.truth.score:
        return "someone else ranked above the truth"
    if d.truth.score < auto:
        return f"truth first, below auto-match ({auto:g})"
    return "another candidate also reached auto-match"


def _typical(group: Sequence[Diagnosis]) -> str:
    """The commonest levels, other than exact and missing, of the truth against the search."""
    levels = Counter(
        f"{p.field}:{p.agreement}"
        for d in group
        if d.truth
        for p in d.truth.explanation
        if p.agreement not in ("exact", "missing")
    )
    return ", ".join(f"{k} ({v})" for k, v in levels.most_common(3))


def diagnoses(result: OursResult, shown: int) -> None:
    review, auto = result.review, result.auto_match
    fe = result.diagnoses.get(FALSE_EXACT, [])
    console.rule("[b]Our engine: false exact matches (the harm)[/b]")
    console.print("by scenario:", dict(Counter(d.case.scenario for d in fe).most_common()))
    for d in fe[:shown]:
        console.print(_case(d))
        console.print(f"  matched:  {explain(d.answered[0])}")
        console.print(f"  truth:    {explain(d.truth) if d.truth else '(not on the register)'}")
    for category, title in (
        (NO_MATCH, "missed: no match for a registered learner"),
        (REVIEW_NO_TRUTH, "review lists without the registered learner"),
        (TOO_MANY_, "too many matches for a registered learner"),
        (REVIEW_TRUTH, "sent to review with the truth listed (not auto-resolved)"),
    ):
        kept = [d for d in result.diagnoses.get(category, []) if d.case.expected_uln]
        console.rule(f"[b]Our engine: {title} ({len(kept)} diagnosed)[/b]")
        if not kept:
            continue
        groups: dict[tuple[str, str], list[Diagnosis]] = {}
        for d in kept:
            groups.setdefault((d.case.scenario, cause(d, review, auto)), []).append(d)
        table = Table()
        for col in ("scenario", "cause", "n", "truth's median score", "its commonest levels"):
            table.add_column(col)
        for (scenario, why), group in sorted(groups.items(), key=lambda x: (-len(x[1]), x[0])):
            scores = sorted(d.truth.score for d in group if d.truth)
            median = f"{scores[len(scores) // 2]:.1f}" if scores else "-"
            table.add_row(scenario, why, str(len(group)), median, _typical(group))
        console.print(table)
        for (_, why), group in sorted(groups.items(), key=lambda x: -len(x[1]))[:shown]:
            d = group[0]
            console.print(f"[i]{why}[/i]: {_case(d)}")
            console.print(f"  truth:    {explain(d.truth) if d.truth else '-'}")
            truth_key = d.truth.record.key if d.truth else None
            other = next((a for a in d.answered if a.record.key != truth_key), None)
            if other is not None:
                console.print(f"  other:    {explain(other)}")


def absent_reviews(result: OursResult, shown: int) -> None:
    """People not on the register whose search was not a plain no match: a person's time."""
    kept = [d for d in result.diagnoses.get(REVIEW_NO_TRUTH, []) if not d.case.expected_uln]
    kept += [d for d in result.diagnoses.get(TOO_MANY_, []) if not d.case.expected_uln]
    console.rule(f"[b]Our engine: people not on the register sent to review ({len(kept)})[/b]")
    if not kept:
        return
    groups: dict[str, list[Diagnosis]] = {}
    for d in kept:
        groups.setdefault(d.case.scenario, []).append(d)
    table = Table()
    for col in ("scenario", "n", "best candidate's median score", "its commonest levels"):
        table.add_column(col)
    for scenario, group in sorted(groups.items(), key=lambda x: -len(x[1])):
        tops = [d.answered[0] for d in group if d.answered]
        scores = sorted(t.score for t in tops)
        median = f"{scores[len(scores) // 2]:.1f}" if scores else "-"
        levels = Counter(
            f"{p.field}:{p.agreement}"
            for t in tops
            for p in t.explanation
            if p.agreement not in ("exact", "missing")
        )
        common = ", ".join(f"{k} ({v})" for k, v in levels.most_common(3))
        table.add_row(scenario, str(len(group)), median, common)
    console.print(table)
    for group in list(groups.values())[:shown]:
        d = group[0]
        console.print(_case(d))
        if d.answered:
            console.print(f"  offered first: {explain(d.answered[0])}")


def sweep(result: OursResult, cases: Sequence[QueryCase]) -> None:
    """What other auto-match thresholds would have done to the same answers (the review
    threshold, rule-outs and candidates unchanged): for whoever tunes the model."""
    table = Table(
        title="Ours: the same searches at other auto-match thresholds (review "
        f"{result.review:g} and rule-outs unchanged)"
    )
    for col in ("auto-match at", "auto ✓", "false exact", "review (present)", "review (absent)"):
        table.add_column(col, justify="right")
    for auto in (20, 21, 22, 23, 24, 25, result.auto_match, 27, 28, 30):
        counts: Counter[tuple[bool, str]] = Counter()
        for case in cases:
            found = result.candidates[case.query_id]
            answer = (
                Answer(TOO_MANY)
                if found is None
                else decide_by_thresholds(found, auto, result.review)
            )
            counts[case.expected_uln is not None, classify(case.expected_uln, answer)] += 1
        fe = counts[True, FALSE_EXACT] + counts[False, FALSE_EXACT]
        style = "b" if auto == result.auto_match else ""
        table.add_row(
            *(
                f"[{style}]{v}[/{style}]" if style else v
                for v in (
                    f"{auto:g}",
                    f"{counts[True, AUTO_CORRECT]:,}",
                    str(fe),
                    f"{counts[True, REVIEW_TRUTH] + counts[True, REVIEW_NO_TRUTH]:,}",
                    f"{counts[False, REVIEW_NO_TRUTH]:,}",
                )
            )
        )
    console.print(table)


def timings(tallies: Sequence[Tally]) -> None:
    table = Table(title="Timings (for information)")
    table.add_column("system")
    table.add_column("step")
    table.add_column("seconds", justify="right")
    for t in tallies:
        for step, s in t.seconds.items():
            table.add_row(t.name, step, f"{s:.1f}")
    console.print(table)
