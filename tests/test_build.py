"""The build gate: parse errors and integrity violations are refused with their location."""

from __future__ import annotations

from pathlib import Path

import pytest

from commit_kg.build import build
from commit_kg.cli import main
from commit_kg.errors import IntegrityError, ParseError
from commit_kg.namespaces import ID


def break_line(path: Path, line_number: int) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line_number - 1] = lines[line_number - 1] + ' "unterminated'
    path.write_text("\n".join(lines), encoding="utf-8")


def statement_line(path: Path) -> int:
    """The first line of a file that ends a triple, so breaking it is a syntax error on that line."""
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if line.rstrip().endswith(" .") and not line.lstrip().startswith(("#", "@")):
            return number
    raise AssertionError(f"no statement line in {path}")


def test_the_real_files_build_without_violation(graph):
    assert graph.validation.conforms
    assert graph.triple_count > 3000


def test_broken_turtle_names_the_file_and_line(file_copy):
    target = file_copy.data_dir / "plans.ttl"
    line = statement_line(target)
    break_line(target, line)
    with pytest.raises(ParseError) as caught:
        build(file_copy)
    assert caught.value.path == target
    assert caught.value.line in (line, line + 1)
    assert f"plans.ttl:{caught.value.line}:" in caught.value.message


def test_cli_build_reports_a_syntax_error_and_exits_non_zero(file_copy, capsys):
    target = file_copy.data_dir / "lineage.ttl"
    line = statement_line(target)
    break_line(target, line)
    code = main(["build", "--data-dir", str(file_copy.data_dir), "--ontology-dir", str(file_copy.ontology_dir),
                 "--shapes-dir", str(file_copy.shapes_dir)])
    assert code == 1
    err = capsys.readouterr().err
    assert str(target) in err and (f":{line}:" in err or f":{line + 1}:" in err)


def test_a_violation_names_the_node_and_the_rule(file_copy):
    plans = file_copy.data_dir / "plans.ttl"
    text = plans.read_text(encoding="utf-8")
    # PPC 3 of SPA II loses its plan: it is then in no plan, which the integrity shapes forbid.
    marker = '    dcterms:isPartOf <plan/spa2> ;\n'
    head, sep, tail = text.partition('<plan/spa2/ppc/3> a ck:ProjectProposalConcept ;')
    assert sep and marker in tail
    plans.write_text(head + sep + tail.replace(marker, "", 1), encoding="utf-8")
    with pytest.raises(IntegrityError) as caught:
        build(file_copy)
    on_ppc = [v for v in caught.value.violations if v.focus_node == f"{ID}plan/spa2/ppc/3"]
    assert len(on_ppc) == 1
    assert on_ppc[0].path == "http://purl.org/dc/terms/isPartOf"
    assert "exactly one plan" in on_ppc[0].message and on_ppc[0].name == "PPC in one plan"
    assert on_ppc[0].severity == "violation" and on_ppc[0].message_th
    # Its activities can no longer show that their codes name their PPC: reported too, nothing else.
    others = {v.focus_node for v in caught.value.violations} - {f"{ID}plan/spa2/ppc/3"}
    assert others == {f"{ID}plan/spa2/activity/3.{n}" for n in range(1, 5)}


def test_cli_build_reports_a_violation_and_exits_non_zero(file_copy, capsys):
    countries = file_copy.data_dir / "countries.ttl"
    text = countries.read_text(encoding="utf-8")
    assert '"KHM"' in text
    countries.write_text(text.replace('"KHM"', '"KH1"', 1), encoding="utf-8")
    code = main(["build", "--data-dir", str(file_copy.data_dir)])
    assert code == 1
    err = capsys.readouterr().err
    assert f"{ID}country/KHM" in err and "alpha-3" in err


def test_env_vars_choose_the_folders(file_copy, monkeypatch, capsys):
    (file_copy.data_dir / "plans.ttl").write_text("this is not turtle", encoding="utf-8")
    monkeypatch.setenv("COMMIT_KG_DATA_DIR", str(file_copy.data_dir))
    assert main(["build"]) == 1
    assert "plans.ttl" in capsys.readouterr().err


def test_cli_build_succeeds_on_the_real_files(capsys):
    assert main(["build"]) == 0
    assert "0 violations" in capsys.readouterr().out
