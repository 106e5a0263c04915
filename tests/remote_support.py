"""Second SPARQL servers for federation tests: a real `oxigraph serve` process (PyPI `oxigraph`) and a
small recording endpoint that notes each request (headers included) and can be told to be slow."""

from __future__ import annotations

import contextlib
import http.server
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator

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
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert process.poll() is None and time.monotonic() < deadline, "oxigraph serve did not start"
                time.sleep(0.1)
            yield url
        finally:
            stop(process)


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
