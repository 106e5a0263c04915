"""Shared fixtures: the real build of the repository's files, copies of them to break, a real server;
and the guard that fails a test reading beside the repository (read_guard.py)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import read_guard

from commit_kg.build import BuiltGraph, build
from commit_kg.catalogue import Catalogue
from commit_kg.coverage import CoverageIndex
from commit_kg.settings import PROJECT_ROOT, Settings
from commit_kg.store import EmbeddedStore


def pytest_configure(config: pytest.Config) -> None:
    read_guard.install(config, PROJECT_ROOT)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def graph(settings: Settings) -> BuiltGraph:
    return build(settings)


@pytest.fixture(scope="session")
def store(graph: BuiltGraph) -> EmbeddedStore:
    return EmbeddedStore(graph.store)


@pytest.fixture(scope="session")
def catalogue(settings: Settings) -> Catalogue:
    """The named-query catalogue of the repository's queries/."""
    return Catalogue(settings.queries_dir)


@pytest.fixture(scope="session")
def index(store: EmbeddedStore) -> CoverageIndex:
    """The coverage index of the repository's graph."""
    return CoverageIndex(store)


@pytest.fixture
def file_copy(tmp_path: Path) -> Settings:
    """A private copy of ontology/, shapes/, data/ and queries/ that a test may break."""
    for name in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(PROJECT_ROOT / name, tmp_path / name)
    return Settings(
        ontology_dir=tmp_path / "ontology",
        shapes_dir=tmp_path / "shapes",
        data_dir=tmp_path / "data",
        queries_dir=tmp_path / "queries",
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    """Ends a process the tests started: politely, then for sure, and reaps it."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def running_server(*arguments: str, env: dict[str, str] | None = None, port: int | None = None,
                   program: tuple[str, ...] = ("-m", "commit_kg", "serve")) -> Iterator[str]:
    """The real service in its own process on 127.0.0.1, started as a user would; stopped after.
    `env` adds COMMIT_KG_* settings for this server; `port` is one the test chose (free_port) to name in
    them; `program` replaces `-m commit_kg serve` (a script given --host and --port the same way)."""
    port = port or free_port()
    # Its output goes to a file, not a pipe nobody reads: a pipe's 64 KiB of access-log lines (some
    # 800 requests) would stop the server mid-write.
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [sys.executable, *program, "--host", "127.0.0.1", "--port", str(port), *arguments],
            stdout=output, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    output.seek(0)
                    raise RuntimeError(f"server exited: {output.read().decode()}")
                try:
                    if httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start within 60 s")
                time.sleep(0.2)
            yield url
        finally:
            stop(process)


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """The service on the repository's files; with COMMIT_KG_TEST_STORE=oxigraph, the same service reading
    a real `oxigraph serve` that `commit-kg load --into` wrote (the remote store backend), so that any test
    module can run against either backend (tests/test_remote_backend_http.py runs the API modules so)."""
    if os.environ.get("COMMIT_KG_TEST_STORE") == "oxigraph":
        from remote_support import loaded_oxigraph

        with loaded_oxigraph() as store, running_server("--store", f"{store}/query") as url:
            yield url
        return
    if os.environ.get("COMMIT_KG_TEST_STORE") == "virtuoso":  # tests/test_virtuoso_backend.py
        from remote_support import loaded_virtuoso

        with loaded_virtuoso() as query_url, running_server("--store", query_url) as url:
            yield url
        return
    with running_server() as url:
        yield url
