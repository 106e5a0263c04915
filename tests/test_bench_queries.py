"""The HTTP benchmark's query set (no peer or load generator needed): every text is a query on its own,
and a named query with its parameters written into the text answers what the named query answers."""

from __future__ import annotations

import datetime

import pytest

from bench import http
from bench.query_set import bind_in_text, named, parses, query_set
from commit_kg.build import BuiltGraph
from commit_kg.catalogue import Catalogue
from commit_kg.settings import PROJECT_ROOT
from commit_kg.store import EmbeddedStore

DAY = datetime.date(2015, 12, 31)


def test_every_benchmark_query_parses_without_our_prefixes():
    queries = query_set(PROJECT_ROOT / "queries", DAY)
    assert {q.name for q in queries} == {"label lookup", "pair-instruments", "count by class", "coverage-gaps"}
    for query in queries:
        assert parses(query), query.name
        assert "#+" not in query.sparql


def test_a_text_that_does_not_parse_is_caught():
    with pytest.raises(SyntaxError):
        parses(http.BenchQuery("broken", "SELECT ?x WHERE { ?x ck:undeclared ?y }"))


@pytest.mark.parametrize("name, values", [
    ("pair-instruments", {"country_a": "country/THA", "country_b": "country/VNM"}),
    ("coverage-gaps", {"kind": "cooperation-kind/mla", "as_of": DAY.isoformat(), "min_rank": "2"}),
    ("criteria-table", {"as_of": "2010-12-31"}),
])
def test_parameters_in_the_text_answer_as_substitutions_do(graph: BuiltGraph, name: str, values: dict[str, str]):
    catalogue = Catalogue(PROJECT_ROOT / "queries")
    query = catalogue.get(name)
    expected = EmbeddedStore(graph.store).select(query.text, **{v.value: t for v, t in query.bind(values).items()})
    inline = named(catalogue, name, **values)
    # the same quads, queried as a peer would: no predeclared prefixes, no substitutions
    solutions = graph.store.query(inline.sparql, use_default_graph_as_union=True)
    got = [{v.value: s[v.value] for v in solutions.variables if s[v.value] is not None} for s in solutions]
    assert expected and got == expected


def test_binding_in_text_knows_projection_grouping_and_literals():
    text = 'SELECT ?a ?c (COUNT(?b) AS ?n) WHERE { ?a <p?a> "?a" . # ?a\n ?b <q> ?a, ?c } GROUP BY ?a ?c ORDER BY ?a ?c'
    bound = bind_in_text(text, {"a": "<urn:x>"})
    assert bound == ('SELECT (<urn:x> AS ?a) ?c (COUNT(?b) AS ?n) WHERE { <urn:x> <p?a> "?a" . # ?a\n ?b <q> <urn:x>, ?c }'
                     ' GROUP BY  ?c ORDER BY  ?c')
    with pytest.raises(ValueError):
        bind_in_text("SELECT ?a (COUNT(*) AS ?n) WHERE { ?a ?p ?o } GROUP BY ?a", {"a": "<urn:x>"})


def test_binding_in_text_drops_a_parameter_from_a_subquerys_select_list():
    """The outer SELECT binds the term; the subquery binding it again would be refused by every engine."""
    text = "SELECT ?a ?n WHERE { { SELECT ?a (COUNT(?b) AS ?n) WHERE { ?b <urn:p> ?a } GROUP BY ?a ?b } }"
    bound = bind_in_text(text, {"a": "<urn:x>"})
    assert bound == "SELECT (<urn:x> AS ?a) ?n WHERE { { SELECT  (COUNT(?b) AS ?n) WHERE { ?b <urn:p> <urn:x> } GROUP BY  ?b } }"
    assert parses(http.BenchQuery("subquery", bound))


def test_the_wrk_script_renders_for_both_modes():
    for unique in ("true", "false"):
        script = http.LUA % {"prefix": '"/sparql?query=ASK%7B%7D"', "unique": unique, "accept": http.JSON_RESULTS}
        assert "%(" not in script and "WRKJSON" in script and f"local unique = {unique}" in script
