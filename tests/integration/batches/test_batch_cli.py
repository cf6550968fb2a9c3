"""`lrs batch submit / status / output` and `lrs worker --drain`, as real subprocesses."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from open_lrs.batches.models import Batch
from open_lrs.core.db import make_engine
from tests.batch_files import learner_row, lrs_file, lrs_name
from tests.conftest import new_ukprn
from tests.integration.test_cli import _json, lrs


def test_submit_process_and_download_from_the_command_line(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = fresh_database_url
    ukprn = new_ukprn()
    _json(lrs(url, "org", "add", "--name", "Hull College", "--ukprn", ukprn, "--kind",
              "provider", "--json"))  # fmt: skip
    good = tmp_path / lrs_name(ukprn)
    good.write_bytes(
        lrs_file(ukprn, [learner_row(1, given_name="Priya"), learner_row(2, given_name="")])
    )
    submitted = _json(lrs(url, "batch", "submit", str(good), "--ukprn", ukprn, "--json"))
    assert (submitted["status"], submitted["row_count"]) == ("queued", 2)

    again = lrs(url, "batch", "submit", str(good), "--ukprn", ukprn)
    assert again.returncode == 1
    assert f"uploaded before as batch {submitted['id']}" in again.stderr

    bad = tmp_path / "intake.csv"
    bad.write_text("GivenName,FamilyName\nA,B\n", encoding="utf-8")
    refused = lrs(url, "batch", "submit", str(bad), "--ukprn", ukprn)
    assert refused.returncode == 1
    assert "missing column ULN" in refused.stderr

    drained = lrs(url, "worker", "--drain")
    assert drained.returncode == 0, drained.stderr
    assert "after 2 rows" in drained.stderr

    status = _json(lrs(url, "batch", "status", str(submitted["id"]), "--ukprn", ukprn, "--json"))
    assert status["status"] == "complete"
    assert status["codes"] == {"RC001": 1, "RC006": 1}
    watched = lrs(url, "batch", "status", str(submitted["id"]), "--ukprn", ukprn, "--watch")
    assert "complete, 2 of 2 rows done" in watched.stdout

    out = tmp_path / "out.csv"
    written = lrs(url, "batch", "output", str(submitted["id"]), "--ukprn", ukprn, "-o", str(out))
    assert written.returncode == 0, written.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert [r["ReturnCode"] for r in rows] == ["RC001", "RC006"]
    assert len(rows[0]["ResultULN"]) == 10

    # Two days on, with a one-day retention period, the learners' details go; outcomes stay.
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(update(Batch).values(finished_at=datetime.now(UTC) - timedelta(days=2)))
    engine.dispose()
    monkeypatch.setenv("LRS_BATCH_RETENTION_DAYS", "1")
    erased = lrs(url, "batch", "erase-expired")
    assert erased.returncode == 0, erased.stderr
    assert "Erased the details of 1 batch." in erased.stdout
    assert "Erased the details of 0 batches." in lrs(url, "batch", "erase-expired").stdout
    lrs(url, "batch", "output", str(submitted["id"]), "--ukprn", ukprn, "-o", str(out))
    blank = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert [(r["GivenName"], r["ReturnCode"]) for r in blank] == [("", "RC001"), ("", "RC006")]
    assert blank[0]["ResultULN"] == rows[0]["ResultULN"]
