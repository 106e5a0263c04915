"""The W3C SPARQL 1.1 Protocol test suite (tests/conformance, our table of its cases), run against the
real service on the suite's fixture: every test that applies to a read-only endpoint passes; the update
tests are reported as not applicable, by name."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import running_server

CONFORMANCE = Path(__file__).resolve().parent / "conformance"
UPDATE_TESTS = {"update_dataset_default_graph", "update_dataset_default_graphs", "update_dataset_named_graphs",
                "update_dataset_full", "update_post_form", "update_post_direct", "update_base_uri"}


def test_w3c_protocol_suite_read_only(tmp_path: Path, backend):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(CONFORMANCE / "protocol_fixture.nq", data)
    results = tmp_path / "results.json"
    with backend("--data-dir", str(data)) as arguments, running_server(*arguments) as url:
        run = subprocess.run(
            [sys.executable, str(CONFORMANCE / "protocol_runner.py"), f"{url}/sparql", "--read-only",
             "--include", "all", "--json", str(results)],
            capture_output=True, text=True, timeout=300,
        )
    print(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(results.read_text())
    assert "46 passed, 0 failed" in run.stdout
    assert report, "the runner wrote no results"
    skipped = {line.split()[1] for line in run.stdout.splitlines() if line.startswith("SKIP ")}
    assert skipped == UPDATE_TESTS
