"""Named queries: headers, parameter binding as RDF terms, and the lineage answers the issue asks for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import named

from commit_kg.catalogue import Catalogue
from commit_kg.cli import main
from commit_kg.errors import ParameterError, QueryFileError, UnknownQueryError
from commit_kg.namespaces import ID


def test_every_query_has_a_bilingual_title_a_description_and_typed_parameters(catalogue):
    assert {"plan-ppcs", "ppc-lineage-backward", "ppc-lineage-forward", "ppc-activities", "ppc-targets"} <= set(
        catalogue.queries)
    for query in catalogue.queries.values():
        assert query.title_en and query.title_th and query.description
        for parameter in query.parameters:
            assert parameter.description


def test_every_query_runs_with_its_defaults_and_answers_something(store, catalogue):
    for name in catalogue.queries:
        assert named(store, catalogue, name), f"{name} answered nothing with its defaults"


def test_plan_ppcs_in_order(store, catalogue):
    found = named(store, catalogue, "plan-ppcs", plan="plan/spa2005")
    assert [r["notation"] for r in found] == [str(n) for n in range(1, 13)]
    thai = named(store, catalogue, "plan-ppcs", plan=f"{ID}plan/spa2", lang="th")
    assert thai[3]["title"] == "กรอบกฎหมายและการบังคับใช้กฎหมาย"


def test_lineage_backwards_from_spa2_ppc5_reaches_the_2005_ppcs(store, catalogue):
    found = named(store, catalogue, "ppc-lineage-backward", ppc="plan/spa2/ppc/5")
    steps = {(r["newer"].removeprefix(ID + "plan/"), r["older"].removeprefix(ID + "plan/")) for r in found}
    assert steps == {
        ("spa2/ppc/5", "spa2005r/ppc/2"), ("spa2/ppc/5", "spa2005r/ppc/6"), ("spa2/ppc/5", "spa2005r/ppc/7"),
        ("spa2005r/ppc/2", "spa2005/ppc/2"), ("spa2005r/ppc/6", "spa2005/ppc/6"),
        ("spa2005r/ppc/7", "spa2005/ppc/7"),
    }
    how = {r["older"].removeprefix(ID + "plan/"): r["how"] for r in found if r["newer"].endswith("spa2/ppc/5")}
    assert set(how["spa2005r/ppc/2"].split(", ")) == {"Merger", "Split"}


def test_lineage_forwards(store, catalogue):
    assert named(store, catalogue, "ppc-lineage-forward", ppc="plan/spa2005/ppc/10") == []
    found = named(store, catalogue, "ppc-lineage-forward", ppc="plan/spa2005/ppc/2")
    assert {r["newer"].removeprefix(ID + "plan/") for r in found} == {"spa2005r/ppc/2", "spa2/ppc/4", "spa2/ppc/5"}


def test_activities_and_targets_of_ppc4(store, catalogue):
    activities = named(store, catalogue, "ppc-activities", ppc="plan/spa2/ppc/4")
    assert [r["code"] for r in activities] == [f"4.{n}" for n in range(1, 9)]
    assert all(r.get("regional_role") and r.get("national_role") for r in activities)
    targets = named(store, catalogue, "ppc-targets", ppc="plan/spa2/ppc/4")
    kinds = {r["kind"] for r in targets}
    assert kinds == {"SPA I result", "SPA II target"}


def test_parameters_are_bound_as_terms_not_spliced(store, tmp_path: Path):
    (tmp_path / "titles.rq").write_text("""#+ title: {en: Titles in a language, th: ชื่อเรื่องในภาษาหนึ่ง}
#+ description: PPC titles in the language given (a free string, so that splicing would show).
#+ params:
#+   - {name: lang, type: string, default: en, description: A language tag.}
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?ppc ?title ?lang WHERE { ?ppc a ck:ProjectProposalConcept ; rdfs:label ?title FILTER (lang(?title) = ?lang) }
""", encoding="utf-8")
    query = Catalogue(tmp_path).get("titles")
    assert query.run(store, {"lang": "en"})[1], "the honest value finds titles"
    hostile = 'en") } UNION { ?ppc ?p ?title . BIND("en" AS ?lang'
    assert query.run(store, {"lang": hostile})[1] == []


def test_bad_parameters_are_named(catalogue):
    query = catalogue.get("plan-ppcs")
    with pytest.raises(ParameterError, match="no parameter 'colour'"):
        query.bind({"colour": "red"})
    with pytest.raises(ParameterError, match="'plan'.*not an IRI"):
        query.bind({"plan": "plan/spa 2"})
    with pytest.raises(UnknownQueryError, match="no named query 'nope'"):
        catalogue.get("nope")


def test_a_malformed_header_names_the_file(tmp_path: Path):
    (tmp_path / "broken.rq").write_text("#+ title: [unclosed\nSELECT * {}", encoding="utf-8")
    with pytest.raises(QueryFileError, match="broken.rq"):
        Catalogue(tmp_path)


def test_cli_query_formats(capsys):
    assert main(["query", "plan-ppcs", "--param", "plan=plan/spa2005r", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 10 and records[4]["title"] == "Legal assistance and extradition"
    assert main(["query", "plan-ppcs", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().split("\n")
    assert lines[0] == "plan,ppc,notation,title,lang" and len(lines) == 9
    assert main(["query", "ppc-activities", "--param", "lang=th"]) == 0
    assert "(8 rows)" in capsys.readouterr().out


def test_cli_query_usage_errors_exit_2(capsys):
    assert main(["query", "nope"]) == 2
    assert "no named query 'nope'" in capsys.readouterr().err
    assert main(["query", "plan-ppcs", "--param", "plan"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err


def test_cli_lists_the_catalogue(capsys):
    assert main(["queries"]) == 0
    out = capsys.readouterr().out
    assert "ppc-lineage-backward" in out and "ppc: iri of ProjectProposalConcept = plan/spa2/ppc/5" in out
