"""Uploading a batch file, following it as a worker processes it, downloading its output and
resolving its exception, in a real browser, with the mouse and with the keyboard alone."""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

from playwright.sync_api import expect

from tests.batch_files import learner_row, lrs_file, lrs_name
from tests.web.conftest import Driver, Person, Server, register_learner, sign_in


def _output(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {row["MISIdentifier"]: row for row in csv.DictReader(f)}


def test_upload_a_batch_download_its_output_and_resolve_an_exception(
    driver: Driver, person: Person, server: Server, tmp_path: Path
) -> None:
    murphy = register_learner(
        server, given_name="Seán", family_name="Murphy", date_of_birth="2007-03-04", gender="1"
    )
    newcomer = "Chiamaka" if driver.keyboard else "Priya"  # someone new in each run
    rows = [  # a note unique to this run: the same file twice would be refused as a duplicate
        learner_row(1, given_name=newcomer, family_name="Okafor", notes=uuid.uuid4().hex),
        learner_row(2, given_name="Sein", family_name="Murphy", postcode="BT9 5AA"),
    ]
    file = tmp_path / lrs_name(server.ukprn)
    file.write_bytes(lrs_file(server.ukprn, rows))

    sign_in(driver, person)
    driver.follow("Batches")
    driver.press("Upload a file")
    assert driver.heading() == "Upload a file of learners"
    driver.press("Upload file")
    assert driver.errors() == ["Select a file to upload"]
    driver.choose_file("Upload a file", file)
    driver.press("Upload file")
    assert driver.heading().startswith("Batch ")
    # The worker beside the server processes it; the page follows without being reloaded.
    expect(driver.page.locator("[data-batch-status] .govuk-tag")).to_have_text(
        "Complete", timeout=60_000
    )
    expect(driver.page.get_by_text("2 of 2 rows done")).to_be_visible()
    before = _output(driver.download("Download the output file", tmp_path / "first"))
    assert before["MIS00001"]["ReturnCode"] == "RC001"  # a new ULN
    assert before["MIS00002"]["ReturnCode"] == "RC004"  # waiting for a person
    assert murphy in before["MIS00002"]["CandidateULNs"].split()

    driver.goto(driver.page.url.split("?")[0])
    driver.follow("exceptions queue (1 waiting)")
    assert driver.heading() == "Exceptions"
    driver.follow("Resolve", exact=False)
    assert driver.heading() == "Line 3: who is this learner?"
    driver.press("Continue")
    assert driver.errors() == ["Select the learner, or that none of them is this learner"]
    driver.choose(f"Seán Murphy, ULN {murphy}")
    driver.press("Continue")
    assert driver.heading() == "Exceptions"
    assert driver.page.get_by_text(f"ULN {murphy}").first.is_visible()
    after = _output(driver.download("Download the output file", tmp_path / "second"))
    assert after["MIS00002"]["ReturnCode"] == "RC010"
    assert after["MIS00002"]["ResultULN"] == murphy
    assert (after["MIS00001"]["ReturnCode"], after["MIS00001"]["ResultULN"]) == (
        "RC001",
        before["MIS00001"]["ResultULN"],
    )
    assert (after["MIS00001"]["PossibleMatch"], after["MIS00001"]["Existing"]) == ("0", "1")
