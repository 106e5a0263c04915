"""The replicas example (deploy/replicas/replicas.sh, issue 12) run for real with N=3: one `oxigraph serve`
loaded by `commit-kg load --into`, three `commit-kg serve --store` replicas on consecutive loopback ports
and a Debian nginx balancing them. Every replica answers; nginx spreads requests over all of them (each
replica's own access log says which it answered); answers through the balancer are the embedded
service's; a new version rolled out replica by replica shows readers no error and never a mixed
version; with a replica killed, the balancer still answers every request."""

from __future__ import annotations

import collections
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import rdflib
from conftest import free_port
from test_nginx_proxy import nginx

from commit_kg.settings import PROJECT_ROOT, Settings

SCRIPT = PROJECT_ROOT / "deploy" / "replicas" / "replicas.sh"
N = 3
OWL_VERSION = rdflib.OWL.versionInfo
VOID_TRIPLES = rdflib.URIRef("http://rdfs.org/ns/void#triples")
VOID_DATASET = rdflib.URIRef("http://rdfs.org/ns/void#Dataset")
UPSTREAM = re.compile(r"upstream=127\.0\.0\.1:(\d+) ")


def consecutive_free_ports(count: int) -> list[int]:
    """`count` consecutive loopback ports that are free now (the example numbers its replicas so)."""
    for _ in range(100):
        first = free_port()
        with contextlib.ExitStack() as held:
            try:
                for port in range(first, first + count):
                    sock = held.enter_context(socket.socket())
                    sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return list(range(first, first + count))
    raise RuntimeError(f"no {count} consecutive free ports")


@dataclass
class Deployment:
    folder: Path
    env: dict[str, str]
    ports: list[int]
    balancer: str
    store: str

    def run(self, *arguments: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(["bash", str(SCRIPT), *arguments], env={**self.env, **(env or {})},
                              capture_output=True, text=True, timeout=900, check=False)
        assert done.returncode == 0, f"replicas.sh {' '.join(arguments)}: {done.stderr[-3000:]}"
        return done.stdout

    def log(self, port: int) -> str:
        return (self.folder / f"replica-{port}.log").read_text(errors="replace")

    def pids(self) -> list[int]:
        return [int(p.read_text()) for p in (*self.folder.glob("*.pid"), *self.folder.glob("nginx/*.pid"))]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    folder = tmp_path_factory.mktemp("replicas")
    ports = consecutive_free_ports(N)
    store_port, lb_port = free_port(), free_port()
    env = {**os.environ, "RUN_DIR": str(folder), "STORE_PORT": str(store_port), "FIRST_PORT": str(ports[0]),
           "LB_PORT": str(lb_port), "COMMIT_KG": f"{sys.executable} -m commit_kg", "NGINX_BIN": nginx()}
    env.pop("COMMIT_KG_BASE_URL", None)
    found = Deployment(folder, env, ports, f"http://127.0.0.1:{lb_port}", f"http://127.0.0.1:{store_port}")
    try:
        assert found.run("start", str(N)).strip() == found.balancer
        yield found
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop"], env=env, capture_output=True, timeout=120, check=False)
        for pid in found.pids():  # whatever `stop` could not end (it removes the pid files it ended)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def turtle(url: str, client: httpx.Client | None = None) -> rdflib.Graph:
    response = (client or httpx).get(url, headers={"Accept": "text/turtle"}, timeout=60)
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    return rdflib.Graph().parse(data=response.text, format="turtle")


def versions(graph: rdflib.Graph) -> frozenset[str]:
    return frozenset(str(v) for v in graph.objects(None, OWL_VERSION))


def whole(base: str, client: httpx.Client | None = None) -> tuple[tuple, tuple, tuple]:
    """What three answers say of the version: the Service Description's version(s); VoID's, with the
    datasets' triple counts; the dumps index's, with the files' checksums. A mixed version would show as
    an answer that belongs to no single build. Through the balancer each comes from another replica."""
    description = versions(turtle(f"{base}/sparql", client))
    void = turtle(f"{base}/.well-known/void", client)
    triples = frozenset(int(o) for s in void.subjects(rdflib.RDF.type, VOID_DATASET) for o in void.objects(s, VOID_TRIPLES))
    index = (client or httpx).get(f"{base}/dumps/", headers={"Accept": "application/json"}, timeout=60)
    assert index.status_code == 200, index.text[:300]
    dumps = index.json()
    sums = frozenset((f["name"], f["sha256"]) for f in dumps["files"])
    return ("description", description), ("void", versions(void), triples), ("dumps", dumps["version"], sums)


def markers(text: str, marker: str) -> int:
    return sum(1 for line in text.splitlines() if marker in line)


def ask_through(deployment: Deployment, count: int) -> str:
    """`count` SPARQL requests through the balancer, each with a comment naming this batch; the marker."""
    marker = uuid.uuid4().hex
    with httpx.Client(timeout=60) as client:
        for i in range(count):
            answer = client.get(f"{deployment.balancer}/sparql", params={"query": f"ASK {{ ?s ?p ?o }} # {marker} {i}"},
                                headers={"Accept": "application/sparql-results+json"})
            assert answer.status_code == 200, answer.text[:300]
            assert answer.json()["boolean"] is True
    return marker


def test_every_replica_answers_from_the_store(deployment: Deployment, server: str):
    version = versions(turtle(f"{server}/sparql"))
    assert len(version) == 1
    for port in deployment.ports:
        assert versions(turtle(f"http://127.0.0.1:{port}/sparql")) == version
        assert f"serving the graph {next(iter(version))} of the store at {deployment.store}/query" in deployment.log(port)


def test_the_balancer_spreads_requests_over_every_replica(deployment: Deployment):
    marker = ask_through(deployment, 10 * N)
    answered = {port: markers(deployment.log(port), marker) for port in deployment.ports}
    assert sum(answered.values()) == 10 * N, answered  # each request answered once, by one replica
    assert min(answered.values()) > 0 and max(answered.values()) - min(answered.values()) <= 1, answered  # round robin
    # nginx's access log names the same replica for each request (the log format the example writes).
    lines = [line for line in (deployment.folder / "nginx" / "logs" / "access.log").read_text().splitlines() if marker in line]
    assert collections.Counter(int(UPSTREAM.search(line)[1]) for line in lines) == answered


@pytest.mark.parametrize("path, accept", [
    ("/api/coverage?kind=mla&as_of=2010-12-31", "application/json"),
    ("/api/queries/country-instruments?country=KHM", "application/json"),
    ("/api/criteria?as_of=2010-12-31", "application/json"),
    ("/sparql?" + urllib.parse.urlencode({"query": "SELECT ?c ?l WHERE { ?c a ck:Country ; rdfs:label ?l } ORDER BY ?c ?l"}),
     "application/sparql-results+json"),
    ("/id/country/THA", "text/html"),
    ("/", "text/html"),
    ("/dumps/commit-kg.nq", "application/n-quads"),  # 3 MB through nginx, which writes nothing to disk
])
def test_answers_through_the_balancer_are_the_embedded_services(deployment: Deployment, server: str, path: str, accept: str):
    embedded = httpx.get(f"{server}{path}", headers={"Accept": accept}, timeout=60)
    assert embedded.status_code == 200, embedded.text[:300]
    expected = embedded.text.replace(server, "")
    for _ in range(N):  # round robin: each replica answers one of them
        answer = httpx.get(f"{deployment.balancer}{path}", headers={"Accept": accept}, timeout=60)
        assert answer.status_code == 200, answer.text[:300]
        if "json" in accept:
            assert json.loads(answer.text.replace(deployment.balancer, "")) == json.loads(expected)
        else:
            assert answer.text.replace(deployment.balancer, "") == expected


def test_a_rolling_update_shows_readers_no_error_and_one_whole_version(deployment: Deployment, tmp_path: Path):
    old = whole(deployment.balancer)
    old_version = next(iter(old[0][1]))
    data = tmp_path / "data"
    shutil.copytree(Settings().data_dir, data)
    (data / "extra.ttl").write_text('<https://w3id.org/commit-kg/id/test/extra> '
                                    '<http://www.w3.org/2000/01/rdf-schema#comment> "added for the rolling update"@en .\n')
    loaded = subprocess.run([sys.executable, "-m", "commit_kg", "load", "--into", f"{deployment.store}/update"],
                            env={**deployment.env, "COMMIT_KG_DATA_DIR": str(data)},
                            capture_output=True, text=True, timeout=600, check=False)
    assert loaded.returncode == 0, loaded.stderr
    new_version = re.search(r"\(version (\S+)\)", loaded.stdout)[1]
    assert new_version != old_version
    # Until it restarts, a replica's queries read the new graph while its own copy (VoID, dumps, the
    # Service Description) is still the old one, as the README says.
    first = f"http://127.0.0.1:{deployment.ports[0]}"
    in_store = httpx.get(f"{first}/sparql", params={"query": "SELECT ?v WHERE { GRAPH <https://w3id.org/commit-kg/graph/version> "
                                                   "{ ?g owl:versionInfo ?v } }"},
                         headers={"Accept": "application/sparql-results+json"}, timeout=60).json()
    assert [row["v"]["value"] for row in in_store["results"]["bindings"]] == [new_version]
    assert whole(first) == old

    seen: list[tuple] = []
    failures: list[str] = []
    stop = threading.Event()

    def read() -> None:
        with httpx.Client(timeout=60) as client:
            while not stop.is_set():
                try:
                    seen.extend(whole(deployment.balancer, client))
                except (AssertionError, httpx.HTTPError, ValueError) as error:
                    failures.append(f"{type(error).__name__}: {error}")
                time.sleep(0.05)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        deployment.run("roll")
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert not failures, failures[:5]
    new = whole(deployment.balancer)
    assert new[0][1] == {new_version} and new[1][2] != old[1][2]  # the new build, one triple more
    assert set(seen) <= {*old, *new}, set(seen) - {*old, *new}  # each answer whole: one build's
    assert set(old) <= set(seen) and set(new) <= set(seen)
    for port in deployment.ports:  # every replica now serves the new version
        assert whole(f"http://127.0.0.1:{port}") == new
        assert f"serving the graph {new_version}" in deployment.log(port)


def test_with_a_replica_killed_the_balancer_answers_every_request(deployment: Deployment):
    victim, *others = deployment.ports
    os.kill(int((deployment.folder / f"replica-{victim}.pid").read_text()), signal.SIGKILL)
    deadline = time.monotonic() + 10
    while True:  # gone once its port refuses (a zombie would still answer kill(pid, 0))
        try:
            socket.create_connection(("127.0.0.1", victim), 1).close()
        except ConnectionRefusedError:
            break
        assert time.monotonic() < deadline, "the killed replica still accepts connections"
        time.sleep(0.1)
    marker = ask_through(deployment, 10 * N)
    assert markers(deployment.log(victim), marker) == 0
    assert sum(markers(deployment.log(port), marker) for port in others) == 10 * N
