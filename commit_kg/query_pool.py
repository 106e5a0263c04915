"""A pool of pre-started query workers, so that a query costs the engine's time, not a fork.

Layout. At start-up the HTTP process forks one *zygote* that holds the built store (copy-on-write)
and nothing else: it closes every inherited socket, so no worker ever holds a client connection or
the listening socket. Each worker is forked from the zygote on request and talks to the HTTP process
over its own Unix socket pair (handed to the zygote with SCM_RIGHTS). When ready, a worker sends a
pidfd (so the HTTP process can kill exactly it, race-free) and a memfd holding its stderr (so a
crash can be told apart from a memory-limit abort). Frames are length-prefixed: a request is JSON,
an answer is one status byte, a length and the serialised bytes as they are (no pickling). A worker
acknowledges each request with one byte before it runs it, so a worker that dies before the byte
(killed from outside while idle) is known not to have run the query, which then runs on another.

Scheduling: two lanes, because the cost of a query is unknown until it runs.
- The fast lane runs every query first, for at most `fast_slice` seconds (0.4 by default). When
  requests wait for a fast worker, each makes the query that has run longest yield after 50 ms, and
  a freed worker goes to the newest waiter (LIFO): a light query that arrives after a burst of heavy
  ones runs within milliseconds instead of after all of them (adaptive LIFO, as in Facebook's "Fail
  at Scale", ACM Queue 2015).
- A query that overruns its slice, or yields, is killed there (a spare worker takes its place at once)
  and runs again in the heavy lane, FIFO, with what is left of its time limit (counted from the
  request's arrival). The heavy lane's queue is bounded: past it, 503 with Retry-After. Heavy workers
  run at a lower CPU priority (nice 10), so pages, the REST API and fast queries keep the processor;
  an idle heavy worker also takes a new query when the fast lane is full.
The HTTP side never blocks a thread: it awaits the sockets on the event loop.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import math
import os
import select
import signal
import socket
import stat
import struct
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import sandbox
from .errors import (
    CommitKgError,
    FederationFailedError,
    FederationRefusedError,
    FederationTimeoutError,
    NotRepresentableError,
    QueryFailedError,
    QueryMemoryLimitError,
    QueryQueueFullError,
    QuerySyntaxError,
    QueryTimeoutError,
    ResultTooLargeError,
)
from .execution import Dataset, answer
from .federation import remote_failure

log = logging.getLogger(__name__)
HEADER = struct.Struct(">I")  # request: length of the JSON that follows
ANSWER = struct.Struct(">BQ")  # answer: kind, length of the bytes that follow
OK, ERROR, ERROR_RETIRE = 0, 1, 2
RECEIVED = b"\x06"  # a worker's acknowledgement: it has read the whole request and now runs it
HEAVY_NICE = 10
PREEMPT_AFTER = 0.05  # seconds a fast-lane query keeps its worker when others wait for one
WORKER_NAME, ZYGOTE_NAME = "ck-query-worker", "ck-query-zygote"  # in /proc/PID/comm
# Errors a worker reports by code; anything else it cannot classify is query_failed (a 500: a bug).
WORKER_ERRORS = {cls.code: cls for cls in (QuerySyntaxError, ResultTooLargeError, QueryMemoryLimitError,
                                           FederationRefusedError, FederationFailedError, FederationTimeoutError,
                                           QueryFailedError, NotRepresentableError)}
ALLOC_FAILURE = b"memory allocation of"  # what Rust writes to stderr before aborting on a failed allocation


@dataclass(frozen=True)
class Limits:
    """How the pool is sized and what a worker may use; built from the settings."""

    fast_workers: int
    heavy_workers: int
    fast_slice: float
    heavy_queue: int
    timeout: float
    memory_bytes: int
    result_bytes: int
    deny_network: bool
    # With a SERVICE allow-list: the only TCP port a worker may connect to, the federation relay's
    # (commit_kg/federation.py; empty: not limited, on kernels without Landlock network rules).
    allowed_ports: tuple[int, ...] = ()
    fast_queue: int = 1024


class Undelivered(Exception):
    """A worker's process ended before it acknowledged the request: the query did not run there."""


@dataclass(frozen=True)
class Job:
    """One query as the worker needs it."""

    query: str
    dataset: Dataset
    media: str
    base_iri: str | None

    def frame(self) -> bytes:
        body = json.dumps({"q": self.query, "d": self.dataset.default_graphs, "n": self.dataset.named_graphs,
                           "f": self.dataset.from_query, "m": self.media, "b": self.base_iri}).encode()
        return HEADER.pack(len(body)) + body


# ---------------------------------------------------------------- the worker and the zygote (children)

class _Capped:
    """A write target for the serialiser that stops it as soon as the answer passes the cap. The
    answer frame's header is reserved at the front, so the frame goes out in one send, uncopied."""

    def __init__(self, cap: int) -> None:
        self.cap, self.frame = cap, bytearray(ANSWER.size)

    def write(self, data: bytes) -> int:
        if len(self.frame) - ANSWER.size + len(data) > self.cap:
            raise ResultTooLargeError(f"the answer is larger than the {self.cap:,} bytes this endpoint sends; "
                                      "add a LIMIT or select fewer variables")
        self.frame += data
        return len(data)

    def flush(self) -> None:
        pass

    def seal(self, kind: int) -> memoryview:
        self.frame[: ANSWER.size] = ANSWER.pack(kind, len(self.frame) - ANSWER.size)
        return memoryview(self.frame)


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        n = sock.recv_into(view[got:])
        if n == 0:
            return None
        got += n
    return bytes(buffer)


def _serve_one(store: ox.Store, request: dict, limits: Limits) -> tuple[int, memoryview]:
    """Run one request; every outcome is an answer frame (kind, length, bytes), never an exception."""
    out = _Capped(limits.result_bytes)
    kind = ERROR
    try:
        answer(store, request["q"], Dataset(tuple(request["d"]), tuple(request["n"]), request["f"]), request["m"],
               request["b"], out)
        return OK, out.seal(OK)
    except (QuerySyntaxError, ResultTooLargeError, NotRepresentableError) as error:
        failure: CommitKgError = error
    except MemoryError:
        failure, kind = QueryMemoryLimitError(_memory_message(limits)), ERROR_RETIRE
    except PermissionError:  # seccomp or Landlock refused a socket or a connection
        failure = FederationRefusedError(
            "the query tried to open a network connection (SERVICE) that query workers may not open")
    except OSError as error:  # a SERVICE call through the federation relay failed
        failure = remote_failure(str(error))
    except Exception:  # noqa: BLE001 - a failure of ours: logged whole, answered without internals
        log.exception("query failed in a worker")
        failure = QueryFailedError("the query failed in a way no request should cause (a bug on our side)")
    out = _Capped(1 << 20)
    out.write(json.dumps({"code": failure.code, "message": failure.message}).encode())
    return kind, out.seal(kind)


def _memory_message(limits: Limits) -> str:
    return (f"the query needed more than the {limits.memory_bytes // (1 << 20):,} MiB of memory a query "
            "worker may use and was stopped")


def _worker_main(sock: socket.socket, store: ox.Store, limits: Limits, nice: int) -> None:
    sandbox.die_with_parent(WORKER_NAME)
    stderr = os.memfd_create("query-worker-stderr")
    os.dup2(stderr, 2)
    if nice:
        os.nice(nice)
    sandbox.limit_memory(limits.memory_bytes)
    if limits.deny_network:
        sandbox.deny_network()
    else:
        sandbox.deny_network(keep_ip=True)
        if limits.allowed_ports:
            sandbox.limit_tcp_ports(limits.allowed_ports)
    pidfd = os.pidfd_open(os.getpid())
    socket.send_fds(sock, [b"ready"], [pidfd, stderr])
    os.close(pidfd)
    os.close(stderr)
    while True:
        header = _recv_exact(sock, HEADER.size)
        if header is None:
            return
        body = _recv_exact(sock, HEADER.unpack(header)[0])
        if body is None:
            return
        sock.sendall(RECEIVED)
        kind, frame = _serve_one(store, json.loads(body), limits)
        sock.sendall(frame)
        del frame
        if kind == ERROR_RETIRE:
            return


def _close_inherited_sockets(keep: int) -> None:
    """Client connections and the listening socket belong to the HTTP process, not to workers."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            if fd != keep and stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)
        except OSError:
            pass  # the descriptor of the listing itself, already gone


def _zygote_main(control: socket.socket, store: ox.Store, limits: Limits) -> None:
    """Fork a worker for each socket the HTTP process sends; kill and reap them all when it goes."""
    sandbox.die_with_parent(ZYGOTE_NAME)
    signal.set_wakeup_fd(-1)  # the server's wakeup socket is closed below; its number will be reused
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which then stops the pool
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _close_inherited_sockets(control.fileno())
    children: set[int] = set()
    signal.signal(signal.SIGCHLD, lambda *_: _reap(children))  # a killed worker leaves no zombie behind
    try:
        while True:
            message, fds, _, _ = socket.recv_fds(control, 16, 1)
            if not message or not fds:
                return
            try:
                pid = os.fork()
            except OSError:  # closing the socket tells the HTTP process this worker will not come
                log.exception("could not fork a query worker")
                os.close(fds[0])
                continue
            if pid == 0:
                control.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                code = 0
                try:
                    _worker_main(socket.socket(fileno=fds[0]), store, limits, message[0])
                except BaseException:  # noqa: BLE001 - a worker that cannot start says so and goes
                    log.exception("query worker failed")
                    code = 1
                finally:
                    os._exit(code)
            os.close(fds[0])
            children.add(pid)
    finally:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for pid in children:
            os.kill(pid, signal.SIGKILL)
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def _reap(children: set[int]) -> None:
    """Collect the exit of every worker that has ended (called from SIGCHLD, so it may find one
    already collected)."""
    for pid in list(children):
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == 0:
                continue
        except ChildProcessError:
            pass
        children.discard(pid)


# ---------------------------------------------------------------- the HTTP side

@dataclass(eq=False)
class Worker:
    """The HTTP process's handle on one worker."""

    sock: socket.socket
    pidfd: int
    stderr: int
    lane: Lane

    def kill(self) -> None:
        if self.closed():
            return
        try:
            signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.close()

    def closed(self) -> bool:
        return self.sock.fileno() < 0

    def close(self) -> None:
        """Release the socket and both descriptors, once (a number closed twice may be someone else's)."""
        if self.closed():
            return
        asyncio.get_running_loop().remove_reader(self.pidfd)
        self.sock.close()
        os.close(self.pidfd)
        os.close(self.stderr)

    def alive(self) -> bool:
        """A pidfd turns readable when its process has exited (an idle worker killed from outside)."""
        return not select.select([self.pidfd], [], [], 0)[0]

    def crash_report(self) -> bytes:
        return os.pread(self.stderr, 4096, 0)


@dataclass(eq=False)
class Lane:
    """A set of workers and the requests waiting for one of them."""

    name: str
    size: int
    nice: int
    lifo: bool
    queue_bound: int
    # When a request must wait, the longest-running query past this many seconds is stopped (None: never).
    preempt_after: float | None = None
    idle: list[Worker] = field(default_factory=list)
    # Started workers kept aside, one per worker, so a killed worker is replaced at once, not after a fork.
    spares: list[Worker] = field(default_factory=list)
    waiters: collections.deque[asyncio.Future] = field(default_factory=collections.deque)
    busy_until: dict[Worker, float] = field(default_factory=dict)
    # Running attempts that may be preempted: worker -> [start, its timeout, already told to stop].
    running: dict[Worker, list] = field(default_factory=dict)

    def waiting(self) -> int:
        return len(self.waiters)

    async def acquire(self, until: float) -> Worker | None:
        """A free worker, or None when none came free before `until` (loop time)."""
        loop = asyncio.get_running_loop()
        if self.idle and not self.waiting():
            return self.idle.pop()
        waiter = loop.create_future()
        self.waiters.append(waiter)
        self.make_room(loop.time())
        timer = loop.call_at(until, lambda: waiter.done() or waiter.set_result(None))
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.result() is not None:
                self.release(waiter.result())
            raise
        finally:
            timer.cancel()
            if waiter in self.waiters:
                self.waiters.remove(waiter)

    def make_room(self, now: float) -> None:
        """One running attempt told to stop per waiter: those that started first stop once they have
        run `preempt_after` seconds (at once if they already have)."""
        if self.preempt_after is None:
            return
        runs = sorted(self.running.values(), key=lambda run: run[0])
        told = sum(run[2] for run in runs)
        for run in runs:
            if told >= len(self.waiters):
                return
            if not run[2] and not run[1].expired():  # an expired one is stopping already
                run[1].reschedule(min(run[1].when() or math.inf, max(now, run[0] + self.preempt_after)))
                run[2] = True
                told += 1

    def release(self, worker: Worker) -> None:
        """Give a free worker to a waiter (the newest first in a LIFO lane), else keep it idle."""
        self.busy_until.pop(worker, None)
        while self.waiters:
            waiter = self.waiters.pop() if self.lifo else self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self.idle.append(worker)


class QueryPool:
    """Pre-started workers in two lanes; `run` answers a job's bytes or raises a CommitKgError."""

    def __init__(self, store: ox.Store, limits: Limits) -> None:
        self.store, self.limits = store, limits
        self.fast = Lane("fast", limits.fast_workers, 0, True, limits.fast_queue,
                         preempt_after=min(PREEMPT_AFTER, limits.fast_slice))
        self.heavy = Lane("heavy", limits.heavy_workers, HEAVY_NICE, False, limits.heavy_queue)
        self.zygote_pid = 0
        self.control: socket.socket | None = None
        self.spawning: set[asyncio.Task] = set()
        self.closed = False
        self.in_flight = 0  # queries between `run` and their answer: a retired pool is closed at 0

    async def start(self) -> None:
        """Fork the zygote and every worker; returns when all are ready to answer."""
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                parent_end.close()
                _zygote_main(child_end, self.store, self.limits)
            except BaseException:  # noqa: BLE001 - the zygote never returns into the server's code
                code = 1
            finally:
                os._exit(code)
        child_end.close()
        self.zygote_pid, self.control = pid, parent_end
        lanes = [lane for lane in (self.fast, self.heavy) for _ in range(lane.size)]
        workers = await asyncio.gather(*(self._spawn(lane) for lane in lanes + lanes))
        for worker in workers[: len(lanes)]:
            worker.lane.release(worker)
        for worker in workers[len(lanes):]:
            worker.lane.spares.append(worker)

    async def _spawn(self, lane: Lane) -> Worker:
        assert self.control is not None
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            socket.send_fds(self.control, [bytes([lane.nice])], [theirs.fileno()])
        finally:
            theirs.close()
        ours.setblocking(False)
        loop = asyncio.get_running_loop()
        readable = loop.create_future()
        loop.add_reader(ours, lambda: readable.done() or readable.set_result(None))
        try:
            async with asyncio.timeout(30):
                await readable
        finally:
            loop.remove_reader(ours)
        message, fds, _, _ = socket.recv_fds(ours, 16, 2)
        if message != b"ready" or len(fds) != 2:
            ours.close()
            raise QueryFailedError("a query worker failed to start")
        worker = Worker(ours, fds[0], fds[1], lane)
        loop.add_reader(worker.pidfd, self._exited, worker)
        return worker

    def _replace(self, worker: Worker) -> None:
        """Put a spare in the place of a worker that was killed or died, and start a new spare (or,
        with no spare left, the replacement itself)."""
        lane = worker.lane
        if lane.spares:
            lane.release(lane.spares.pop())
            self._refill(lane, spare=True)
        else:
            self._refill(lane, spare=False)

    def _refill(self, lane: Lane, spare: bool) -> None:
        """Start a worker in the background, as a spare or straight into the lane."""
        if self.closed:
            return

        async def refill() -> None:
            try:
                fresh = await self._spawn(lane)
            except Exception:  # noqa: BLE001 - the lane runs one short; logged for the operator
                log.exception("could not start a query worker in the %s lane", lane.name)
                return
            if self.closed:
                fresh.kill()
            elif spare:
                lane.spares.append(fresh)
            else:
                lane.release(fresh)

        task = asyncio.get_running_loop().create_task(refill())
        self.spawning.add(task)
        task.add_done_callback(self.spawning.discard)

    def _exited(self, worker: Worker) -> None:
        """A worker's process ended (its pidfd turned readable). Idle or spare: replace it now. Busy:
        the query running on it sees its socket close and reports why."""
        lane = worker.lane
        if worker in lane.idle:
            lane.idle.remove(worker)
            self._discard(worker)
        elif worker in lane.spares:
            lane.spares.remove(worker)
            worker.kill()
            self._refill(lane, spare=True)

    async def run(self, job: Job, arrival: float) -> memoryview:
        """The answer's bytes. `arrival` is the loop time the request arrived; the time limit counts
        from it. Raises QueryTimeoutError, QueryQueueFullError, or the error the worker reported."""
        self.in_flight += 1
        try:
            # Every worker and every spare may have been killed at once, each seen by its pidfd only a
            # moment later; past that many undelivered tries, something kills workers as they start.
            for _ in range(2 * (self.limits.fast_workers + self.limits.heavy_workers) + 1):
                try:
                    return await self._run(job, arrival)
                except Undelivered:
                    continue
            raise QueryFailedError("no query worker stayed alive long enough to take the query "
                                   "(a fault on our side); retry shortly")
        finally:
            self.in_flight -= 1

    async def drain(self, limit: float) -> None:
        """Wait (at most `limit` seconds) until no query runs: a reload retires a pool this way before
        closing it, so the queries it was running finish on the graph they started on."""
        loop = asyncio.get_running_loop()
        end = loop.time() + limit
        while self.in_flight and loop.time() < end:
            await asyncio.sleep(0.02)

    async def _run(self, job: Job, arrival: float) -> memoryview:
        loop = asyncio.get_running_loop()
        deadline = arrival + self.limits.timeout
        frame = job.frame()
        if not self.fast.idle and self.heavy.idle and not self.heavy.waiting():
            worker = self.heavy.idle.pop()  # the fast lane is busy and nothing else needs this one
            if worker.alive():
                return await self._heavy_attempt(worker, frame, deadline)
            self._discard(worker)
        if self.fast.waiting() >= self.fast.queue_bound:
            raise QueryQueueFullError("too many queries are waiting; retry shortly", retry_after=1)
        worker = await self._acquire(self.fast, deadline)
        if worker is None:
            raise self._timeout()
        done, body = await self._attempt(worker, frame, min(deadline, loop.time() + self.limits.fast_slice))
        if done:
            return body
        if loop.time() >= deadline:
            raise self._timeout()
        if self.heavy.waiting() >= self.heavy.queue_bound:
            raise QueryQueueFullError(
                f"{self.heavy.queue_bound} long-running queries are already waiting; retry later",
                retry_after=self._retry_after())
        worker = await self._acquire(self.heavy, deadline)
        if worker is None:
            raise self._timeout()
        return await self._heavy_attempt(worker, frame, deadline)

    async def _heavy_attempt(self, worker: Worker, frame: bytes, deadline: float) -> memoryview:
        done, body = await self._attempt(worker, frame, deadline)
        if not done:
            raise self._timeout()
        return body

    async def _acquire(self, lane: Lane, until: float) -> Worker | None:
        """A free worker that is still alive; dead ones found on the way are replaced."""
        while (worker := await lane.acquire(until)) is not None and not worker.alive():
            self._discard(worker)
        return worker

    def _timeout(self) -> QueryTimeoutError:
        return QueryTimeoutError(f"the query ran longer than {self.limits.timeout:g} s and was stopped")

    def _retry_after(self) -> int:
        """Seconds until the first running heavy query must end (its deadline)."""
        now = asyncio.get_running_loop().time()
        ends = [until - now for until in self.heavy.busy_until.values()]
        return max(1, math.ceil(min(ends, default=1)))

    async def _attempt(self, worker: Worker, frame: bytes, until: float) -> tuple[bool, memoryview]:
        """Run a frame on a worker until `until`: (True, bytes) when it answered; (False, ...) when it
        ran over (the worker is killed and replaced); raises what the worker reported."""
        loop = asyncio.get_running_loop()
        lane = worker.lane
        lane.busy_until[worker] = until
        received = False
        try:
            async with asyncio.timeout_at(until) as timeout:
                if lane.preempt_after is not None:
                    lane.running[worker] = [loop.time(), timeout, False]
                    lane.make_room(loop.time())
                await loop.sock_sendall(worker.sock, frame)
                await _read(loop, worker.sock, len(RECEIVED))
                received = True
                kind, size = ANSWER.unpack(await _read(loop, worker.sock, ANSWER.size))
                body = await _read(loop, worker.sock, size)
        except TimeoutError:
            self._discard(worker)
            return False, memoryview(b"")
        except (EOFError, ConnectionError):
            death = self._death(worker)
            self._discard(worker)
            if not received:
                raise Undelivered from None
            raise death from None
        except BaseException:  # cancelled (the client went away): the worker's state is unknown
            self._discard(worker)
            raise
        finally:
            lane.running.pop(worker, None)
        if kind == OK:
            worker.lane.release(worker)
            return True, body
        if kind == ERROR_RETIRE:
            self._discard(worker)
        else:
            worker.lane.release(worker)
        reported = json.loads(bytes(body))
        raise WORKER_ERRORS.get(reported["code"], QueryFailedError)(reported["message"])

    def _discard(self, worker: Worker) -> None:
        worker.lane.busy_until.pop(worker, None)
        report = worker.crash_report()
        worker.kill()
        if report:
            log.warning("query worker stopped: %s", report.decode("utf-8", "replace")[-1000:])
        self._replace(worker)

    def _death(self, worker: Worker) -> CommitKgError:
        """Why a worker died during a query: the memory limit, or a bug (500)."""
        if ALLOC_FAILURE in worker.crash_report():
            return QueryMemoryLimitError(_memory_message(self.limits))
        return QueryFailedError("the query worker stopped unexpectedly (a bug on our side); it was replaced")

    async def close(self) -> None:
        """Kill every worker and the zygote, and reap the zygote: no process outlives the pool."""
        self.closed = True
        for task in list(self.spawning):
            task.cancel()
        for lane in (self.fast, self.heavy):
            for worker in [*lane.idle, *lane.spares, *lane.busy_until]:
                worker.kill()
            lane.idle.clear()
            lane.spares.clear()
        if self.control is not None:
            self.control.close()
            self.control = None
        if self.zygote_pid:
            await _wait_for_exit(self.zygote_pid)
            self.zygote_pid = 0


async def _read(loop: asyncio.AbstractEventLoop, sock: socket.socket, size: int) -> memoryview:
    """Exactly `size` bytes from a non-blocking socket, awaited on the loop (no thread held)."""
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        n = await loop.sock_recv_into(sock, view[got:])
        if n == 0:
            raise EOFError
        got += n
    return view


async def _wait_for_exit(pid: int, grace: float = 5.0) -> None:
    """Reap a child that was told to go; kill it if it lingers past `grace` seconds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + grace
    while os.waitpid(pid, os.WNOHANG)[0] != pid:
        if loop.time() > end:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return
        await asyncio.sleep(0.01)

