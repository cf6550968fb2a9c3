"""Benchmark: `lrs learners import` of a generated register, on SQLite and PostgreSQL.

    .venv/bin/python bench/import_learners.py --rows 1000000
    .venv/bin/python bench/import_learners.py --rows 100000 --backends sqlite

Generates the CSV once (half the rows carry a ULN, half are issued one), then for each backend
makes a fresh, migrated database, creates an admin organisation, and runs the real CLI command
in a child process, so that the peak memory reported is the importer's alone (from wait4).
PostgreSQL: set LRS_BENCH_POSTGRES_URL (or LRS_TEST_POSTGRES_URL, or start one with
scripts/postgres.sh); a throw-away database is created on that server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from open_lrs.core import migrate
from open_lrs.core.db import drop_database, make_engine
from open_lrs.demo.generator import write_csv
from open_lrs.learners.models import Learner

ROOT = Path(__file__).resolve().parents[1]
LRS = [sys.executable, "-m", "open_lrs.cli"]
RESULT = re.compile(r"(\d+) rows: (\d+) loaded, (\d+) rejected in ([\d.]+) s")


def postgres_server_url() -> str | None:
    return os.environ.get("LRS_BENCH_POSTGRES_URL") or os.environ.get("LRS_TEST_POSTGRES_URL")


def fresh_database(backend: str, workdir: Path) -> tuple[str, Callable[[], None]]:
    """A migrated empty database's URL, and a callable that drops it."""
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"

        def drop() -> None:
            """The temporary directory goes, and the database with it."""

    else:
        server = postgres_server_url()
        if not server:
            raise SystemExit("PostgreSQL: set LRS_BENCH_POSTGRES_URL (see scripts/postgres.sh)")
        name = f"lrs_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(server).set(database=name).render_as_string(hide_password=False)

        def drop() -> None:
            try:
                drop_database(admin, name)
            except DBAPIError as exc:  # the figures are printed already: say so, do not lose them
                print(
                    f"could not drop database {name} ({type(exc).__name__}); drop it as a "
                    f'superuser: DROP DATABASE "{name}" WITH (FORCE)',
                    flush=True,
                )
            admin.dispose()

    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url, drop


def kept_database(backend: str, folder: Path, name: str) -> tuple[str, Callable[[], None], bool]:
    """A database that outlives the run: its URL, a no-op drop, and whether it was built
    before (then it is only migrated)."""
    if backend == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.sqlite3"
        built = path.exists()
        url = f"sqlite:///{path}"
    else:
        server = postgres_server_url()
        if not server:
            raise SystemExit("PostgreSQL: set LRS_BENCH_POSTGRES_URL (see scripts/postgres.sh)")
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            built = bool(conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                     {"n": f"lrs_bench_{name}"}))  # fmt: skip
            if not built:
                conn.execute(text(f'CREATE DATABASE "lrs_bench_{name}"'))
        admin.dispose()
        url = (
            make_url(server).set(database=f"lrs_bench_{name}").render_as_string(hide_password=False)
        )
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url, lambda: None, built


def run_import(url: str, csv_path: Path) -> dict[str, float]:
    env = {**os.environ, "LRS_DATABASE_URL": url, "LRS_LOG_LEVEL": "WARNING"}
    subprocess.run(
        [*LRS, "org", "add", "--name", "Bench admins", "--ukprn", "10000000", "--kind", "admin"],
        env=env,
        check=True,
        capture_output=True,
    )
    started = time.perf_counter()
    child = subprocess.Popen(
        [*LRS, "learners", "import", str(csv_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        raise SystemExit(f"import failed:\n{output}")
    match = RESULT.search(output)
    if match is None:
        raise SystemExit(f"unexpected output:\n{output}")
    rows, loaded, rejected, seconds = match.groups()
    engine = make_engine(url)
    with engine.connect() as conn:
        in_db = conn.scalar(select(func.count()).select_from(Learner))
    engine.dispose()
    return {
        "rows": int(rows),
        "loaded": int(loaded),
        "rejected": int(rejected),
        "in_db": int(in_db or 0),
        "import_s": float(seconds),
        "wall_s": wall,
        "peak_rss_mb": usage.ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    with tempfile.TemporaryDirectory(prefix="lrs-bench-") as tmp:
        workdir = Path(tmp)
        csv_path = workdir / "learners.csv"
        t = time.perf_counter()
        write_csv(csv_path, args.rows, seed=args.seed)
        size_mb = csv_path.stat().st_size / 1e6
        print(
            f"generated {args.rows:,} learners ({size_mb:,.0f} MB CSV) "
            f"in {time.perf_counter() - t:.1f} s"
        )
        print(
            f"{'backend':<11} {'rows':>10} {'loaded':>10} {'rejected':>8} {'import s':>9} "
            f"{'rows/s':>8} {'wall s':>7} {'peak RSS MB':>11}"
        )
        for backend in backends:
            url, drop = fresh_database(backend, workdir)
            try:
                r = run_import(url, csv_path)
            finally:
                drop()
            if r["in_db"] != r["loaded"]:
                raise SystemExit(f"{backend}: {r['in_db']} learners stored, not {r['loaded']}")
            print(
                f"{backend:<11} {r['rows']:>10,.0f} {r['loaded']:>10,.0f} {r['rejected']:>8,.0f} "
                f"{r['import_s']:>9.1f} {r['loaded'] / r['import_s']:>8,.0f} "
                f"{r['wall_s']:>7.1f} {r['peak_rss_mb']:>11,.0f}"
            )


if __name__ == "__main__":
    main()
