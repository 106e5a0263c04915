"""Serve with several HTTP worker processes that share one listening socket, each forked after the one
build, so start-up does not multiply (the graph, the imports and the app are made once, then shared
copy-on-write). uvicorn's own `--workers` spawns fresh interpreters that would each import and build
again; gunicorn's `--preload` would fork as we do but adds a dependency for a loop this short.

The parent binds and listens before forking (a client that connects early waits in the backlog), then
only supervises: SIGINT or SIGTERM stops every worker (SIGKILL after a grace period), a worker that
dies later is replaced, and a worker that dies while starting stops the whole server with its code.
Each worker runs the app's lifespan itself, says "Uvicorn running on …" once it serves (as a single
process does), and asks the kernel for SIGTERM if the parent dies.

Reloads (reload.py): each worker has a link (a Unix socket pair) to the parent. The worker that
validated a reload sends the build's cache key; the parent tells every other worker to load it,
waits for each to answer (RELAY_S at most), replies with how many did, and forks later workers with
that build to load.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import select
import signal
import socket
import sys
import time
import traceback

import uvicorn

from . import reload
from .protocol import H11_DEFAULT, RefusingH11Protocol

log = logging.getLogger("uvicorn.error")
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
WAITED = STOP_SIGNALS | {signal.SIGCHLD}
GRACE_S = 10.0  # how long stopping workers may take before they are killed
STARTUP_S = 5.0  # a worker dying sooner than this after its fork is a start-up failure, not replaced
PR_SET_PDEATHSIG = 1
STARTUP_FAILURE = 3  # uvicorn's exit code when it cannot start
GONE = contextlib.suppress(ProcessLookupError, ChildProcessError)  # a worker that has already exited
POLL_S = 0.05  # how often the parent looks for a signal while it waits for messages from workers
RELAY_S = 60.0  # how long the other workers may take to load a reloaded build


def default_workers() -> int:
    """One HTTP worker per core this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def die_with_parent() -> None:
    """Linux: deliver SIGTERM to this process when its parent exits, so no worker outlives a killed server."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: workers still stop when the parent forwards signals
        pass


class Worker(uvicorn.Server):
    """A uvicorn server on an inherited socket that, once started, says so as uvicorn.run does."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and sockets:
            self._log_started_message(sockets)


def bind(config: uvicorn.Config) -> socket.socket:
    """A listening TCP socket for the workers to share (uvicorn's bind, without its early message)."""
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sock = socket.socket(family=family, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((config.host, config.port))
        sock.listen(config.backlog)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class Supervisor:
    """Forks `count` uvicorn servers on `sock` and keeps them running until told to stop."""

    def __init__(self, config: uvicorn.Config, sock: socket.socket, count: int) -> None:
        self.config, self.sock, self.count = config, sock, count
        self.children: dict[int, float] = {}  # pid -> when it was forked
        self.links: dict[int, socket.socket] = {}  # pid -> the parent's end of its link
        self.current: dict | None = None  # the last reloaded build (reload.Handover as a dict)

    def spawn(self) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            for other in [ours, *self.links.values()]:
                other.close()
            reload.link = reload.Link(theirs, self.current)
            os._exit(self.child())
        theirs.close()
        self.children[pid] = time.monotonic()
        self.links[pid] = ours

    def child(self) -> int:
        """The worker: default signal handling (uvicorn installs its own), then serve until stopped."""
        code = 0
        try:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, WAITED)
            die_with_parent()
            Worker(self.config).run(sockets=[self.sock])
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        return code

    def reap(self) -> list[tuple[int, int, float]]:
        """Children that ended: (pid, exit code or -signal, seconds they lived)."""
        ended = []
        while self.children:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            started = self.children.pop(pid, None)
            link = self.links.pop(pid, None)
            if link is not None:
                link.close()
            if started is not None:
                ended.append((pid, os.waitstatus_to_exitcode(status), time.monotonic() - started))
        return ended

    def run(self) -> int:
        """Supervise until a stop signal; the exit code is 0, or a failed worker's start-up code."""
        signal.pthread_sigmask(signal.SIG_BLOCK, WAITED)
        code = 0
        try:
            for _ in range(self.count):
                self.spawn()
            while self.children:
                signalled = signal.sigtimedwait(WAITED, 0)
                if signalled is None:
                    self.relay(POLL_S)
                    continue
                if signalled.si_signo in STOP_SIGNALS:
                    break
                failed = self.replace_ended()
                if failed is not None:
                    code = failed
                    break
        finally:
            self.stop()
            signal.pthread_sigmask(signal.SIG_UNBLOCK, WAITED)
        return code

    def relay(self, wait: float) -> None:
        """Answer a worker that asks for its reloaded build to be loaded by every other worker."""
        ready, _, _ = select.select(list(self.links.values()), [], [], wait)
        for sock in ready:
            with contextlib.suppress(OSError, ValueError):
                message = json.loads(sock.recv(reload.MESSAGE_BYTES) or b"{}")
                if "reload" in message:
                    self.current = message["reload"]
                    others = [link for link in self.links.values() if link is not sock]
                    loaded, failed = self.load_everywhere(others, message["reload"])
                    reload.send(sock, {"reloaded": loaded, "failed": failed})

    def load_everywhere(self, links: list[socket.socket], handover: dict) -> tuple[int, list[str]]:
        """Tell each worker to load the build and wait for its answer: (how many loaded, why others did not)."""
        waiting, failed = [], []
        for link in links:
            try:
                reload.send(link, {"load": handover})
                waiting.append(link)
            except OSError as error:
                failed.append(f"a worker could not be told: {error}")
        loaded, deadline = 0, time.monotonic() + RELAY_S
        while waiting and time.monotonic() < deadline:
            ready, _, _ = select.select(waiting, [], [], deadline - time.monotonic())
            for link in ready:
                waiting.remove(link)
                with contextlib.suppress(OSError, ValueError):
                    answer = json.loads(link.recv(reload.MESSAGE_BYTES) or b"{}")
                    if "loaded" in answer:
                        loaded += 1
                        continue
                    failed.append(answer.get("failed", "a worker ended while loading"))
        failed += [f"a worker gave no answer within {RELAY_S:g} s"] * len(waiting)
        return loaded, failed

    def replace_ended(self) -> int | None:
        """Start a worker for each that ended; a worker that failed while starting gives its code instead."""
        for pid, status, lived in self.reap():
            if lived < STARTUP_S:
                log.error("HTTP worker %d failed while starting (exit %d): stopping", pid, status)
                return status if status > 0 else 1
            log.warning("HTTP worker %d ended (exit %d): starting another", pid, status)
            self.spawn()
        return None

    def stop(self) -> None:
        """SIGTERM to every worker (each finishes its lifespan), SIGKILL to those still there after GRACE_S."""
        for link in self.links.values():
            link.close()
        self.links.clear()
        for pid in self.children:
            with GONE:
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_S
        while self.children and time.monotonic() < deadline:
            self.reap()
            time.sleep(0.05)
        for pid in list(self.children):
            with GONE:
                os.kill(pid, signal.SIGKILL)
            with GONE:
                os.waitpid(pid, 0)
            self.children.pop(pid, None)


def serve(app: object, host: str, port: int, workers: int, head_max_bytes: int = H11_DEFAULT) -> int:
    """Serve `app`: in this process for one worker (as uvicorn.run does), else forked workers on one socket.
    A request head (request line and headers) over `head_max_bytes` is refused by the protocol (414/431)."""
    limits = {"http": RefusingH11Protocol, "h11_max_incomplete_event_size": head_max_bytes}
    if workers == 1:
        uvicorn.run(app, host=host, port=port, **limits)
        return 0
    config = uvicorn.Config(app, host=host, port=port, **limits)
    config.load()  # protocol classes and middleware once, before the fork
    try:
        sock = bind(config)  # connections made while workers start wait in the backlog, not refused
    except OSError as error:
        log.error("cannot listen on %s:%d: %s", host, port, error)
        return STARTUP_FAILURE
    try:
        return Supervisor(config, sock, workers).run()
    finally:
        sock.close()
