"""`commit-kg serve --store` (issue 12): the service answering from a real `oxigraph serve` that
`commit-kg load --into` wrote, beside the service on its embedded store. Every route a user or client
reaches answers the same from both: the REST API, /sparql in every result form, the resource pages and
descriptions, the dumps' index, VoID, validation and the pages; errors keep their codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib
import rdflib.compare
from conftest import running_server
from remote_support import loaded_oxigraph

JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def remote() -> Iterator[str]:
    """Our service on a remote store: oxigraph serve, loaded as a user would load it."""
    with loaded_oxigraph() as store, running_server("--store", f"{store}/query",
                                                    env={"COMMIT_KG_HTTP_WORKERS": "1"}) as url:
        yield url


def fetch(url: str, params: dict[str, str]) -> httpx.Response:
    return httpx.get(url, params=params or None, timeout=60)  # params={} would drop the URL's own query


def same(server: str, remote: str, path: str, **params: str) -> str:
    """The remote service's answer, with its own address taken out, after checking both answered 200."""
    embedded = fetch(f"{server}{path}", params)
    answer = fetch(f"{remote}{path}", params)
    assert answer.status_code == embedded.status_code == 200, (path, answer.text[:300])
    return answer.text.replace(remote, "")


@pytest.mark.parametrize("path, params", [
    ("/api/coverage", {"kind": "mla", "as_of": "2010-12-31"}),
    ("/api/coverage", {"kind": "anti-trafficking", "as_of": "2004-06-01"}),
    ("/api/criteria", {"as_of": "2010-12-31"}),
    ("/api/countries/THA", {}),
    ("/api/lineage/spa2/5", {}),
    ("/api/queries", {}),
    ("/api/queries/country-instruments", {"country": "KHM"}),
    ("/api/queries/pair-instruments", {}),
    ("/api/queries/criteria-table", {"as_of": "2010-12-31"}),
])
def test_the_rest_api_answers_the_same(server: str, remote: str, path: str, params: dict[str, str]):
    embedded = json.loads(fetch(f"{server}{path}", params).text.replace(server, ""))
    assert json.loads(same(server, remote, path, **params)) == embedded


def test_the_shacl_report_finds_the_same_results(server: str, remote: str):
    """The replica makes its report again from the store's quads: the same verdict, counts and findings
    (node, path, value, rule). Their wording is compared on its own in the API modules' run below."""
    reports = [httpx.get(f"{url}/api/validation", timeout=120).json() for url in (server, remote)]
    assert reports[0]["conforms"] == reports[1]["conforms"] and reports[0]["counts"] == reports[1]["counts"]
    found = [sorted((r["severity"], r["category"], r["focus_node"], r["path"] or "", r["value"] or "", r["shape"])
                    for r in report["results"]) for report in reports]
    assert found[0] and found[0] == found[1]


@pytest.mark.parametrize("query", [
    "SELECT ?c ?label WHERE { ?c a ck:Country ; rdfs:label ?label } ORDER BY ?c ?label",
    "SELECT ?ppc (COUNT(?a) AS ?n) WHERE { ?a ck:partOfPPC ?ppc } GROUP BY ?ppc ORDER BY ?ppc",
    "ASK { <https://w3id.org/commit-kg/id/country/THA> a ck:Country }",
])
@pytest.mark.parametrize("media", [JSON, "text/csv", "application/sparql-results+xml"])
def test_sparql_answers_the_same(server: str, remote: str, query: str, media: str):
    embedded = httpx.get(f"{server}/sparql", params={"query": query}, headers={"Accept": media}, timeout=60)
    answer = httpx.get(f"{remote}/sparql", params={"query": query}, headers={"Accept": media}, timeout=60)
    assert answer.status_code == embedded.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"] == embedded.headers["content-type"]
    if media == JSON:
        assert answer.json() == embedded.json()
    else:
        assert sorted(answer.text.splitlines()) == sorted(embedded.text.splitlines())


def test_a_construct_gives_the_same_graph(server: str, remote: str):
    query = {"query": "CONSTRUCT WHERE { ?c a ck:Country ; ck:iso3166Alpha3 ?iso }"}
    graphs = [rdflib.Graph().parse(data=httpx.get(f"{url}/sparql", params=query, timeout=60,
                                                  headers={"Accept": "text/turtle"}).text, format="turtle")
              for url in (server, remote)]
    assert len(graphs[0]) == 12 and rdflib.compare.isomorphic(*graphs)


def test_errors_keep_their_codes_and_positions(server: str, remote: str):
    for params, code in (({"query": "SELECT * WHERE { ?s ?p }"}, "query_syntax_error"),
                         ({"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}, "unsupported_operation"),
                         ({"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } }"},
                          "federation_refused")):
        answers = [httpx.get(f"{url}/sparql", params=params, timeout=60) for url in (server, remote)]
        assert [a.status_code for a in answers] == [400, 400]
        assert [a.json()["error"] for a in answers] == [code, code]
    remote_error = httpx.get(f"{remote}/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}, timeout=60)
    assert "at 1:2" in remote_error.json()["message"], remote_error.text  # the user's column, not the prologue's


@pytest.mark.parametrize("path", ["/id/country/THA", "/id/plan/spa2/ppc/4", "/ontology"])
def test_descriptions_are_the_same_graph(server: str, remote: str, path: str):
    graphs = [rdflib.Graph().parse(data=httpx.get(f"{url}{path}", params={"format": "ttl"}, timeout=60).text,
                                   format="turtle") for url in (server, remote)]
    assert len(graphs[0]) > 0 and rdflib.compare.isomorphic(*graphs)


@pytest.mark.parametrize("path", ["/", "/?as_of=2004-06-01&lang=th", "/id/country/THA", "/id/plan/spa2/ppc/4",
                                  "/lineage", "/query?example=plan-ppcs", "/coverage/mla/KHM/THA", "/report"])
def test_pages_answer_the_same(server: str, remote: str, path: str):
    embedded = httpx.get(f"{server}{path}", timeout=60).text.replace(server, "")
    assert same(server, remote, path) == embedded


def test_the_dataset_description_and_dumps_hold_the_same_graph(server: str, remote: str):
    void = [rdflib.Graph().parse(data=httpx.get(f"{url}/.well-known/void", headers={"Accept": "text/turtle"},
                                                timeout=60).text, format="turtle") for url in (server, remote)]
    triples = rdflib.URIRef("http://rdfs.org/ns/void#triples")
    assert sorted(int(o) for o in void[0].objects(None, triples)) == sorted(int(o) for o in void[1].objects(None, triples))
    dumps = [httpx.get(f"{url}/dumps/commit-kg.nq", timeout=120).content for url in (server, remote)]
    assert dumps[0] == dumps[1]


API_MODULES = ["test_api_http.py", "test_sparql_http.py", "test_sparql_clients.py", "test_resources_http.py",
               "test_dataset_http.py", "test_researcher_answers.py", "test_error_table.py", "test_http_semantics.py"]


def test_the_http_api_test_modules_pass_on_the_remote_store():
    """The same HTTP API tests, their `server` a replica on a real `oxigraph serve` (conftest.server with
    COMMIT_KG_TEST_STORE=oxigraph), run as their own pytest session."""
    here = Path(__file__).parent
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
                           *(str(here / name) for name in API_MODULES)],
                          env={**os.environ, "COMMIT_KG_TEST_STORE": "oxigraph"}, cwd=here.parent,
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-3000:]
    assert " passed" in done.stdout.splitlines()[-1] and "failed" not in done.stdout.splitlines()[-1]
