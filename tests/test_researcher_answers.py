"""The researcher's questions in one step (issue 8, section 4): named queries that carry their sources and
each party's own dates, parameters checked against their declared type (short forms accepted, anything
else refused naming the accepted forms), REST routes that refuse unknown or repeated parameters and
answer CSV, predeclared prefixes documented, JSON-LD that parses on its own."""

from __future__ import annotations

import csv
import datetime
import io
import json

import httpx
import pytest
import rdflib
import rdflib.compare
from support import named, rows

from commit_kg.cli import main
from commit_kg.errors import ParameterError
from commit_kg.namespaces import ID, PREFIXES

COUNTRIES = ("CHN", "KHM", "LAO", "MMR", "THA", "VNM")
PARTY_DATES = """SELECT ?instrument ?p ?d WHERE { ?instrument ck:hasParticipation ?x . ?x ck:participant ?country ; ?p ?d .
  VALUES ?p { ck:signedOn ck:ratifiedOn ck:accededOn ck:approvedOn ck:entryIntoForceOn ck:inForceNoLaterThan } }"""
CITED = """SELECT DISTINCT ?x ?doc WHERE { ?x dcterms:source/ck:inDocument ?doc }"""


@pytest.fixture(scope="module")
def cited(store) -> dict[str, set[str]]:
    """The documents each node cites, read straight from the graph."""
    found: dict[str, set[str]] = {}
    for row in rows(store, CITED):
        found.setdefault(row["x"], set()).add(row["doc"])
    return found


def party_dates(store, country: str) -> dict[str, dict[str, str]]:
    """Each multilateral instrument's dates for one country (its participation), by property name."""
    found: dict[str, dict[str, str]] = {}
    query = PARTY_DATES.replace("?country", f"<{ID}country/{country}>")
    for row in rows(store, query):
        found.setdefault(row["instrument"], {})[row["p"].rsplit("#", 1)[-1]] = row["d"]
    return found


# --- sources and each party's own dates ---------------------------------------------------------------

@pytest.mark.parametrize("a, b", [("THA", "MMR"), ("KHM", "VNM"), ("CHN", "LAO")])
def test_pair_instruments_give_each_partys_own_dates_and_the_sources(store, catalogue, cited, a, b):
    answer = named(store, catalogue, "pair-instruments", country_a=a, country_b=b)
    assert answer, f"no instrument between {a} and {b}"
    dates_a, dates_b = party_dates(store, a), party_dates(store, b)
    for row in answer:
        instrument = row["instrument"]
        assert set(row["source"].split()) == cited.get(instrument, set()) | (
            set().union(*(cited.get(p, set()) for p in participations(store, instrument, a, b)))
            if row["scope"] == "multilateral" else set()), instrument
        assert row["source"], f"{instrument} answered without a source"
        if row["scope"] == "multilateral":
            for side, own in (("a", dates_a.get(instrument, {})), ("b", dates_b.get(instrument, {}))):
                assert row.get(f"signed_{side}") == own.get("signedOn"), (instrument, side)
                assert row.get(f"in_force_{side}") == own.get("entryIntoForceOn"), (instrument, side)
                ratified = {own.get(k) for k in ("ratifiedOn", "accededOn", "approvedOn")} - {None}
                assert row.get(f"ratified_{side}") in (ratified or {None}), (instrument, side)


def participations(store, instrument: str, *countries: str) -> list[str]:
    return [r["p"] for r in rows(store, f"""SELECT ?p WHERE {{ <{instrument}> ck:hasParticipation ?p .
        ?p ck:participant ?c VALUES ?c {{ {' '.join(f'<{ID}country/{c}>' for c in countries)} }} }}""")]


def test_a_multilateral_instrument_is_not_dated_by_its_adoption(store, catalogue):
    """UNTOC was adopted in 2000; for Thailand it is dated by Thailand's own steps (signature 2000-12-13,
    in force 2013-11-16), whatever the instrument's own dates are."""
    own = party_dates(store, "THA")[f"{ID}instrument/untoc-2000"]
    answer = {r["instrument"]: r for r in named(store, catalogue, "country-instruments", country="THA")}
    untoc = answer[f"{ID}instrument/untoc-2000"]
    assert (untoc["signed"], untoc["in_force"]) == (own["signedOn"], own["entryIntoForceOn"])


@pytest.mark.parametrize("country", COUNTRIES)
def test_country_multilateral_lists_every_participation_with_its_dates_and_sources(store, catalogue, cited, country):
    answer = named(store, catalogue, "country-multilateral", country=country)
    expected = party_dates(store, country)
    participating = {r["i"] for r in rows(store, f"""SELECT ?i WHERE {{ ?i ck:hasParticipation/ck:participant
        <{ID}country/{country}> }}""")}
    assert {r["instrument"] for r in answer} == participating
    for row in answer:
        own = expected.get(row["instrument"], {})
        assert row.get("signed") == own.get("signedOn") and row.get("in_force") == own.get("entryIntoForceOn")
        assert set(row["source"].split()) == cited.get(row["instrument"], set()) | cited.get(row["participation"], set())


def test_instrument_parties_carry_the_sources_of_each_participation(store, catalogue, cited):
    for row in named(store, catalogue, "instrument-parties", instrument="untoc-2000"):
        participation = f"{ID}participation/untoc-2000/{row['iso']}"
        assert row["source"] and set(row["source"].split()) == cited[participation]


def test_lists_in_answers_come_in_a_stable_order(store, catalogue):
    """GROUP_CONCAT has no order of its own: the queries sort before grouping, so CSV answers and their
    ETags do not change from one run to the next."""
    for name, params in (("pair-instruments", {"country_a": "THA", "country_b": "MMR"}),
                         ("country-multilateral", {"country": "LAO"})):
        for row in named(store, catalogue, name, **params):
            documents = row["source"].split()
            assert documents == sorted(documents), (name, row["instrument"])


# --- parameters: short forms, refusals, defaults ------------------------------------------------------

def test_short_forms_paths_and_full_iris_give_the_same_answer(store, catalogue):
    for short, path in (("THA", "country/THA"), ("VNM", f"{ID}country/VNM")):
        assert named(store, catalogue, "country-instruments", country=short) == named(
            store, catalogue, "country-instruments", country=path)
    by_short = named(store, catalogue, "coverage-gaps", kind="extradition", as_of="2015-12-31")
    assert by_short == named(store, catalogue, "coverage-gaps", kind="cooperation-kind/extradition", as_of="2015-12-31")
    assert len(by_short) == 15 and all(r.get("level") for r in by_short), "a short kind must not give blank levels"


@pytest.mark.parametrize("name, params, accepted", [
    ("coverage-gaps", {"kind": "legal-aid"}, "anti-trafficking"),
    ("pair-instruments", {"country_a": "THAI"}, "KHM"),
    ("pair-instruments", {"country_a": "plan/spa2"}, "MMR"),   # an IRI, but not a country
    ("instrument-parties", {"instrument": "country/THA"}, "a path such as instrument/"),
    ("plan-ppcs", {"lang": "fr"}, "en, th"),
    ("coverage-gaps", {"min_rank": "7"}, "1, 2, 3"),
])
def test_a_value_of_the_wrong_kind_is_refused_naming_the_accepted_forms(store, catalogue, name, params, accepted):
    with pytest.raises(ParameterError) as refused:
        catalogue.get(name).run(store, params)
    assert list(params)[0] in refused.value.message and accepted in refused.value.message


@pytest.mark.parametrize("day", ["20101231", "2010-12-31T00:00:00", "2010-W52-5", "2010-12", "31/12/2010", "2010-02-30"])
def test_a_date_parameter_takes_only_yyyy_mm_dd(catalogue, day):
    with pytest.raises(ParameterError, match="as_of.*YYYY-MM-DD"):
        catalogue.get("coverage-gaps").bind({"as_of": day})


@pytest.mark.parametrize("raw", ["country%zzTHA", "http://[::1", "a\x00b", "a b"])
def test_a_malformed_iri_is_a_parameter_error(catalogue, raw):
    with pytest.raises(ParameterError, match="is not an IRI"):
        catalogue.get("country-instruments").bind({"country": raw})


def test_cli_exits_2_on_a_value_of_the_wrong_kind(capsys):
    assert main(["query", "coverage-gaps", "--param", "kind=legal-aid"]) == 2
    assert "kind" in capsys.readouterr().err
    assert main(["query", "coverage-gaps", "--param", "as_of=20101231"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_default_dates_agree_between_the_named_queries_and_the_rest_views(server, store, catalogue):
    """No date given: the named query, /api/coverage and /api/criteria all answer for today."""
    today = datetime.date.today().isoformat()
    levels = {(r["country_a"].rsplit("/", 1)[-1], r["country_b"].rsplit("/", 1)[-1]): r["level"].rsplit("/", 1)[-1]
              for r in named(store, catalogue, "coverage-gaps")}
    api = httpx.get(f"{server}/api/coverage", params={"kind": "mla"}, timeout=30).json()
    assert api["as_of"] == today
    assert {tuple(sorted((p["country_a"], p["country_b"]))): p["level"] for p in api["pairs"]} == {
        tuple(sorted(k)): v for k, v in levels.items()}
    assert {r["as_of"] for r in named(store, catalogue, "criteria-table")} == {today}


# --- REST: unknown and repeated parameters, CSV -------------------------------------------------------

@pytest.mark.parametrize("path, params", [
    ("/api/coverage", "kind=mla&as_off=2010-12-31"),
    ("/api/coverage", "kind=mla&kind=extradition"),
    ("/api/criteria", "asof=2010-12-31"),
    ("/api/criteria", "as_of=2010-12-31&as_of=2015-01-01"),
    ("/api/countries/THA", "lang=th"),
    ("/api/validation", "severity=warning&severity=info"),
])
def test_rest_routes_refuse_unknown_and_repeated_parameters(server, path, params):
    response = httpx.get(f"{server}{path}?{params}", timeout=30)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "invalid_parameter"
    named_parameter = params.split("&")[-1].split("=")[0]
    assert named_parameter in body["message"]


def test_coverage_and_criteria_answer_csv(server):
    for path, params, key in (("/api/coverage", {"kind": "extradition", "as_of": "2010-12-31"}, "level"),
                              ("/api/criteria", {"as_of": "2015-01-01"}, "status")):
        as_json = httpx.get(f"{server}{path}", params=params, timeout=30).json()
        records = as_json["pairs"] if isinstance(as_json, dict) else as_json
        for response in (httpx.get(f"{server}{path}", params={**params, "format": "csv"}, timeout=30),
                         httpx.get(f"{server}{path}", params=params, headers={"accept": "text/csv"}, timeout=30)):
            assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
            table = list(csv.DictReader(io.StringIO(response.text)))
            assert [r[key] for r in table] == [r[key] for r in records]


# --- the SPARQL endpoint's prefixes -------------------------------------------------------------------

def test_service_description_and_query_page_list_the_predeclared_prefixes(server):
    description = rdflib.Graph().parse(data=httpx.get(f"{server}/sparql", headers={"accept": "text/turtle"},
                                                      timeout=30).text, format="turtle")
    declared = {(str(description.value(d, rdflib.SH.prefix)), str(description.value(d, rdflib.SH.namespace)))
                for d in description.objects(None, rdflib.SH.declare)}
    assert declared == set(PREFIXES.items())
    page = httpx.get(f"{server}/sparql", headers={"accept": "text/html"}, timeout=30).text
    assert all(f"<code>{name}:</code>" in page and namespace in page for name, namespace in PREFIXES.items())
    # and they do hold: a query using ck: without declaring it runs
    answer = httpx.get(f"{server}/sparql", params={"query": "ASK { ?c a ck:Country }"},
                       headers={"accept": "application/sparql-results+json"}, timeout=30)
    assert answer.json()["boolean"] is True


@pytest.mark.parametrize("query, prefix, position", [
    ("SELECT * WHERE { ?s foaf:name ?o }", "foaf:", "1:30"),
    ("SELECT *\nWHERE {\n  ?s ex:knows ?o }", "ex:", "3:14"),
    ("ASK { ?s ?p :o }", ":", "1:15"),
])
def test_an_undeclared_prefix_gets_one_line_naming_it(server, query, prefix, position):
    response = httpx.get(f"{server}/sparql", params={"query": query}, timeout=30)
    assert response.status_code == 400
    message = response.json()["message"]
    assert "\n" not in message and f"undeclared prefix '{prefix}'" in message
    assert position in message and "ck" in message


# --- JSON-LD that parses on its own -------------------------------------------------------------------

def test_a_resource_in_json_ld_carries_the_published_context_and_parses_offline(server):
    published = httpx.get(f"{server}/dumps/context.jsonld", timeout=30).json()["@context"]
    for path in ("/id/country/THA", "/id/instrument/untoc-2000", "/ontology"):
        as_jsonld = httpx.get(f"{server}{path}", params={"format": "jsonld"}, timeout=30)
        assert as_jsonld.headers["content-type"].startswith("application/ld+json")
        assert json.loads(as_jsonld.text)["@context"] == published
        as_turtle = httpx.get(f"{server}{path}", params={"format": "ttl"}, timeout=30)
        from_jsonld = rdflib.Graph().parse(data=as_jsonld.text, format="json-ld")
        from_turtle = rdflib.Graph().parse(data=as_turtle.text, format="turtle")
        assert len(from_jsonld) == len(from_turtle) > 0, path
        assert rdflib.compare.isomorphic(from_jsonld, from_turtle), path
