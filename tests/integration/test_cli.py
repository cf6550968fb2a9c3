"""The `lrs` command line, run as a real subprocess against a real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from open_lrs.core import migrate
from open_lrs.learners.verification_flags import BEGIN, END, flags_markdown
from tests.conftest import new_ukprn

LRS = str(Path(sys.executable).with_name("lrs"))


def lrs(url: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LRS_DATABASE_URL": url, "LRS_ENVIRONMENT": "development"}
    return subprocess.run(
        [LRS, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False
    )


def _json(proc: subprocess.CompletedProcess[str]) -> Any:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_org_and_key_lifecycle(fresh_database_url: str) -> None:
    url = fresh_database_url
    ukprn = new_ukprn()
    created = _json(
        lrs(
            url,
            "org",
            "add",
            "--name",
            "Leeds College",
            "--ukprn",
            ukprn,
            "--kind",
            "provider",
            "--json",
        )
    )
    assert created["api_key"].startswith("lrs_")
    assert isinstance(created["organisation_id"], int)

    duplicate = lrs(url, "org", "add", "--name", "Again", "--ukprn", ukprn, "--kind", "provider")
    assert duplicate.returncode == 1
    assert "already exists" in duplicate.stderr

    bad = lrs(url, "org", "add", "--name", "Bad", "--ukprn", "123", "--kind", "provider")
    assert bad.returncode == 1
    assert "ukprn: must be exactly 8 digits" in bad.stderr

    second = _json(lrs(url, "key", "add", "--ukprn", ukprn, "--name", "MIS", "--json"))
    keys = _json(lrs(url, "key", "list", "--ukprn", ukprn, "--json"))
    assert [k["name"] for k in keys] == ["default", "MIS"]
    assert all("api_key" not in k and "digest" not in json.dumps(k) for k in keys)
    revoked = lrs(url, "key", "revoke", "--ukprn", ukprn, "--key-id", str(second["key_id"]))
    assert revoked.returncode == 0, revoked.stderr
    keys = _json(lrs(url, "key", "list", "--ukprn", ukprn, "--json"))
    assert keys[1]["revoked_at"] is not None
    assert keys[0]["revoked_at"] is None


def test_demo_setup_then_merge_from_the_cli(fresh_database_url: str, tmp_path: Path) -> None:
    url = fresh_database_url
    keys_file = tmp_path / "keys.json"
    demo = _json(lrs(url, "demo", "setup", "--keys-file", str(keys_file), "--json"))
    assert len(demo["learner_ulns"]) == 4
    assert {o["kind"] for o in demo["organisations"]} >= {"provider", "admin"}
    assert oct(keys_file.stat().st_mode & 0o777) == "0o600"
    again = _json(lrs(url, "demo", "setup", "--keys-file", str(keys_file), "--json"))
    assert again == demo  # idempotent: same learners, same keys

    master, linked = demo["learner_ulns"][:2]
    merged = _json(
        lrs(
            url,
            "learners",
            "merge",
            "--master",
            master,
            "--linked",
            linked,
            "--reason",
            "duplicate found by the helpdesk",
            "--json",
        )
    )
    assert merged["master"]["linked_ulns"] == [linked]
    unmerged = _json(
        lrs(url, "learners", "unmerge", "--linked", linked, "--reason", "no", "--json")
    )
    assert unmerged["linked"]["status"] == "active"
    bad = lrs(
        url, "learners", "merge", "--master", "1234567890", "--linked", linked, "--reason", "x"
    )
    assert bad.returncode == 1
    assert "check digit" in bad.stderr


def test_db_commands(fresh_database_url: str) -> None:
    assert "agree" in lrs(fresh_database_url, "db", "check").stdout
    current = lrs(fresh_database_url, "db", "current").stdout
    assert f"current: {migrate.head_revision()}" in current


def test_match_commands_explain_rebuild_and_estimate(
    fresh_database_url: str, tmp_path: Path
) -> None:
    url = fresh_database_url
    assert (
        lrs(
            url, "org", "add", "--name", "Admin", "--ukprn", new_ukprn(), "--kind", "admin"
        ).returncode
        == 0
    )
    register = tmp_path / "register.csv"
    register.write_text(
        "uln,given_name,family_name,date_of_birth,gender,postcode\n"
        "1234567899,Gruffudd,Ap Rhys,2005-01-02,1,LL57 2AB\n"
        "2000000001,Cerys,Ap Rhys,2005-01-02,2,LL57 2AB\n"
        ",Mohammed,Khan,2006-04-05,1,B33 8TH\n",
        encoding="utf-8",
    )
    assert lrs(url, "learners", "import", str(register)).returncode == 0

    found = _json(
        lrs(url, "match", "explain", "--given-name", "Gruffydd", "--family-name", "ap Rhys",
            "--date-of-birth", "2005-01-02", "--gender", "1", "--postcode", "LL57 2AB", "--json")
    )  # fmt: skip
    assert found["code"] == "exact_match"
    [match] = found["matches"]
    assert match["uln"] == "1234567899"
    assert {e["field"]: e["agreement"] for e in match["explanation"]}["forename"] == "similar"

    table = lrs(url, "match", "explain", "--given-name", "Cerys", "--family-name", "Ap Rhys",
                "--date-of-birth", "2005-01-02")  # fmt: skip
    assert table.returncode == 0, table.stderr
    assert "exact_match (WSRC0004)" in table.stdout
    assert "thresholds: match 24, review 12." in " ".join(table.stdout.split())
    assert "ULN 2000000001" in table.stdout
    assert "date_of_birth" in table.stdout

    missing = lrs(url, "match", "explain", "--given-name", "Cerys", "--family-name", "Ap Rhys",
                  "--date-of-birth", "02/01/2005")  # fmt: skip
    assert missing.returncode == 1
    assert "date_of_birth" in missing.stderr

    assert "Filed 3 learners" in lrs(url, "match", "reindex").stdout
    assert "Counted the names of 3 active learners" in lrs(url, "match", "frequencies").stdout

    model = tmp_path / "model-v4.json"
    estimated = lrs(url, "match", "estimate", "--output", str(model), "--sample", "100")
    assert estimated.returncode == 0, estimated.stderr
    data = json.loads(model.read_text(encoding="utf-8"))
    assert data["version"] == "4"  # the next after the current model, 3
    assert set(data["fields"]) >= {"forename", "family_name", "date_of_birth", "postcode"}
    assert set(data["fields"]["forename"]) >= {"short_form", "prefix", "short_edit"}
    assert data["start_frequency_levels"] == ["prefix", "short_form"]
    assert data["thresholds"] == {
        "auto_match": 24.0,
        "review": 12.0,
        "register_size": 100_000,
        "sibling": 2.5,
    }
    assert "v3" in estimated.stdout
    assert "v4" in estimated.stdout


def test_docs_verification_rewrites_only_the_flag_section(tmp_path: Path) -> None:
    doc = tmp_path / "verification.md"
    doc.write_text(f"# Before\n\n{BEGIN}\n| VRF2 | stale |\n{END}\n\nAfter\n", encoding="utf-8")
    done = lrs("sqlite://", "docs", "verification", "--output", str(doc))
    assert done.returncode == 0, done.stderr
    assert doc.read_text(encoding="utf-8") == f"# Before\n\n{flags_markdown()}\n\nAfter\n"
    doc.write_text("# No markers\n", encoding="utf-8")
    refused = lrs("sqlite://", "docs", "verification", "--output", str(doc))
    assert refused.returncode == 1
    assert "no failure-flag markers" in refused.stderr
    assert doc.read_text(encoding="utf-8") == "# No markers\n"
