"""Building batch files for tests, in the LRS portal format or as plain CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from open_lrs.batches.columns import COLUMN_TO_FIELD, LEARNER_COLUMNS, LRS_PREFIX
from open_lrs.batches.worker import Worker
from open_lrs.core.db import Database
from tests.factories import MODEL_VERSION

STAMP = "230920261015"  # 23 September 2026, 10:15


def lrs_name(ukprn: str, stamp: str = STAMP) -> str:
    return f"LRB_{ukprn}_{stamp}.CSV"


def lrs_file(ukprn: str, rows: Sequence[Mapping[str, str]], *, stamp: str = STAMP) -> bytes:
    """An LRS portal file: rows give cells by our field names (``given_name``...)."""
    name = lrs_name(ukprn, stamp)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*LRS_PREFIX, *LEARNER_COLUMNS])
    for i, row in enumerate(rows):
        prefix = ["1.0", name, ukprn, str(len(rows))] if i == 0 else ["", "", "", ""]
        writer.writerow([*prefix, *(row.get(COLUMN_TO_FIELD[c], "") for c in LEARNER_COLUMNS)])
    return out.getvalue().encode("utf-8")


def learner_row(n: int, **cells: str) -> dict[str, str]:
    row = {
        "mis_identifier": f"MIS{n:05}",
        "given_name": "William",
        "family_name": "Szymańska",
        "date_of_birth": "2007-03-04",
        "gender": "1",
        "postcode": "CF10 1EP",
    }
    row.update(cells)
    return row


def drain(db: Database, *, retention_days: int = 90, **options: Any) -> int:
    """Run a batch worker, given the matching model version of the default settings, until
    nothing is left to run now (``lrs worker --drain``); the rows it processed."""
    worker = Worker(db, retention_days=retention_days, match_model_version=MODEL_VERSION, **options)
    return worker.run(drain=True)
