"""The suite stands on its own: no test reads beside the repository except the one marked for it, and the
guard that enforces this (read_guard.py) really fails a test that does."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import test_structure
from read_guard import MARKER

from commit_kg.settings import PROJECT_ROOT

TESTS = Path(__file__).resolve().parent

GUARDED_SUITE = {
    "conftest.py": """
        from pathlib import Path
        import read_guard

        def pytest_configure(config):
            read_guard.install(config, Path(__file__).resolve().parent.parent)
    """,
    "test_reads.py": """
        import glob
        import tempfile
        from pathlib import Path

        import pytest

        REPO = Path(__file__).resolve().parent.parent
        BESIDE = REPO.parent / "beside"

        def test_reads_its_own_repository():
            assert (REPO / "inside.txt").read_text() == "inside"

        def test_reads_a_file_beside():
            assert (BESIDE / "doc.txt").read_text() == "beside"

        def test_lists_a_folder_beside():
            assert glob.glob(str(BESIDE / "*.txt"))

        def test_reads_beside_through_a_relative_path(monkeypatch):
            monkeypatch.chdir(REPO)
            with open("../beside/doc.txt") as handle:
                assert handle.read() == "beside"

        @pytest.fixture
        def beside_text():
            return (BESIDE / "doc.txt").read_text()

        def test_reads_beside_in_a_fixture(beside_text):
            assert beside_text == "beside"

        def test_reads_a_file_made_during_the_session(tmp_path):
            with tempfile.NamedTemporaryFile("w", dir=REPO.parent, suffix=".txt", delete=False) as made:
                made.write("made")
            (tmp_path / "x.txt").write_text("tmp")
            assert Path(made.name).read_text() == "made" and (tmp_path / "x.txt").read_text() == "tmp"

        @pytest.mark.reads_outside_repository("the one exempt test")
        def test_marked_may_read_beside():
            assert (BESIDE / "doc.txt").read_text() == "beside"
    """,
    "test_import_reads.py": """
        from pathlib import Path

        TEXT = (Path(__file__).resolve().parent.parent.parent / "beside" / "doc.txt").read_text()

        def test_never_runs():
            assert TEXT
    """,
}


def outcomes(junit: Path) -> dict[str, tuple[str, str]]:
    """Test name -> (passed/failed/error, message) from a JUnit XML report."""
    found = {}
    for case in ET.parse(junit).iter("testcase"):
        problem = next((child for child in case if child.tag in ("failure", "error")), None)
        name = case.get("name") or case.get("classname", "")
        found[name] = ("passed", "") if problem is None else (
            problem.tag, (problem.get("message") or "") + (problem.text or ""))
    return found


def test_guard_fails_the_tests_that_read_beside_the_repository(tmp_path: Path):
    """A small suite in a repository with a folder beside it, run with the guard as ours is."""
    repo, beside = tmp_path / "repo", tmp_path / "beside"
    (repo / "tests").mkdir(parents=True)
    beside.mkdir()
    (beside / "doc.txt").write_text("beside")
    (repo / "inside.txt").write_text("inside")
    (repo / "pytest.ini").write_text("[pytest]\n")
    (repo / "tests" / "read_guard.py").write_text((TESTS / "read_guard.py").read_text())
    for name, source in GUARDED_SUITE.items():
        (repo / "tests" / name).write_text(textwrap.dedent(source))
    junit = tmp_path / "junit.xml"
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", f"--junitxml={junit}",
                          "--continue-on-collection-errors",
                          "tests"], cwd=repo, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    found = outcomes(junit)
    doc = str(beside / "doc.txt")
    assert found["test_reads_its_own_repository"] == ("passed", "")
    assert found["test_reads_a_file_made_during_the_session"] == ("passed", "")
    assert found["test_marked_may_read_beside"] == ("passed", "")
    for name in ("test_reads_a_file_beside", "test_reads_beside_through_a_relative_path"):
        assert found[name][0] == "failure" and doc in found[name][1] and "(open)" in found[name][1], found[name]
    assert found["test_lists_a_folder_beside"][0] == "failure"
    assert f"{beside}/*.txt (glob.glob)" in found["test_lists_a_folder_beside"][1]
    assert found["test_reads_beside_in_a_fixture"][0] == "error" and doc in found["test_reads_beside_in_a_fixture"][1]
    assert "test_never_runs" not in found
    collection = [message for name, (status, message) in found.items() if "test_import_reads" in name]
    assert len(collection) == 1 and doc in collection[0], found


def test_this_session_runs_under_the_guard(pytestconfig: pytest.Config):
    guard = pytestconfig.pluginmanager.get_plugin("read-guard")
    assert guard is not None and guard.root == PROJECT_ROOT.resolve()
    assert guard.active, "the guard is not watching while a test runs"


def marked_tests() -> list[str]:
    """Every test function in tests/ decorated with the exempting marker, as file::name."""
    found = []
    for path in sorted(TESTS.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for decorator in node.decorator_list:
                    target = decorator.func if isinstance(decorator, ast.Call) else decorator
                    if isinstance(target, ast.Attribute) and target.attr == MARKER:
                        found.append(f"{path.name}::{node.name}")
    return found


def test_only_the_seed_test_may_read_beside_the_repository():
    assert marked_tests() == ["test_structure.py::test_seed_citations_point_at_real_lines"]


def test_seed_check_skips_naming_where_the_document_must_be(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    missing = tmp_path / "shared" / "seed"
    monkeypatch.setattr(test_structure, "SEED_DIR", missing)
    with pytest.raises(pytest.skip.Exception, match=re.escape(str(missing))):
        test_structure.test_seed_citations_point_at_real_lines(store=None)
