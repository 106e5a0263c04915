"""A second SHACL engine, Apache Jena, reaches the same verdict as pySHACL on our shapes and data.

Jena comes from Debian's `libapache-jena-java`, which `.ci/run` installs before running the suite. If it
is missing these tests fail (they do not skip): an engine that silently is not there checks nothing.
"""

from __future__ import annotations

import functools
import os
import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from jena import LOGGING_JAR, classpath, install_jena, jena_validate
from rdflib.namespace import RDF, SH

from commit_kg.build import BuiltGraph, assemble, quads_of
from commit_kg.loading import parse_folder
from commit_kg.namespaces import ID
from commit_kg.settings import Settings
from commit_kg.validation import ValidationResult


def require_jena() -> None:
    """Jena must be there: installed by .ci/run, or here on a fresh machine as root. A missing engine
    fails the test (it is not skipped): an engine that silently is not there checks nothing."""
    outcome = install_jena()
    if outcome != "installed":
        pytest.fail(f"Apache Jena (Debian libapache-jena-java, libslf4j-java): {outcome}; run .ci/run", pytrace=False)


def write_triples(quads, path: Path, format: ox.RdfFormat) -> Path:
    """The union of the quads' graphs as triples in one file."""
    ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads], path, format)
    return path


def write_shapes(shapes_dir: Path, path: Path) -> Path:
    """Every file of the shapes folder, merged into one Turtle file (blank nodes stay distinct per file)."""
    return write_triples(quads_of(parse_folder("shapes", shapes_dir)), path, ox.RdfFormat.TURTLE)


def the_report(report: rdflib.Graph) -> rdflib.term.Node:
    reports = list(report.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1, f"expected one sh:ValidationReport, got {len(reports)}:\n{report.serialize(format='turtle')}"
    return reports[0]


def node_key(node: rdflib.term.Node) -> str:
    """Focus nodes compared across engines: blank-node labels are per engine, so they are all alike."""
    return "[blank node]" if isinstance(node, rdflib.BNode) else node.n3()


def violations(report: rdflib.Graph) -> list[rdflib.term.Node]:
    """The `sh:Violation` results of the report."""
    return [
        result for result in report.objects(the_report(report), SH.result)
        if report.value(result, SH.resultSeverity) == SH.Violation
    ]


def violating_focus_nodes(report: rdflib.Graph) -> set[str]:
    return {node_key(report.value(result, SH.focusNode)) for result in violations(report)}


def describe(report: rdflib.Graph) -> str:
    return "\n".join(sorted(
        f"{report.value(r, SH.focusNode)} {report.value(r, SH.resultPath)} {report.value(r, SH.value)}: "
        f"{report.value(r, SH.resultMessage)}"
        for r in violations(report)
    ))


def validate_like_build(settings: Settings, jena_files: Path) -> tuple[ValidationResult, rdflib.Graph]:
    """The build's pySHACL gate without raising (`assemble`), and Jena on the same store and shapes."""
    graph = assemble(settings)
    data_file = write_triples(graph.store, jena_files / "data.nt", ox.RdfFormat.N_TRIPLES)
    shapes_file = write_triples(quads_of(parse_folder("shapes", settings.shapes_dir)), jena_files / "shapes.ttl",
                                ox.RdfFormat.TURTLE)
    return graph.validation, jena_validate(shapes_file, data_file)


def test_classpath_leaves_out_logging_bindings() -> None:
    require_jena()
    names = [Path(jar).name for jar in classpath().split(os.pathsep)]
    assert names[-2] == "slf4j-nop.jar" and names[-1].startswith("jena-xerces-messages-")
    assert not [n for n in names[:-2] if LOGGING_JAR.match(n)], names
    assert any(n.startswith("jena-shacl") for n in names) and any(n.startswith("slf4j-api") for n in names)


@pytest.fixture(scope="module")
def jena_on_built_data(graph: BuiltGraph, settings: Settings, tmp_path_factory: pytest.TempPathFactory):
    """Jena's report on the built data (ontology included) against all our shapes, made once, on first use
    (a fixture that ran Jena itself would error, not fail, where Jena is missing)."""
    folder = tmp_path_factory.mktemp("jena")

    @functools.cache
    def report() -> rdflib.Graph:
        require_jena()
        data = write_triples(graph.store, folder / "data.nt", ox.RdfFormat.N_TRIPLES)
        shapes = write_shapes(settings.shapes_dir, folder / "shapes.ttl")
        return jena_validate(shapes, data)

    return report


def results(report: rdflib.Graph) -> Counter:
    """Every result of the report as (severity, focus node, value), counted."""
    return Counter(
        (report.value(r, SH.resultSeverity).n3(), node_key(report.value(r, SH.focusNode)),
         node_key(report.value(r, SH.value)) if report.value(r, SH.value) is not None else None)
        for r in report.objects(the_report(report), SH.result)
    )


def test_jena_agrees_on_the_built_data(graph: BuiltGraph, jena_on_built_data) -> None:
    require_jena()
    report = jena_on_built_data()
    # (a) a standard validation report (sh:conforms is false in Jena where there are warnings or infos;
    # pySHACL, told to allow warnings, says true: so the verdict compared is the count of violations)
    assert isinstance(report.value(the_report(report), SH.conforms), rdflib.Literal)
    # (b) as many violations as pySHACL: none, since the build refuses data with any
    assert len(violations(report)) == graph.validation.counts["violation"] == 0, describe(report)


def test_jena_agrees_on_warnings_and_infos(graph: BuiltGraph, jena_on_built_data) -> None:
    """Not the verdict, but the gap reports (sh:Warning, sh:Info) name the same nodes in both engines."""
    require_jena()
    report = jena_on_built_data()
    assert results(report) == results(graph.validation.report)


PPC3_IN_SPA2 = re.compile(r"(<plan/spa2/ppc/3> a [^\n]*\n(?:[^\n]+\n)*?)[ \t]*dcterms:isPartOf <plan/spa2> ;\n")


def ppc_without_plan(copy: Settings) -> str:
    path = copy.data_dir / "plans.ttl"
    text, replaced = PPC3_IN_SPA2.subn(r"\1", path.read_text(encoding="utf-8"), count=1)
    assert replaced == 1, "data/plans.ttl no longer has `dcterms:isPartOf <plan/spa2> ;` in the block of <plan/spa2/ppc/3>"
    path.write_text(text, encoding="utf-8")
    return f"<{ID}plan/spa2/ppc/3>"


def country_with_bad_code(copy: Settings) -> str:
    path = copy.data_dir / "countries.ttl"
    text = path.read_text(encoding="utf-8")
    assert text.count('ck:iso3166Alpha3 "KHM"') == 1, 'data/countries.ttl no longer has ck:iso3166Alpha3 "KHM"'
    path.write_text(text.replace('ck:iso3166Alpha3 "KHM"', 'ck:iso3166Alpha3 "KH1"'), encoding="utf-8")
    return f"<{ID}country/KHM>"


@pytest.mark.parametrize("breakage", [ppc_without_plan, country_with_bad_code], ids=["ppc-without-plan", "bad-iso-alpha-3"])
def test_jena_agrees_on_broken_data(breakage, file_copy: Settings, tmp_path: Path) -> None:
    require_jena()
    expected = breakage(file_copy)
    pyshacl_result, report = validate_like_build(file_copy, tmp_path)
    by_pyshacl = violating_focus_nodes(pyshacl_result.report)
    by_jena = violating_focus_nodes(report)
    assert expected in by_pyshacl, pyshacl_result.violations
    assert by_jena == by_pyshacl, f"Jena's violations:\n{describe(report)}\npySHACL's:\n{describe(pyshacl_result.report)}"
    assert report.value(the_report(report), SH.conforms).toPython() is False
