"""Outbound federation (issue 12): SERVICE reaches the allow-listed endpoints and nothing else, through
the relay of commit_kg/federation.py, with its own time limit, row cap and User-Agent; answers that used
SERVICE are never cached; a failing endpoint is a 502 or 504 with its own code. Against real servers:
our service, a real `oxigraph serve` and a recording endpoint."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from conftest import free_port, running_server
from pool_support import canary
from remote_support import Recorder, oxigraph_server, recorder, update

from commit_kg.federation import USER_AGENT
from commit_kg.settings import Settings
from commit_kg.sparql_text import inspect

JSON = "application/sparql-results+json"


@dataclass
class Federation:
    ours: str
    oxigraph: str
    slow: Recorder
    fast: Recorder
    dead: str


@pytest.fixture(scope="module")
def federation() -> Iterator[Federation]:
    dead = f"http://127.0.0.1:{free_port()}/sparql"  # nothing listens there
    with oxigraph_server() as oxigraph, recorder(delay=4) as slow, recorder() as fast:
        update(oxigraph, 'INSERT DATA { <http://example.org/a> <http://example.org/p> "first" }')
        allowed = ",".join([f"{oxigraph}/query", slow.url, fast.url, dead])
        env = {"COMMIT_KG_SERVICE_ALLOW_LIST": allowed, "COMMIT_KG_FEDERATION_TIMEOUT": "1",
               "COMMIT_KG_FEDERATION_MAX_ROWS": "3", "COMMIT_KG_HTTP_WORKERS": "1"}
        with running_server(env=env) as ours:
            yield Federation(ours, oxigraph, slow, fast, dead)


def ask(federation: Federation, query: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{federation.ours}/sparql", params={"query": query}, timeout=60,
                     headers={"Accept": JSON, **headers})


def values(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(row["o"]["value"] for row in response.json()["results"]["bindings"])


def remote(federation: Federation, silent: bool = False, endpoint: str | None = None) -> str:
    target = endpoint or f"{federation.oxigraph}/query"
    return f"SELECT ?o WHERE {{ SERVICE {'SILENT ' if silent else ''}<{target}> {{ ?s ?p ?o }} }}"


def test_rows_come_back_and_a_second_call_sees_the_remote_change(federation: Federation):
    first = ask(federation, remote(federation))
    assert values(first) == ["first"]
    assert first.headers["cache-control"] == "no-store" and "etag" not in first.headers
    update(federation.oxigraph, 'INSERT DATA { <http://example.org/b> <http://example.org/p> "second" }')
    assert values(ask(federation, remote(federation))) == ["first", "second"]
    update(federation.oxigraph, 'DELETE DATA { <http://example.org/b> <http://example.org/p> "second" }')


def test_a_federated_join_with_our_graph(federation: Federation):
    """The remote rows join ours as SERVICE promises: a country of ours named by the remote endpoint."""
    update(federation.oxigraph, "INSERT DATA { <https://w3id.org/commit-kg/id/country/THA> "
                                '<http://example.org/m49> "764" }')
    query = ("SELECT ?label ?code WHERE { ?c a ck:Country ; rdfs:label ?label . FILTER(lang(?label) = 'en') "
             f"SERVICE <{federation.oxigraph}/query> {{ ?c <http://example.org/m49> ?code }} }}")
    response = ask(federation, query)
    assert response.status_code == 200, response.text
    rows = [(r["label"]["value"], r["code"]["value"]) for r in response.json()["results"]["bindings"]]
    assert rows == [("Thailand", "764")]


def test_the_remote_sees_our_user_agent(federation: Federation):
    answer = ask(federation, f"SELECT ?x WHERE {{ SERVICE <{federation.fast.url}> {{ ?s ?p ?x }} }}")
    assert answer.status_code == 200, answer.text
    assert [row["x"]["value"] for row in answer.json()["results"]["bindings"]] == ["recorded"]
    assert federation.fast.requests and federation.fast.requests[-1]["user-agent"] == USER_AGENT


def test_a_remote_that_is_down_is_a_502_and_silent_is_an_empty_join(federation: Federation):
    failed = ask(federation, remote(federation, endpoint=federation.dead))
    assert failed.status_code == 502, failed.text
    assert failed.json()["error"] == "federation_failed" and federation.dead in failed.json()["message"]
    silent = ask(federation, remote(federation, silent=True, endpoint=federation.dead))
    assert silent.status_code == 200 and silent.json()["results"]["bindings"] == [{}]


def test_a_remote_past_the_federation_timeout_is_a_504(federation: Federation):
    slow = ask(federation, remote(federation, endpoint=federation.slow.url))
    assert slow.status_code == 504, slow.text
    assert slow.json()["error"] == "federation_timeout"
    assert ask(federation, "ASK {}").status_code == 200  # the service goes on


def test_more_rows_than_the_cap_is_a_502_naming_the_cap(federation: Federation):
    update(federation.oxigraph, "INSERT DATA { " + " ".join(
        f'<http://example.org/r{i}> <http://example.org/p> "r{i}" .' for i in range(4)) + " }")
    try:
        capped = ask(federation, remote(federation))
        assert capped.status_code == 502 and "at most 3" in capped.json()["message"], capped.text
    finally:
        update(federation.oxigraph, "DELETE { ?s <http://example.org/p> ?o } WHERE { ?s <http://example.org/p> ?o "
                                    "FILTER(STRSTARTS(?o, 'r')) }")


def test_an_endpoint_not_on_the_list_is_refused_and_never_asked(federation: Federation):
    with canary() as other:
        refused = ask(federation, remote(federation, endpoint=other.url))
        assert refused.status_code == 400 and refused.json()["error"] == "federation_refused"
    assert other.connections == 0


def test_from_and_from_named_fetch_nothing(federation: Federation):
    """FROM names a graph of this dataset; it is never fetched, not even from an allowed endpoint."""
    before = len(federation.fast.requests)
    for query in (f"SELECT * FROM <{federation.fast.url}> WHERE {{ ?s ?p ?o }}",
                  f"SELECT * FROM NAMED <{federation.fast.url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"):
        answer = ask(federation, query)
        assert answer.status_code == 200 and answer.json()["results"]["bindings"] == []
    assert len(federation.fast.requests) == before


def test_the_service_description_states_the_policy(federation: Federation):
    description = httpx.get(f"{federation.ours}/sparql", headers={"Accept": "text/turtle"}, timeout=30).text
    assert "BasicFederatedQuery" in description
    for endpoint in (f"{federation.oxigraph}/query", federation.dead):
        assert f"SERVICE allowed to {endpoint}" in description
    assert "within 1 s" in description and "3 rows" in description and USER_AGENT in description


def test_cache_control_no_cache_asks_the_workers_again():
    """Without federation an answer is a function of the graph; no-cache still skips the stored copy,
    seen here as a fresh evaluation of NOW()."""
    with running_server(env={"COMMIT_KG_HTTP_WORKERS": "1"}) as url:
        query = {"query": "SELECT (STR(NOW()) AS ?t) {}"}
        first = httpx.get(f"{url}/sparql", params=query, headers={"Accept": JSON}, timeout=30).json()
        cached = httpx.get(f"{url}/sparql", params=query, headers={"Accept": JSON}, timeout=30).json()
        fresh = httpx.get(f"{url}/sparql", params=query, timeout=30,
                          headers={"Accept": JSON, "Cache-Control": "no-cache"}).json()
    assert first == cached and fresh != first


@pytest.mark.parametrize("value, expected", [
    ("http://a.example/sparql", ["http://a.example/sparql"]),
    ("http://a.example/sparql, https://b.example/query", ["http://a.example/sparql", "https://b.example/query"]),
    ('["http://a.example/sparql"]', ["http://a.example/sparql"]),
    ("", []),
])
def test_the_allow_list_takes_commas_or_json(monkeypatch: pytest.MonkeyPatch, value: str, expected: list[str]):
    monkeypatch.setenv("COMMIT_KG_SERVICE_ALLOW_LIST", value)
    assert Settings().service_allow_list == expected


@pytest.mark.parametrize("value, complaint", [
    ("http://ok.example/s, ftp://bad.example/s", "entry 2 ('ftp://bad.example/s') is not an absolute http(s) URL"),
    ("sparql", "entry 1 ('sparql') is not an absolute http(s) URL"),
    ("http://a.example/s#x", "has a fragment"),
    ('["http://a.example/s"', "not a JSON list of URLs"),
])
def test_a_bad_allow_list_stops_the_start_with_a_clear_message(value: str, complaint: str):
    started = subprocess.run([sys.executable, "-m", "commit_kg", "serve", "--port", str(free_port())],
                             env={**os.environ, "COMMIT_KG_SERVICE_ALLOW_LIST": value},
                             capture_output=True, text=True, timeout=60, check=False)
    assert started.returncode == 2
    assert "COMMIT_KG_SERVICE_ALLOW_LIST" in started.stderr and complaint in started.stderr, started.stderr


def test_a_querys_own_from_replaces_the_union_default_graph(federation: Federation):
    """FROM <g> makes g the default graph (SPARQL 1.1 13.2), not the union of all graphs; and FROM NAMED
    alone leaves the default graph empty."""
    graph = "https://w3id.org/commit-kg/graph/data/countries"

    def count(query: str) -> int:
        response = ask(federation, query)
        assert response.status_code == 200, response.text
        return int(response.json()["results"]["bindings"][0]["n"]["value"])
    in_graph = count(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    union = count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert 0 < in_graph < union
    assert count(f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}") == in_graph
    assert count(f"SELECT (COUNT(*) AS ?n) FROM NAMED <{graph}> WHERE {{ ?s ?p ?o }}") == 0


@pytest.mark.parametrize("query, has_from", [
    ("SELECT * FROM <http://g> WHERE { ?s ?p ?o }", True),
    ("SELECT * FROM<http://g>{ ?s ?p ?o }", True),
    ("select * from named <http://g> { graph ?g { ?s ?p ?o } }", True),
    ("SELECT * WHERE { ?s <http://example.org/from> ?o }", False),
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o = 'FROM <x>') }", False),
    ("PREFIX from: <http://example.org/> SELECT * WHERE { ?s from:p ?o }", False),
])
def test_the_tokenizer_sees_a_from_clause_only_outside_groups(query: str, has_from: bool):
    assert inspect(query).has_from is has_from
