"""Instruments, participations, laws and assessments on the real data: sourced, and the CLI agrees
with the named queries."""

from __future__ import annotations

import datetime
import json

import pytest
from support import named, rows

from commit_kg import criteria
from commit_kg.cli import main
from commit_kg.coverage import KINDS, LEVELS, gaps

DATES = ["2004-06-01", "2010-12-31", "2015-12-31", datetime.date.today().isoformat()]
PREFIX = """PREFIX ck: <https://w3id.org/commit-kg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
"""


@pytest.mark.parametrize("kind", ["LegalInstrument", "Participation", "NationalLegislation", "CriterionAssessment"])
def test_every_legal_fact_has_a_source_url_and_a_confidence(store, kind):
    found = rows(store, PREFIX + f"""SELECT ?x (COUNT(DISTINCT ?url) AS ?urls) (COUNT(DISTINCT ?c) AS ?conf) WHERE {{
        ?x a ck:{kind} .
        OPTIONAL {{ ?x dcterms:source/ck:inDocument ?url FILTER (STRSTARTS(STR(?url), "http")) }}
        OPTIONAL {{ ?x ck:confidence ?c }} }} GROUP BY ?x""")
    assert found, f"no {kind} in the graph"
    lacking = [r["x"] for r in found if int(r["urls"]) == 0 or int(r["conf"]) != 1]
    # The COMMIT MOU's signatory data and the seed-only facts are exempt only if they cite the web too.
    assert lacking == []


@pytest.mark.parametrize("day", DATES)
@pytest.mark.parametrize("kind", list(KINDS))
def test_coverage_command_and_named_query_agree(store, index, catalogue, kind, day):
    python = {(a.country_a, a.country_b): a.level for a in index.pairs(kind, datetime.date.fromisoformat(day))}
    sparql = {(r["country_a"], r["country_b"]): r["level"]
              for r in named(store, catalogue, "coverage-gaps", kind=f"cooperation-kind/{kind}", as_of=day)}
    assert len(python) == 15
    assert sparql == python


@pytest.mark.parametrize("day", DATES)
def test_gaps_agree_with_the_named_query(store, index, catalogue, day):
    answers = index.pairs("mla", datetime.date.fromisoformat(day))
    python = {(a.country_a, a.country_b) for a in gaps(answers, "regional")}
    sparql = {(r["country_a"], r["country_b"]) for r in named(
        store, catalogue, "coverage-gaps", kind="cooperation-kind/mla", as_of=day, min_rank="2") if r["gap"] == "true"}
    assert sparql == python


@pytest.mark.parametrize("day", ["2004-06-01", "2009-12-31", "2010-12-31", "2015-01-01", "2016-06-01", "2018-06-01",
                                 "2021-01-01", "2025-07-01", datetime.date.today().isoformat()])
def test_criteria_command_and_named_query_agree(store, catalogue, day):
    """The same assessment (or none), status, judged law and data-gap flag, from Python and pure SPARQL."""
    python = {(c.country, c.criterion): (c.status, c.assessment, c.law.iri if c.law else None, c.data_gap)
              for c in criteria.table(store, datetime.date.fromisoformat(day))}
    sparql = {(r["country"], int(r["criterion"])): (r.get("status") or "unknown", r.get("assessment") or None,
                                                    r.get("law") or None, r["data_gap"] == "true")
              for r in named(store, catalogue, "criteria-table", as_of=day)}
    assert len(python) == 30
    assert sparql == python


def test_on_both_assessment_dates_each_cell_takes_that_days_assessment(store):
    """On 2009-12-31 and 2025-07-01 every cell is answered by the assessment made as of that day (later
    readings of a law hold from their own date, and unknown entries into force end there), unless a law
    promulgated before that day may or may not have been in force on it: then it is a data gap."""
    for day in ("2009-12-31", "2025-07-01"):
        cells = criteria.table(store, datetime.date.fromisoformat(day))
        for c in cells:
            assert (c.assessment or "").endswith("/" + day) or "entry into force is unknown" in (c.gap_reason or ""), c
        assert len([c for c in cells if c.assessment]) >= 25, day


def test_cli_coverage_json_records(capsys):
    assert main(["coverage", "--kind", "extradition", "--as-of", "2015-12-31", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 15
    assert set(records[0]) >= {"country_a", "country_b", "kind", "as_of", "level", "approximate", "basis"}
    assert all(r["level"] in LEVELS + ("unknown",) and r["as_of"] == "2015-12-31" for r in records)
    for r in records:
        for basis in r["basis"]:
            assert basis["iri"].startswith("https://w3id.org/commit-kg/id/instrument/") and basis["label"]
            assert basis["source"]


def test_cli_coverage_table_and_csv(capsys):
    assert main(["coverage", "--kind", "mla", "--as-of", "2010-12-31", "--min-level", "bilateral"]) == 0
    out = capsys.readouterr().out
    assert "pairs below bilateral" in out and "KHM" in out
    assert main(["coverage", "--kind", "mla", "--as-of", "2010-12-31", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().split("\n")
    assert lines[0].startswith("country_a,country_b,kind,as_of,level,approximate,basis") and len(lines) == 16


def test_cli_criteria_json(capsys):
    assert main(["criteria", "--as-of", "2009-12-31", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 30
    assert {r["criterion"] for r in records} == {1, 2, 3, 4, 5}
    assert all(r["status"] in ("met", "partly-met", "not-met", "unknown") for r in records)
    assert all(r["source"] for r in records if r["status"] != "unknown")
    assert all(r["criterion_label"] and r["criterion_label_th"] for r in records)
    assert all(r["valid_from"] and r["validity"] for r in records if r["assessment"])
    assert all(r["law_label"] and r["law_entry_into_force"] is not None or "unknown" in r["validity"]
               for r in records if r["law"])
    assert len([r for r in records if r["law"]]) >= 25  # all but the policy-based judgments name their law


def test_cli_rejects_a_bad_date():
    with pytest.raises(SystemExit) as caught:
        main(["coverage", "--kind", "mla", "--as-of", "2010-13-01"])
    assert caught.value.code == 2


def test_instrument_parties_and_country_instruments(store, catalogue):
    parties = named(store, catalogue, "instrument-parties", instrument="instrument/untoc-2000")
    assert sorted(r["iso"] for r in parties) == ["CHN", "KHM", "LAO", "MMR", "THA", "VNM"]
    thailand = named(store, catalogue, "country-instruments", country="country/THA")
    labels = {r["instrument"].rsplit("/", 1)[-1] for r in thailand}
    assert {"untoc-2000", "commit-mou-2004", "actip-2015"} <= labels
    pair = named(store, catalogue, "pair-instruments", country_a="country/KHM", country_b="country/VNM")
    assert any("mla" in r["kinds"] and r["scope"] == "bilateral" for r in pair)
