"""`commit-kg serve --store` (issue 12): the service answering from a real `oxigraph serve` that
`commit-kg load --into` wrote, beside the service on its embedded store. Every route a user or client
reaches answers the same from both: the REST API, /sparql in every result form, the resource pages and
descriptions, the dumps' index, VoID, validation and the pages; errors keep their codes."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
import rdflib
import rdflib.compare
from conftest import running_server
from remote_support import loaded_oxigraph

from commit_kg.errors import QueryTimeoutError
from commit_kg.remote_store import RemoteStore

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
    "SELECT ?x ?n WHERE { VALUES (?x ?n) { (<http://example.org/a,b> 1) } }",  # CSV quotes the IRI
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


def assert_the_same_error_codes(server: str, remote: str) -> None:
    """A syntax error, an update and a SERVICE call are refused by both with the same status and code."""
    for params, code in (({"query": "SELECT * WHERE { ?s ?p }"}, "query_syntax_error"),
                         ({"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}, "unsupported_operation"),
                         ({"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } }"},
                          "federation_refused")):
        answers = [httpx.get(f"{url}/sparql", params=params, timeout=60) for url in (server, remote)]
        assert [a.status_code for a in answers] == [400, 400]
        assert [a.json()["error"] for a in answers] == [code, code]


def test_errors_keep_their_codes_and_positions(server: str, remote: str):
    assert_the_same_error_codes(server, remote)
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


class Dribbling(http.server.BaseHTTPRequestHandler):
    """A store that starts its answer at once and then sends a byte every 0.2 s for 30 s."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", JSON)
        self.end_headers()
        with contextlib.suppress(OSError):  # the client hung up: what the replica does at its limit
            for _ in range(150):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.2)

    def log_message(self, *_: object) -> None:
        pass


def test_a_store_sending_its_answer_slowly_is_stopped_at_the_time_limit():
    """The limit is the whole answer's, not each read's: every byte comes well within the socket's
    timeout, yet the answer as a whole is refused once the limit has passed."""
    store = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Dribbling)
    store.daemon_threads = True
    threading.Thread(target=store.serve_forever, daemon=True).start()
    try:
        remote = RemoteStore(f"http://127.0.0.1:{store.server_address[1]}/query")
        with pytest.raises(QueryTimeoutError):
            remote.request("ASK {}", JSON, None, timeout=1)
    finally:
        store.shutdown()
        store.server_close()


@pytest.mark.embedded_only("with COMMIT_KG_TEST_STORE=oxigraph the session running it is the remote pass itself")
def test_every_test_reaching_the_backend_passes_on_the_remote_store(tmp_path: Path):
    """The rest of the suite on a replica: every test that requests the tests' backend (conftest.backend,
    directly or through the `server` fixture) runs in its own pytest session with COMMIT_KG_TEST_STORE=
    oxigraph, so a module joins by using `server` or `backend`, and no list here can rot. The fuzzers
    run their repeatable default examples there too.

    Modules that start their own servers (running_server) with settings a replica does not take stay
    on the embedded store, because:
    - test_admin_reload.py (but its `server` test): POST /admin/reload rebuilds from files; a replica
      answers 503 reload_failed (README, "A remote store and replicas").
    - test_federation_outbound.py, test_federation_inbound.py: they set COMMIT_KG_SERVICE_ALLOW_LIST,
      which stops a replica's start (the store would run SERVICE outside the relay and its limits).
    - test_query_pool.py, test_sandbox.py: the query worker pool and its seccomp filter, which a replica
      does not have (/sparql's queries run in the store).
    - test_http_semantics.py's 500 test: it serves an app of its own that fails, not the service.
    - test_nginx_proxy.py: the example proxy in front of one server; replicas behind nginx are
      tests/test_replicas.py's.
    - test_serve_workers.py: the process tree of `serve` itself (signals, workers replaced).
    Tests marked embedded_only say their reason in the mark and are listed at the end of the run."""
    here = Path(__file__).parent
    report = tmp_path / "remote.xml"
    environment = {**os.environ, "COMMIT_KG_TEST_STORE": "oxigraph", "COMMIT_KG_TEST_REMOTE_PASS": "1"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", "-x",
                           f"--junitxml={report}", "--ignore", str(Path(__file__)), str(here)],
                          env=environment, cwd=here.parent, capture_output=True, text=True, timeout=1200, check=False)
    assert done.returncode == 0, done.stdout[-4000:]
    ran = ElementTree.parse(report).getroot().iter("testcase")
    modules = {case.get("classname", "").split(".")[-1] for case in ran}
    # Some of what must be there, so that a selection gone empty or partial cannot pass unseen.
    assert {"test_api_http", "test_web_pages", "test_fuzz_openapi", "test_fuzz_sparql", "test_openapi",
            "test_protocol_conformance", "test_well_formed_output", "test_query_limits",
            "test_dashboard_browser"} <= modules, sorted(modules)
