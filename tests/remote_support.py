"""Second SPARQL servers for federation tests: a real `oxigraph serve` process (PyPI `oxigraph`) and a
small recording endpoint that notes each request (headers included) and can be told to be slow; and the
stores a replica reads: `oxigraph serve` and a throwaway Virtuoso (Debian virtuoso-opensource-7-bin),
each loaded with `commit-kg load --into`."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
from conftest import free_port, stop


@contextlib.contextmanager
def oxigraph_server(union_default_graph: bool = False) -> Iterator[str]:
    """`oxigraph serve` on an empty store in a temporary folder; yields its base URL (/query, /update,
    /store). With `union_default_graph`, queries see the union of the named graphs, as ours do."""
    binary = shutil.which("oxigraph")
    assert binary, "the `oxigraph` command (PyPI package oxigraph, a test dependency) is not installed"
    with tempfile.TemporaryDirectory(prefix="oxigraph-") as location:
        port = free_port()
        union = ["--union-default-graph"] if union_default_graph else []
        process = subprocess.Popen([binary, "serve", "--location", location, "--bind", f"127.0.0.1:{port}", *union],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_answering(process, f"{url}/query", 30, lambda: "oxigraph serve did not start")
            yield url
        finally:
            stop(process)


def wait_until_answering(process: subprocess.Popen, query_url: str, seconds: float,
                         failure: Callable[[], str]) -> None:
    """Until the SPARQL endpoint a just-started server holds answers `ASK {}`; fails with `failure()` if
    the server exits or `seconds` pass first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(query_url, params={"query": "ASK {}"}, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, failure()
        time.sleep(0.1)


def update(url: str, text: str) -> None:
    """A SPARQL Update to an `oxigraph serve` endpoint."""
    response = httpx.post(f"{url}/update", content=text.encode(), timeout=10,
                          headers={"Content-Type": "application/sparql-update"})
    response.raise_for_status()


class Recorder:
    """An HTTP endpoint on 127.0.0.1 that records every request and answers one fixed SPARQL JSON row,
    after `delay` seconds."""

    ANSWER = json.dumps({"head": {"vars": ["x"]},
                         "results": {"bindings": [{"x": {"type": "literal", "value": "recorded"}}]}}).encode()

    def __init__(self, delay: float = 0.0) -> None:
        self.requests: list[dict[str, str]] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.answer()

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
                self.answer()

            def answer(self) -> None:
                recorder.requests.append({k.lower(): v for k, v in self.headers.items()})
                time.sleep(delay)
                with contextlib.suppress(OSError):
                    self.send_response(200)
                    self.send_header("Content-Type", "application/sparql-results+json")
                    self.send_header("Content-Length", str(len(Recorder.ANSWER)))
                    self.end_headers()
                    self.wfile.write(Recorder.ANSWER)

            def log_message(self, *_: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def recorder(delay: float = 0.0) -> Iterator[Recorder]:
    endpoint = Recorder(delay)
    try:
        yield endpoint
    finally:
        endpoint.close()


@contextlib.contextmanager
def loaded_oxigraph(*build_arguments: str) -> Iterator[str]:
    """`oxigraph serve` (union default graph) holding the built graph, written by `commit-kg load --into`
    as a user would write it (`build_arguments`, such as --data-dir, choose other files); yields its base
    URL (/query, /update)."""
    with oxigraph_server(union_default_graph=True) as store:
        load_into(store, *build_arguments)
        yield store


def load_into(store: str, *build_arguments: str) -> str:
    """`commit-kg load --into` the store's Update endpoint, as a user runs it; what it printed."""
    loaded = subprocess.run([sys.executable, "-m", "commit_kg", "load", "--into", f"{store}/update",
                             *build_arguments],
                            capture_output=True, text=True, timeout=600, check=False)
    assert loaded.returncode == 0, loaded.stderr
    return loaded.stdout


VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 60
"""


@contextlib.contextmanager
def virtuoso_server(max_rows: int = 1_000_000) -> Iterator[str]:
    """A new Virtuoso database in a temporary folder, its SQL and HTTP listeners on free ports of
    127.0.0.1 (`virtuoso-t +foreground +configfile`); yields its base URL (/sparql, /sparql-auth).
    Its ResultSetMaxRows (`max_rows`) is raised from Virtuoso's 10,000 so that the replica's copy reads
    every quad in one answer. SIGTERM is Virtuoso's quick shutdown (no checkpoint: the folder is thrown away)."""
    binary = shutil.which("virtuoso-t")
    assert binary, ("`virtuoso-t` is not installed: `apt-get install virtuoso-opensource-7-bin` "
                    "(Debian's Virtuoso 7.2 server binary; .ci/run installs it)")
    with tempfile.TemporaryDirectory(prefix="virtuoso-") as location:
        http_port = free_port()
        ini = Path(location) / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(dir=location, sql_port=free_port(), http_port=http_port,
                                           max_rows=max_rows))
        process = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=location,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{http_port}"
        log = Path(location, "virtuoso.log")
        try:
            wait_until_answering(process, f"{url}/sparql", 60, lambda: (
                f"virtuoso-t did not start: {log.read_text()[-2000:] if log.exists() else 'no log'}"))
            yield url
        finally:
            stop(process)


@contextlib.contextmanager
def loaded_virtuoso(*build_arguments: str) -> Iterator[str]:
    """A throwaway Virtuoso holding the built graph, written by `commit-kg load --into` its /sparql-auth
    endpoint (Virtuoso's endpoint for SPARQL Update by an SQL account, HTTP Digest) as the new database's
    `dba` account; yields its query endpoint (/sparql), which answers anyone and writes nothing."""
    with virtuoso_server() as store:
        load_with_account(f"{store}/sparql-auth", "dba", "dba", *build_arguments)
        yield f"{store}/sparql"


def load_with_account(update_url: str, user: str, password: str, *build_arguments: str) -> str:
    """`commit-kg load --into` an Update endpoint that asks for an account (COMMIT_KG_STORE_USER and
    COMMIT_KG_STORE_PASSWORD); what it printed."""
    account = {"COMMIT_KG_STORE_USER": user, "COMMIT_KG_STORE_PASSWORD": password}
    loaded = subprocess.run([sys.executable, "-m", "commit_kg", "load", "--into", update_url, *build_arguments],
                            capture_output=True, text=True, timeout=600, check=False, env={**os.environ, **account})
    assert loaded.returncode == 0, loaded.stderr
    return loaded.stdout


@contextlib.contextmanager
def loaded_store(*build_arguments: str) -> Iterator[str]:
    """The store COMMIT_KG_TEST_STORE names (oxigraph or virtuoso) holding the built graph, loaded by
    `commit-kg load --into`; yields the query endpoint a replica reads (`serve --store`)."""
    if os.environ.get("COMMIT_KG_TEST_STORE") == "virtuoso":
        with loaded_virtuoso(*build_arguments) as query_url:
            yield query_url
        return
    with loaded_oxigraph(*build_arguments) as store:
        yield f"{store}/query"
