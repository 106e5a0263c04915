"""`commit-kg serve --store` on Virtuoso (issue 12): a replica answering from a throwaway Virtuoso 7.2
(Debian's virtuoso-opensource-7-bin; .ci/run installs it) that `commit-kg load --into` wrote through
/sparql-auth, beside the service on its embedded store. Checked here: what the load and the replica do
about Virtuoso's own ways (blank nodes refused in INSERT DATA, its system graphs kept out of the
replica's copy, ASK answered as a result set, its JSON and CSV writing, blank node labels like "nodeID://b1",
its own predeclared prefixes), the parity checks of tests/test_remote_backend_http.py on the routes whose
queries Virtuoso 7.2 evaluates as SPARQL 1.1 says, and the HTTP API test modules (API_MODULES) run on a
Virtuoso replica, as deploy/virtuoso/run-api-tests.sh runs them. What Virtuoso 7.2 still answers
differently (booleans returned as 0/1, the order of language-tagged literals) is in the README. Without
`virtuoso-t` these tests fail saying how to install it; they never skip."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import running_server
from remote_support import load_with_account, loaded_virtuoso, virtuoso_server
from test_remote_backend_http import (  # noqa: F401 - collected here again, with this module's `remote`
    assert_the_same_error_codes,
    fetch,
    same,
    test_a_construct_gives_the_same_graph,
    test_descriptions_are_the_same_graph,
    test_the_dataset_description_and_dumps_hold_the_same_graph,
    test_the_shacl_report_finds_the_same_results,
)

from commit_kg.catalogue import Catalogue, Parameter

# The HTTP API test modules run on a Virtuoso replica (here and by deploy/virtuoso/run-api-tests.sh). The
# oxigraph pass runs every test reaching the backend; these are the ones tried on Virtuoso so far.
API_MODULES = ["test_api_http.py", "test_sparql_http.py", "test_sparql_clients.py", "test_resources_http.py",
               "test_dataset_http.py", "test_researcher_answers.py", "test_error_table.py", "test_http_semantics.py"]
RESULT_MEDIA = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values"]


@pytest.fixture(scope="module")
def remote() -> Iterator[str]:
    """Our service on a remote store: a throwaway Virtuoso, loaded as a user would load it."""
    with loaded_virtuoso() as store, running_server("--store", store, env={"COMMIT_KG_HTTP_WORKERS": "1"}) as url:
        yield url


@pytest.mark.parametrize("path, params", [
    ("/api/criteria", {"as_of": "2010-12-31"}),
    ("/api/lineage/spa2/5", {}),
    ("/api/queries", {}),
    ("/api/queries/plan-ppcs", {}),
    # The named queries rewritten for Virtuoso (README, "Virtuoso"): multilateral dates and sources.
    ("/api/queries/country-instruments", {"country": "country/LAO"}),
    ("/api/queries/country-multilateral", {"country": "country/KHM"}),
    ("/api/queries/pair-instruments", {"country_a": "country/LAO", "country_b": "country/THA"}),
])
def test_the_rest_api_answers_the_same(server: str, remote: str, path: str, params: dict[str, str]):
    embedded = json.loads(fetch(f"{server}{path}", params).text.replace(server, ""))
    assert embedded and json.loads(same(server, remote, path, **params)) == embedded


COUNTRIES = ["KHM", "CHN", "LAO", "MMR", "THA", "VNM"]


def parameter_values(parameter: Parameter) -> list[str]:
    """The values a named query's parameter is tried with: every country and kind, dates on both sides
    of the turning points of the data (and the default, today), every allowed value."""
    if parameter.rdf_class == "Country":
        return [f"country/{code}" for code in COUNTRIES]
    if parameter.rdf_class == "CooperationKind":
        return ["mla", "extradition", "anti-trafficking"]
    if parameter.type == "date":
        return ["2004-06-01", "2010-12-31", "2017-03-08", str(parameter.default)]
    return list(parameter.allowed) or ([parameter.default] if parameter.default is not None else [])


def with_booleans_as_embedded(embedded: list[dict[str, str]], remote: list[dict[str, str]]) -> list[dict[str, str]]:
    """Virtuoso writes a boolean expression's value as 1 or 0 (README, "Virtuoso"): where the embedded
    answer has true or false, the remote 1 or 0 in the same place is read as that."""
    as_boolean = {("true", "1"), ("false", "0")}
    return [{key: mine.get(key) if (mine.get(key), value) in as_boolean else value for key, value in theirs.items()}
            for mine, theirs in zip(embedded, remote)]


def test_every_named_query_answers_the_same_rows_for_every_country_kind_and_date(
        server: str, remote: str, catalogue: Catalogue):
    """Each named query with every combination of its parameters' values (two countries of a pair
    differ): the rows the replica reads from Virtuoso are the embedded store's. This found three
    queries Virtuoso 7.2 answered otherwise (README, "Virtuoso")."""
    tried = 0
    for name in sorted(catalogue.queries):
        query = catalogue.get(name)
        for combination in itertools.product(*(parameter_values(p) for p in query.parameters)):
            if len(set(combination)) < len(combination) and all(p.rdf_class == "Country" for p in query.parameters):
                continue
            params = {p.name: value for p, value in zip(query.parameters, combination)}
            answers = [fetch(f"{url}/api/queries/{name}", params) for url in (server, remote)]
            assert [a.status_code for a in answers] == [200, 200], (name, params, answers[1].text[:300])
            embedded, theirs = (json.loads(a.text.replace(url, "")) for a, url in zip(answers, (server, remote)))
            assert len(theirs) == len(embedded), (name, params)
            assert with_booleans_as_embedded(embedded, theirs) == embedded, (name, params)
            tried += 1
    assert tried > 60, tried  # the pairs alone are 30


@pytest.mark.parametrize("query", [
    # Language-tagged literals have no order in SPARQL 1.1 (Virtuoso and Oxigraph order them apart): by tag.
    "SELECT ?c ?label WHERE { ?c a ck:Country ; rdfs:label ?label } ORDER BY ?c LANG(?label)",
    "SELECT ?ppc (COUNT(?a) AS ?n) WHERE { ?a ck:partOfPPC ?ppc } GROUP BY ?ppc ORDER BY ?ppc",
    # Every graph `load` wrote, and its size (Virtuoso holds graphs of its own too: virtrdf#, ldp#, ...).
    ('SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "https://w3id.org/commit-kg/"))'
     " } GROUP BY ?g ORDER BY ?g"),
    # Virtuoso answers ASK with a one-row result set (true) or none (false); the replica says a boolean.
    "ASK { <https://w3id.org/commit-kg/id/country/THA> a ck:Country }",
    "ASK { <https://w3id.org/commit-kg/id/country/XXX> a ck:Country }",
    # Virtuoso writes a stored boolean as "1" or "0"; the replica gives its canonical form, as Oxigraph.
    "SELECT ?claim ?chosen WHERE { ?claim ck:chosen ?chosen } ORDER BY ?claim",
])
@pytest.mark.parametrize("media", RESULT_MEDIA)
def test_sparql_answers_the_same_bytes(server: str, remote: str, query: str, media: str):
    """Byte for byte: the replica writes the store's answer again as the embedded store writes it."""
    answers = [httpx.get(f"{url}/sparql", params={"query": query}, headers={"Accept": media}, timeout=60)
               for url in (server, remote)]
    assert [a.status_code for a in answers] == [200, 200], answers[1].text[:300]
    assert answers[1].headers["content-type"] == answers[0].headers["content-type"]
    assert answers[1].content == answers[0].content and answers[0].content


def test_stored_booleans_read_as_the_embedded_store_reads_them(server: str, remote: str):
    """Virtuoso answers a stored `true` as "1"^^xsd:boolean: the replica reads it as `true`, so a claim's
    page marks the one chosen (it marked none before) and a CONSTRUCT gives the same graph."""
    page = "/id/instrument/la-th-mou-2005"
    marked = [httpx.get(f"{url}{page}", headers={"Accept": "text/html"}, timeout=60).text.count('data-chosen="true"')
              for url in (server, remote)]
    assert marked == [1, 1]
    query = {"query": "CONSTRUCT WHERE { ?claim ck:chosen ?chosen }"}
    graphs = [set(ox.parse(httpx.get(f"{url}/sparql", params=query, headers={"Accept": "application/n-triples"},
                                     timeout=60).content, format=ox.RdfFormat.N_TRIPLES)) for url in (server, remote)]
    assert graphs[0] and graphs[0] == graphs[1]


def test_blank_nodes_are_loaded_and_read(server: str, remote: str):
    """The ontology's blank nodes (owl:unionOf classes and their RDF lists) reach Virtuoso, which refuses
    them in INSERT DATA, and come back through its "nodeID://" labels as the same structures."""
    query = {"query": "CONSTRUCT { ?b ?p ?o } WHERE { ?b ?p ?o FILTER isBlank(?b) }"}
    graphs = []
    for url in (server, remote):  # compared canonicalised (RDFC-1.0): rdflib's isomorphism takes minutes here
        answer = httpx.get(f"{url}/sparql", params=query, headers={"Accept": "application/n-triples"}, timeout=60)
        graph = ox.Dataset(ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES))
        graph.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        graphs.append(set(graph))
    assert len(graphs[0]) > 100 and graphs[0] == graphs[1]
    labels = httpx.get(f"{remote}/sparql", params={"query": "SELECT ?r WHERE { ?r owl:unionOf ?members }"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=60).json()
    bindings = labels["results"]["bindings"]
    assert bindings and all(b["r"]["type"] == "bnode" and "/" not in b["r"]["value"] for b in bindings)


def test_errors_keep_their_codes_and_the_store_names_the_line(server: str, remote: str):
    """As tests/test_remote_backend_http.py checks on oxigraph, but a syntax error is in Virtuoso's words,
    which name the line and the token, not the column; only their first paragraph (no echo of the text)."""
    assert_the_same_error_codes(server, remote)
    message = httpx.get(f"{remote}/sparql", params={"query": "SELECT *\nWHERE { ?s ?p }"}, timeout=60).json()["message"]
    assert "line 2: syntax error" in message and "PREFIX" not in message, message


@pytest.mark.parametrize("query", ["SELECT * WHERE { ?s foaf:name ?o }", "SELECT *\nWHERE {\n  ?s ex:knows ?o }"])
def test_an_undeclared_prefix_is_refused_in_the_same_words(server: str, remote: str, query: str):
    """Virtuoso predeclares prefixes of its own (foaf: among them) and would answer the first query; the
    replica finds the undeclared prefix itself and says so as the embedded engine does."""
    answers = [httpx.get(f"{url}/sparql", params={"query": query}, timeout=60) for url in (server, remote)]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[1].json() == answers[0].json() and "undeclared prefix" in answers[0].json()["message"]


@pytest.mark.parametrize("path", ["/id/country/THA", "/id/plan/spa2/ppc/4", "/lineage", "/query?example=plan-ppcs"])
def test_pages_answer_the_same(server: str, remote: str, path: str):
    embedded = httpx.get(f"{server}{path}", timeout=60).text.replace(server, "")
    assert same(server, remote, path) == embedded


def test_a_replica_refuses_a_store_that_caps_its_rows():
    """Virtuoso's default ResultSetMaxRows (10,000) cuts the replica's one read of every quad: it stops,
    naming the setting, instead of serving part of the graph."""
    with virtuoso_server(max_rows=10_000) as store:
        load_with_account(f"{store}/sparql-auth", "dba", "dba")
        with pytest.raises(RuntimeError, match="ResultSetMaxRows"), running_server("--store", f"{store}/sparql"):
            pass


def test_the_http_api_test_modules_pass_on_virtuoso():
    """The HTTP API tests, their `server` a replica on a throwaway Virtuoso (conftest.server with
    COMMIT_KG_TEST_STORE=virtuoso), run as their own pytest session: the coverage index, the named
    queries and VoID answer on Virtuoso as on the embedded store."""
    here = Path(__file__).parent
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", "-x",
                           *(str(here / name) for name in API_MODULES)],
                          env={**os.environ, "COMMIT_KG_TEST_STORE": "virtuoso"}, cwd=here.parent,
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-3000:]
    assert " passed" in done.stdout.splitlines()[-1] and "failed" not in done.stdout.splitlines()[-1]
