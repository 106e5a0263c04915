"""No query makes a request leave the server. Two guards, each tested against a real loopback canary
that counts connections: /sparql refuses every SERVICE spelling of issue 9 before a worker sees it,
and a worker given a SERVICE query directly (the parser bypassed) cannot open a network socket."""

from __future__ import annotations

import asyncio

import httpx
import pyoxigraph as ox
import pytest
from conftest import running_server
from pool_support import Canary, canary

from commit_kg import sandbox
from commit_kg.errors import FederationRefusedError
from commit_kg.execution import Dataset
from commit_kg.query_pool import Job, Limits, QueryPool

JSON = "application/sparql-results+json"


def spellings(target: str, own: str) -> list[str]:
    """Every way issue 9 reached a canary, and the tokenizer's hard cases, all aimed at `target`."""
    base, _, leaf = target.rpartition("/")
    return [
        f"SELECT * WHERE {{ SERVICE<{target}> {{ ?s ?p ?o }} }}",
        f"PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> SELECT * WHERE {{ ?s rdf:type ?o "
        f"SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p <http://example.org/it's> . SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE\n<{target}>\n{{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE # a comment\n SILENT # another\n <{target}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service <{target}> {{ ?s ?p ?o }} }}",
        f"PREFIX c: <{base}/> SELECT * WHERE {{ SERVICE c:{leaf} {{ ?s ?p ?o }} }}",
        f"BASE <{base}/> SELECT * WHERE {{ SERVICE <{leaf}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?e {{ <{target}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE undeclared:x {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{own}> {{ ?s ?p ?o }} }}",  # the server's own address
        "SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",  # relative: resolves to the server itself
        f"SELECT * WHERE {{ FILTER(1<2)SERVICE<{target}>{{ ?s ?p ?o }} }}",
    ]


def test_no_spelling_of_service_reaches_the_canary_through_sparql():
    with canary() as watcher, running_server() as url:
        for text in spellings(watcher.url, f"{url}/sparql"):
            for send in (lambda: httpx.get(f"{url}/sparql", params={"query": text}, timeout=30),
                         lambda: httpx.post(f"{url}/sparql", content=text.encode(), timeout=30,
                                            headers={"Content-Type": "application/sparql-query"})):
                response = send()
                assert response.status_code == 400, (text, response.text)
                assert response.json()["error"] == "federation_refused", text
        quoted = httpx.get(f"{url}/sparql", params={"query": f'SELECT ("SERVICE <{watcher.url}>" AS ?v) {{}}'})
        assert quoted.status_code == 200  # the word inside a string is no SERVICE clause
    assert watcher.connections == 0


def test_an_endpoint_on_the_allow_list_is_reached_and_no_other():
    """The control for the test above: the canary does count a request that is let through."""
    with canary() as allowed, canary() as other:
        env = {"COMMIT_KG_SERVICE_ALLOW_LIST": f'["{allowed.url}"]', "COMMIT_KG_HTTP_WORKERS": "1"}
        with running_server(env=env) as url:
            refused = httpx.get(f"{url}/sparql", params={"query": spellings(other.url, "x")[0]}, timeout=30)
            assert refused.json()["error"] == "federation_refused"
            httpx.get(f"{url}/sparql", params={"query": spellings(allowed.url, "x")[0]}, timeout=30)
    assert allowed.connections >= 1 and other.connections == 0


def pool_limits(deny_network: bool, allowed_ports: tuple[int, ...] = ()) -> Limits:
    return Limits(fast_workers=1, heavy_workers=1, fast_slice=2.0, heavy_queue=4, timeout=10.0,
                  memory_bytes=512 << 20, result_bytes=1 << 20, deny_network=deny_network,
                  allowed_ports=allowed_ports)


async def ask_worker(deny_network: bool, target: str,
                     allowed_ports: tuple[int, ...] = ()) -> tuple[Exception | bytes, bytes]:
    """A SERVICE query handed straight to a pool (no parser), then a plain query on the same pool."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
                      ox.Literal("o"), ox.NamedNode("http://example.org/g")))
    pool = QueryPool(store, pool_limits(deny_network, allowed_ports))
    await pool.start()
    loop = asyncio.get_running_loop()
    try:
        try:
            first: Exception | bytes = bytes(await pool.run(
                Job(spellings(target, "x")[0], Dataset(), JSON, None), loop.time()))
        except Exception as error:  # noqa: BLE001 - the test looks at which error it is
            first = error
        after = bytes(await pool.run(Job("ASK { ?s ?p ?o }", Dataset(), JSON, None), loop.time()))
    finally:
        await pool.close()
    return first, after


def test_a_sandboxed_worker_cannot_connect_even_with_the_parser_bypassed():
    with canary() as watcher:
        first, after = asyncio.run(ask_worker(True, watcher.url))
    assert isinstance(first, FederationRefusedError), first
    assert "network" in first.message
    assert watcher.connections == 0
    assert b"true" in after  # the pool keeps serving


def test_without_the_filter_the_same_worker_query_does_reach_the_canary():
    """The control: what the filter stops is a real connection."""
    with canary() as watcher:
        asyncio.run(ask_worker(False, watcher.url))
    assert watcher.connections >= 1


@pytest.mark.skipif(sandbox.landlock_abi() < 4, reason="this kernel has no Landlock network rules")
def test_with_an_allow_list_a_worker_reaches_only_the_listed_port_even_with_the_parser_bypassed():
    with canary() as listed, canary() as other:
        ports = (listed.port,)
        reached, _ = asyncio.run(ask_worker(False, listed.url, ports))
        refused, after = asyncio.run(ask_worker(False, other.url, ports))
    assert listed.connections >= 1, reached
    assert isinstance(refused, FederationRefusedError), refused
    assert other.connections == 0 and b"true" in after


def test_the_canary_counts_connections():
    watcher = Canary()
    try:
        httpx.get(watcher.url, timeout=5)
    finally:
        watcher.close()
    assert watcher.connections == 1
