"""`serve --workers N`: one build, N HTTP worker processes forked on one socket; every way of stopping
the server (SIGTERM, Ctrl-C to the process group, the parent killed) leaves no process behind."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from conftest import free_port
from pool_support import descendants

FIXTURE = Path(__file__).resolve().parent / "conformance" / "protocol_fixture.nq"


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if state[state.rindex(")") + 2] != "Z":
            living.add(pid)
    return living


def wait_until(condition, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    lines: queue.Queue = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    def output(self) -> list[str]:
        while not self.lines.empty():
            line = self.lines.get()
            if line is not None:
                self.seen.append(line)
        return self.seen

    def answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200
        except httpx.TransportError:
            return False


@contextmanager
def serving(tmp_path: Path, *arguments: str, env: dict[str, str] | None = None) -> Iterator[Server]:
    """The real command on the protocol fixture, in its own session (as a terminal would run it), with a
    private cache folder; killed with everything below it if a test leaves it running."""
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    shutil.copy(FIXTURE, data)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "commit_kg", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--data-dir", str(data), *arguments],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        env={**os.environ, "COMMIT_KG_CACHE_DIR": str(tmp_path / "cache"), **(env or {})})
    server = Server(process, f"http://127.0.0.1:{port}")

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            server.lines.put(line.rstrip("\n"))
        server.lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        yield server
    finally:
        left = descendants(process.pid) | {process.pid}
        for pid in alive(left):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait(timeout=10)


def started(server: Server) -> None:
    assert wait_until(lambda: server.answers() or server.process.poll() is not None, 90), server.output()
    assert server.process.poll() is None, "\n".join(server.output())


def http_workers(server: Server) -> set[int]:
    """The pids uvicorn reports as 'Started server process [pid]'."""
    return {int(line.rsplit("[", 1)[1].rstrip("]")) for line in server.output() if "Started server process" in line}


def test_two_workers_share_one_build_and_one_socket(tmp_path: Path):
    with serving(tmp_path, "--workers", "2") as server:
        started(server)
        assert wait_until(lambda: len(http_workers(server)) == 2)
        workers = http_workers(server)
        assert workers <= descendants(server.process.pid), "the HTTP workers are forked by the server"
        assert server.process.pid not in workers
        output = server.output()
        assert sum(line.startswith("built ") for line in output) == 1, output
        assert any(line.startswith("commit-kg at ") for line in output)
        for _ in range(20):
            assert server.answers()


def test_one_worker_serves_in_the_process_itself(tmp_path: Path):
    with serving(tmp_path, "--workers", "1") as server:
        started(server)
        assert wait_until(lambda: http_workers(server) == {server.process.pid}), server.output()


def test_the_setting_gives_the_count(tmp_path: Path):
    with serving(tmp_path, env={"COMMIT_KG_HTTP_WORKERS": "3"}) as server:
        started(server)
        assert wait_until(lambda: len(http_workers(server)) == 3), server.output()


@pytest.mark.parametrize("how", ["SIGTERM to the server", "Ctrl-C to the process group"])
def test_stopping_leaves_no_process(tmp_path: Path, how: str):
    with serving(tmp_path, "--workers", "2") as server:
        started(server)
        assert wait_until(lambda: len(http_workers(server)) == 2)
        below = descendants(server.process.pid)
        assert http_workers(server) <= below
        if how == "SIGTERM to the server":
            server.process.send_signal(signal.SIGTERM)
        else:
            os.killpg(server.process.pid, signal.SIGINT)
        assert server.process.wait(timeout=30) == 0, server.output()
        assert wait_until(lambda: not alive(below), 15), f"left running: {alive(below)}"
        assert not server.answers()


def test_killing_the_server_takes_its_workers_with_it(tmp_path: Path):
    with serving(tmp_path, "--workers", "2") as server:
        started(server)
        assert wait_until(lambda: len(http_workers(server)) == 2)
        workers = http_workers(server)
        server.process.kill()
        server.process.wait(timeout=10)
        assert wait_until(lambda: not alive(workers), 15), f"left running: {alive(workers)}"


def test_a_worker_that_dies_is_replaced(tmp_path: Path):
    with serving(tmp_path, "--workers", "2") as server:
        started(server)
        assert wait_until(lambda: len(http_workers(server)) == 2)
        victim = min(http_workers(server))
        time.sleep(5.5)  # past start-up: a worker dying while starting stops the server instead
        os.kill(victim, signal.SIGKILL)
        assert wait_until(lambda: len(http_workers(server) - {victim}) == 2, 30), server.output()
        assert server.process.poll() is None and server.answers()


@pytest.mark.parametrize("arguments, env", [(["--workers", "0"], {}), ([], {"COMMIT_KG_HTTP_WORKERS": "0"})])
def test_a_worker_count_below_one_is_bad_usage(tmp_path: Path, arguments: list[str], env: dict[str, str]):
    with serving(tmp_path, *arguments, env=env) as server:
        assert server.process.wait(timeout=60) == 2
        assert wait_until(lambda: any("positive" in line or "expected 1 or more" in line for line in server.output()))


def test_a_port_in_use_is_refused_with_uvicorns_code(tmp_path: Path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with serving(tmp_path, "--workers", "2", "--port", str(port)) as server:
            assert server.process.wait(timeout=60) == 3
            assert wait_until(lambda: any("cannot listen on" in line for line in server.output())), server.output()


def test_a_restart_on_unchanged_files_serves_from_the_cache(tmp_path: Path):
    def built_line() -> str:
        with serving(tmp_path, "--workers", "2") as server:
            started(server)
            line = next(line for line in server.output() if line.startswith("built "))
            assert server.answers()
            return line

    assert "from the cache" not in built_line()
    assert f"from the cache {tmp_path / 'cache'}" in built_line()
