"""`commit-kg validate` and `commit-kg gaps`: the SHACL report for the secretariat, in text, JSON and
Turtle, consistent with the coverage and criteria derivations on the reference dates."""

from __future__ import annotations

import datetime
import json
import re

import rdflib
from rdflib.namespace import SH

from commit_kg import gaps as gap_views
from commit_kg.build import assemble
from commit_kg.cli import main
from commit_kg.coverage import CoverageIndex
from commit_kg.settings import Settings
from commit_kg.store import EmbeddedStore
from commit_kg.validation_report import records


def test_validate_text_groups_gaps_and_exits_0(capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert re.match(r"0 violations, \d+ warnings, \d+ infos", out)
    assert "Legal gaps, by country" in out and "Coverage gaps, by pair" in out
    assert "ช่องว่างทางกฎหมาย" in out  # the Thai message beside the English one


def test_validate_json_and_severity_filter(capsys):
    assert main(["validate", "--format", "json", "--severity", "warning"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert items and {i["severity"] for i in items} == {"warning"}
    assert {i["category"] for i in items} >= {"legal-gap", "coverage-gap"}
    for item in items:
        assert item["message_en"] and item["message_th"] and item["shape"]
    assert main(["validate", "--format", "json", "--severity", "violation"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_validate_turtle_is_a_standard_report(capsys):
    assert main(["validate", "--format", "turtle"]) == 0
    report = rdflib.Graph().parse(data=capsys.readouterr().out, format="turtle")
    node = report.value(predicate=rdflib.RDF.type, object=SH.ValidationReport)
    assert node is not None
    assert report.value(node, SH.conforms) is not None
    assert len(list(report.objects(node, SH.result))) > 0


def test_validate_exits_1_on_a_violation(file_copy, capsys):
    countries = file_copy.data_dir / "countries.ttl"
    countries.write_text(countries.read_text(encoding="utf-8").replace('"KHM"', '"KH1"', 1), encoding="utf-8")
    assert main(["validate", "--data-dir", str(file_copy.data_dir), "--severity", "violation"]) == 1
    out = capsys.readouterr().out
    assert "Integrity violations" in out and "country/KHM" in out and "alpha-3" in out


def data_gaps(args: list[str], capsys) -> dict[tuple[str, str, str], dict]:
    assert main(["validate", *args, "--format", "json", "--severity", "warning"]) == 0
    items = json.loads(capsys.readouterr().out)
    return {(i["country"], i["criterion"], i["date"]): i for i in items if i["category"] == "data-gap"}


def test_removing_an_assessment_names_that_country_and_criterion(file_copy, capsys):
    before = data_gaps(["--data-dir", str(file_copy.data_dir)], capsys)
    assessments = file_copy.data_dir / "assessments.ttl"
    text = assessments.read_text(encoding="utf-8")
    start = text.index("<assessment/THA/4/2009-12-31>")
    end = text.index("\n\n", start)
    assessments.write_text(text[:start] + text[end:], encoding="utf-8")
    after = data_gaps(["--data-dir", str(file_copy.data_dir)], capsys)
    assert set(after) - set(before) == {("THA", "4", "2010-12-31")}
    gap = after[("THA", "4", "2010-12-31")]
    assert "witness support (criterion 4)" in gap["message_en"] and "การสนับสนุนพยาน" in gap["message_th"]
    assert gap["criterion_label"] == "Witness support" and gap["criterion_label_th"] == "การสนับสนุนพยาน"
    assert gap["reason"].startswith("no assessment valid on this date")


def test_unknown_statuses_are_data_gaps_with_their_reason(capsys):
    gaps = data_gaps([], capsys)
    today = datetime.date.today().isoformat()
    myanmar = {c for (country, c, day) in gaps if country == "MMR" and day == today}
    assert myanmar == {"2", "3", "4", "5"}
    assert all(gaps[("MMR", c, today)]["reason"].startswith("assessment of 2025-07-01: status unknown") for c in myanmar)


def coverage_warnings(settings: Settings) -> set[tuple[str, str]]:
    graph = assemble(settings)
    items = records(graph.validation, EmbeddedStore(graph.store), "warning")
    return {(i["pair"], i["kind"]) for i in items if i["category"] == "coverage-gap"}


def test_a_new_bilateral_mla_treaty_removes_the_pairs_coverage_warning(file_copy):
    early = file_copy.model_copy(update={"reference_dates": ["2004-06-01"]})
    before = coverage_warnings(early)
    assert ("CHN-KHM", "mla") in before
    (early.data_dir / "instruments" / "test-treaty.ttl").write_text("""
        @base <https://w3id.org/commit-kg/id/> . @prefix ck: <https://w3id.org/commit-kg/ontology#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        <instrument/cn-kh-mla-test> a ck:LegalInstrument , ck:Treaty , ck:BilateralInstrument ;
            rdfs:label "A test MLA treaty"@en ; ck:party <country/CHN> , <country/KHM> ;
            ck:covers <cooperation-kind/mla> ; ck:entryIntoForceOn "2001-01-01"^^xsd:date ;
            ck:confidence <confidence/low> ; dcterms:source <source/web/test> .
        <source/web/test> a ck:SourceCitation ; ck:inDocument <https://example.org/test> .
        """, encoding="utf-8")
    assert coverage_warnings(early) == before - {("CHN-KHM", "mla")}


def test_gaps_agree_with_the_shacl_report_on_the_reference_dates(graph, store):
    items = records(graph.validation, store, "info")
    index = CoverageIndex(store)
    for day in graph.reference_days:
        report = gap_views.gap_report(store, index, day)
        iso = day.isoformat()
        shacl_countries = {(i["country"], int(i["criterion"]), "data" if i["category"] == "data-gap" else "legal")
                           for i in items if i["category"] in ("data-gap", "legal-gap") and i["date"] == iso}
        assert {(g.country, g.criterion, g.gap) for g in report.countries} == shacl_countries
        shacl_pairs = {(i["pair"], i["kind"], i["severity"]) for i in items
                       if i["category"] == "coverage-gap" and i["date"] == iso}
        assert {(f"{g.country_a}-{g.country_b}", g.kind, g.severity) for g in report.pairs} == shacl_pairs


def test_gaps_command_for_any_date(capsys):
    assert main(["gaps", "--as-of", "2004-06-01", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["as_of"] == "2004-06-01"
    data = {(g["country"], g["criterion"]): g for g in report["countries"] if g["gap"] == "data"}
    # Thailand's 2008 Act, the first law judged for Thailand, entered into force on 2008-06-05 ...
    assert {c for (country, c) in data if country == "THA"} == {1, 2, 3, 4, 5}
    assert "2008-06-05" in data[("THA", 1)]["reason"]
    # ... while China's Criminal Law, judged by the 2009 assessments, was in force since 1997.
    china = {(g["criterion"], g["gap"]) for g in report["countries"] if g["country"] == "CHN"}
    assert (1, "legal") in china and (1, "data") not in china
    assert main(["gaps", "--as-of", datetime.date.today().isoformat()]) == 0
    assert "Pairs (warning: no basis" in capsys.readouterr().out
