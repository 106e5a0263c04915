"""Shared fixtures: the real build of the repository's files, copies of them to break, a real server;
and the guard that fails a test reading beside the repository (read_guard.py)."""

from __future__ import annotations

import contextlib
import datetime
import json
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
    pin_today()
    config.addinivalue_line("markers", "embedded_only(reason): a check that cannot hold for a replica on a "
                            "remote store (the reason says why); left out on that backend")


def pin_today() -> None:
    """Every build in the session, in this process, its xdist workers and the servers they start (all
    inherit the environment), takes 'today' as the day the session began: a graph's version and its
    statuses name that day, and builds compared with each other (a replica against the embedded service)
    must not differ because the suite ran past midnight (CI once did)."""
    if "COMMIT_KG_REFERENCE_DATES" in os.environ:
        return
    today = datetime.date.today().isoformat()
    days = [today if day == "today" else day for day in Settings.model_fields["reference_dates"].default]
    os.environ["COMMIT_KG_REFERENCE_DATES"] = json.dumps(days)


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


REMOTE = os.environ.get("COMMIT_KG_TEST_STORE", "") in ("oxigraph", "virtuoso")


class Backend:
    """Where the tests' servers read their graph. Embedded (the default): each builds its own. With
    COMMIT_KG_TEST_STORE=oxigraph (or virtuoso): a real `oxigraph serve` (or Virtuoso) that `commit-kg
    load --into` wrote, read with `serve --store` (the remote store backend); the repository's files go
    into one store shared by the session (replicas only read), other files (`--data-dir …`) into a store
    of their own."""

    def __init__(self, stack: contextlib.ExitStack) -> None:
        self.stack, self.shared = stack, ""

    @contextlib.contextmanager
    def __call__(self, *build_arguments: str, own: bool = False) -> Iterator[tuple[str, ...]]:
        """The `serve` arguments for a server on the files `build_arguments` name (none: the repository's).
        `own`: a store of its own even then, for a test whose queries the store may go on running after
        the replica stopped waiting (a time limit), so that they tie up no store the session shares."""
        if not REMOTE:
            yield build_arguments
            return
        from remote_support import loaded_store

        if build_arguments or own:
            with loaded_store(*build_arguments) as query_url:
                yield ("--store", query_url, *build_arguments)
            return
        self.shared = self.shared or self.stack.enter_context(loaded_store())
        yield ("--store", self.shared)


@pytest.fixture(scope="session")
def backend() -> Iterator[Backend]:
    """A module that starts its own server (running_server) on the tests' backend requests this, and so
    joins the remote pass of tests/test_remote_backend_http.py, which runs every test requesting it."""
    with contextlib.ExitStack() as stack:
        yield Backend(stack)


@pytest.fixture(scope="session")
def server(backend: Backend) -> Iterator[str]:
    """The service on the repository's files, on the tests' backend (see Backend): with
    COMMIT_KG_TEST_STORE=oxigraph, a replica reading a real `oxigraph serve`, so that every module using
    this fixture runs against either backend."""
    with backend() as arguments, running_server(*arguments) as url:
        yield url


EMBEDDED_ONLY = pytest.StashKey[list[str]]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the remote backend, the tests marked embedded_only (what cannot hold for a replica, the reason
    given in the mark) are left out, and said so; COMMIT_KG_TEST_REMOTE_PASS=1 (the nested run of
    tests/test_remote_backend_http.py) also leaves out every test that does not reach the backend."""
    if not REMOTE:
        return
    only_backend = os.environ.get("COMMIT_KG_TEST_REMOTE_PASS") == "1"
    kept, left = [], []
    for item in items:
        embedded_only = item.get_closest_marker("embedded_only")
        reaches = "backend" in getattr(item, "fixturenames", ())
        (left if embedded_only or (only_backend and not reaches) else kept).append(item)
        if embedded_only:
            config.stash.setdefault(EMBEDDED_ONLY, []).append(f"{item.nodeid}: {embedded_only.args[0]}")
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """The tests left out as embedded_only, each with its reason, so that a remote run says what it did not run."""
    for line in config.stash.get(EMBEDDED_ONLY, []):
        terminalreporter.write_line(f"embedded only: {line}")
