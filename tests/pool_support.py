"""Helpers for the query-pool tests: the processes under a server, and a loopback canary that counts
every connection made to it."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

from commit_kg.query_pool import WORKER_NAME, ZYGOTE_NAME

EMPTY = b'{"head":{"vars":[]},"results":{"bindings":[]}}'
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 10^12 rows: never ends in time


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (children, their children, ...), read from /proc; zombies left out."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def name_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    """A process that exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def server_pid(url: str) -> int:
    """The process `serve` started: of those holding the listening socket (one, or a supervisor and its
    HTTP workers), the one whose parent does not hold it."""
    port = int(url.rsplit(":", 1)[1])
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":  # LISTEN
                inode = fields[9]
    assert inode, f"nothing listens on port {port}"
    holders = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                for fd in (proc / "fd").iterdir():
                    if os.readlink(fd) == f"socket:[{inode}]":
                        holders.add(int(proc.name))
    roots = [pid for pid in holders if parent_of(pid) not in holders]
    assert len(roots) == 1, f"listening processes {holders}"
    return roots[0]


def pool_processes(root: int) -> tuple[list[int], list[int]]:
    """(zygotes, workers) under a process, living ones only."""
    tree = [p for p in descendants(root) if alive(p)]
    return ([p for p in tree if name_of(p) == ZYGOTE_NAME], [p for p in tree if name_of(p) == WORKER_NAME])


class Canary:
    """A TCP server on 127.0.0.1 that counts connections and answers each with an HTTP 200."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections = 0
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.settimeout(1)
                with contextlib.suppress(OSError):
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                                 b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(EMPTY), EMPTY))

    def close(self) -> None:
        self.sock.close()


@contextlib.contextmanager
def canary() -> Iterator[Canary]:
    watcher = Canary()
    try:
        yield watcher
    finally:
        watcher.close()
