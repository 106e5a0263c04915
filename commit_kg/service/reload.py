"""Atomic reload: build the files again in another interpreter (commit_kg/rebuild.py, off this
process's event loop and GIL), and only when the build and the integrity gate pass, load that very
build from the build cache and swap in a whole new AppState with one reference assignment. Requests
read the state once (deps.get_state), so each is answered entirely from the old graph or entirely
from the new one; the old state's query workers are closed only after the requests that read it have
answered (AppState.retire).

One reload at a time across every HTTP process: an exclusive, non-blocking lock on a file in the
build cache folder; a second request gets 409 reload_in_progress at once rather than queueing.

Several HTTP processes (`serve --workers N`): the process that receives the request builds and
validates, swaps itself, then sends the build's cache key to the supervisor (serve.py) over its
link; the supervisor tells every other worker to load that key, waits for each to say it has swapped,
and answers; a worker the supervisor starts later loads the last key it handed out.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import socket
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from fastapi import FastAPI

from ..build import BuiltGraph
from ..errors import ReloadFailedError, ReloadInProgressError, ReloadRefusedError
from ..rebuild import Handover
from ..settings import Settings
from ..store_cache import default_cache_dir
from .state import AppState

log = logging.getLogger("commit_kg.reload")
LOCK_FILE = ".reload.lock"
MESSAGE_BYTES = 1 << 20  # the largest message on a link (a handover names every input file)


@dataclass
class Link:
    """A forked HTTP worker's channel to its supervisor, and the build the supervisor last handed out
    (None: the one the worker was forked with)."""

    sock: socket.socket
    startup: dict | None = None


link: Link | None = None  # set by serve.py in each forked HTTP worker, before it serves


def send(sock: socket.socket, message: dict) -> None:
    sock.send(json.dumps(message).encode())


@contextlib.contextmanager
def exclusive(folder: Path) -> Iterator[None]:
    """Hold the reload lock, or raise ReloadInProgressError when another reload holds it."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK_FILE, "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ReloadInProgressError("another reload is running; try again when it has finished") from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def startup_graph(settings: Settings) -> BuiltGraph | None:
    """In a worker started after a reload: the build the supervisor last handed out."""
    if link is None or link.startup is None:
        return None
    graph = Handover(**link.startup).load(settings)
    if graph is None:
        log.warning("the reloaded build %s is no longer in the build cache: serving the start-up build",
                    link.startup["version"])
    return graph


class Reloader:
    """Reloads the graph of one app; `start` and `close` run in its lifespan."""

    def __init__(self, app: FastAPI, settings: Settings) -> None:
        self.app, self.settings = app, settings
        self.retired: list[AppState] = []
        self.tasks: set[asyncio.Task] = set()
        self.reply: asyncio.Future | None = None

    def spawn(self, work: object) -> None:
        task = asyncio.get_running_loop().create_task(work)  # type: ignore[arg-type]
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def start(self) -> None:
        """Listen to the supervisor, when there is one."""
        if link is not None:
            link.sock.setblocking(False)
            self.spawn(self.listen(link.sock))

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        for state in list(self.retired):
            await state.queries.close()

    async def reload(self) -> dict:
        """Rebuild, gate, swap here and in every other HTTP process; what is now served."""
        if self.settings.store_url:
            raise ReloadFailedError("this service reads a remote store: write the new graph into it with "
                                    "`commit-kg load --into`, then restart the replicas")
        with exclusive(self.settings.cache_dir or default_cache_dir()):
            previous = self.app.state.commit_kg.graph.version
            handover = await self.validate()
            await self.swap(handover)
            processes = 1
            if link is not None:
                processes += await self.relay(handover)
        log.info("reloaded: version %s (was %s) in %d process(es)", handover.version, previous, processes)
        return {"version": handover.version, "previous": previous, "triples": handover.triples,
                "processes": processes}

    async def validate(self) -> Handover:
        """The build of the files as they are now, made and gated in another interpreter."""
        settings = self.settings.model_dump(mode="json", exclude={"admin_token", "admin_token_file"})
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMMIT_KG_ADMIN_")}
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "commit_kg.rebuild", stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, env=env)
        try:
            out, _ = await child.communicate(json.dumps(settings).encode())
        finally:
            if child.returncode is None:  # this request was cancelled: the build is not needed
                child.kill()
                await child.wait()
        lines = out.decode("utf-8", "replace").strip().splitlines()
        if child.returncode != 0 or not lines:
            raise ReloadFailedError(f"the build process failed (exit {child.returncode}); see the server log")
        answer = json.loads(lines[-1])
        if "handover" in answer:
            return Handover(**answer["handover"])
        if answer["error"] == ReloadFailedError.code:
            raise ReloadFailedError(answer["message"])
        raise ReloadRefusedError(answer["error"], answer["message"], answer["details"])

    async def swap(self, handover: Handover) -> None:
        """Load the validated build, start its query workers, then swap the state in one assignment."""
        graph = await asyncio.to_thread(handover.load, self.settings)
        if graph is None:
            raise ReloadFailedError("the validated build is no longer in the build cache; nothing was swapped")
        # The federation relay belongs to the process, not to a graph: the new state keeps it.
        state = await asyncio.to_thread(AppState.made, self.settings, graph, self.app.state.commit_kg.relay)
        await state.queries.start()
        old, self.app.state.commit_kg = self.app.state.commit_kg, state
        self.retired.append(old)
        self.spawn(self.retire(old))

    async def retire(self, state: AppState) -> None:
        try:
            await state.retire()
        finally:
            self.retired.remove(state)

    async def relay(self, handover: Handover) -> int:
        """Have the supervisor swap every other HTTP process to this build; how many did."""
        assert link is not None
        self.reply = asyncio.get_running_loop().create_future()
        send(link.sock, {"reload": asdict(handover)})
        answer = await self.reply
        if answer["failed"]:
            raise ReloadFailedError(f"reloaded in {answer['reloaded'] + 1} HTTP processes, but not in "
                                    f"{len(answer['failed'])}: {'; '.join(answer['failed'])[:500]}")
        return answer["reloaded"]

    async def listen(self, sock: socket.socket) -> None:
        """Messages from the supervisor: load a build another process validated, or the answer to ours."""
        loop = asyncio.get_running_loop()
        while message := await loop.sock_recv(sock, MESSAGE_BYTES):
            request = json.loads(message)
            if "load" in request:
                try:
                    handover = Handover(**request["load"])
                    await self.swap(handover)
                    send(sock, {"loaded": handover.version})
                except Exception as error:  # noqa: BLE001 - reported to the process that asked
                    log.exception("could not load the reloaded build")
                    send(sock, {"failed": f"process {os.getpid()}: {error}"})
            elif self.reply is not None and not self.reply.done():
                self.reply.set_result(request)
