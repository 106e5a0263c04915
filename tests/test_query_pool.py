"""The query worker pool behind /sparql, through a real server over HTTP: time limits kill and replace
workers, a full queue answers 503 with Retry-After, light requests are answered while heavy queries
fill the pool, and no process outlives the server."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pyoxigraph as ox
import pytest
from conftest import running_server
from pool_support import HEAVY, alive, pool_processes, server_pid

from commit_kg.errors import QueryFailedError
from commit_kg.execution import Dataset
from commit_kg.query_pool import Job, Lane, Limits, QueryPool

ONE_PROCESS = {"COMMIT_KG_HTTP_WORKERS": "1"}


def get(url: str, query: str, **kwargs) -> httpx.Response:
    return httpx.get(f"{url}/sparql", params={"query": query}, timeout=kwargs.pop("timeout", 30), **kwargs)


def test_light_requests_are_answered_while_45_heavy_queries_are_still_in_flight():
    """Order, not the clock: every light request is answered before any heavy query has ended (their
    latency is measured in bench/, under load)."""
    env = {**ONE_PROCESS, "COMMIT_KG_QUERY_TIMEOUT": "10"}
    with running_server(env=env) as url, ThreadPoolExecutor(48) as threads:
        heavy = [threads.submit(get, url, f"{HEAVY} # {i}") for i in range(45)]
        time.sleep(1.0)  # all 45 have arrived, run their fast slice and wait in, or fill, the heavy lane
        early = [f.result().text for f in heavy if f.done()]
        assert not early, f"the heavy queries should still be in flight: {early}"
        latencies = {}
        for i in range(5):
            start = time.perf_counter()
            response = get(url, f"ASK {{ ?s ?p ?o }} # light {i}")
            latencies[f"ask {i}"] = round(time.perf_counter() - start, 3)
            assert response.status_code == 200 and response.json()["boolean"] is True
        for path in ("/api/queries", "/id/country/THA"):
            start = time.perf_counter()
            assert httpx.get(f"{url}{path}", timeout=30).status_code == 200
            latencies[path] = round(time.perf_counter() - start, 3)
        in_flight = sum(not f.done() for f in heavy)
        assert in_flight == 45, f"measured while {in_flight} heavy queries were in flight: {latencies}"
        answers = [f.result() for f in heavy]
    assert {r.status_code for r in answers} == {503}
    assert {r.json()["error"] for r in answers} <= {"query_timeout", "query_queue_full"}


def test_a_query_past_its_time_limit_kills_its_worker_and_a_fresh_one_replaces_it():
    env = {**ONE_PROCESS, "COMMIT_KG_QUERY_TIMEOUT": "1.5"}
    with running_server(env=env) as url:
        root = server_pid(url)
        _, before = pool_processes(root)
        start = time.perf_counter()
        response = get(url, HEAVY)
        elapsed = time.perf_counter() - start
        assert response.status_code == 503 and response.json()["error"] == "query_timeout"
        assert "1.5 s" in response.json()["message"]
        assert 1.4 < elapsed < 4, elapsed  # counted from arrival, fast slice included
        time.sleep(0.5)
        _, after = pool_processes(root)
        assert len(after) == len(before), (before, after)
        assert set(before) - set(after), "the worker that ran over was killed"
        assert get(url, "ASK {}").status_code == 200


def test_a_worker_killed_from_outside_is_replaced_and_no_query_fails():
    with running_server(env=ONE_PROCESS) as url:
        root = server_pid(url)
        _, workers = pool_processes(root)
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        for i in range(6):
            response = get(url, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a ?c }} # {i}")
            assert response.status_code == 200, response.text
        time.sleep(0.5)
        _, fresh = pool_processes(root)
        assert len(fresh) == len(workers) and not set(fresh) & set(workers)


def small_pool() -> QueryPool:
    """A pool over 1,000 triples: enough for HEAVY (10^9 rows) to run past any test's patience."""
    store = ox.Store()
    store.extend(ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"),
                         ox.Literal(str(i)), ox.NamedNode("http://example.org/g")) for i in range(1000))
    return QueryPool(store, Limits(fast_workers=2, heavy_workers=1, fast_slice=2.0, heavy_queue=4, timeout=10.0,
                                   memory_bytes=512 << 20, result_bytes=1 << 20, deny_network=True))


def every_worker(pool: QueryPool) -> list:
    return [w for lane in (pool.fast, pool.heavy) for w in (*lane.idle, *lane.spares)]


def test_workers_and_spares_killed_in_the_same_instant_as_queries_arrive_fail_no_query():
    """The kills are sent in the loop turn that hands out the queries, before any pidfd is seen: the
    first workers each query meets are dead, and the spares put in their place are dead too (CI once
    answered 500 here when a query retried once only)."""

    async def scenario() -> tuple[list[bytes | Exception], int]:
        pool = small_pool()
        await pool.start()
        loop = asyncio.get_running_loop()
        try:
            killed = every_worker(pool)
            for worker in killed:
                signal.pidfd_send_signal(worker.pidfd, signal.SIGKILL)
            answers = await asyncio.gather(
                *(pool.run(Job(f"ASK {{ ?s ?p ?o }} # {i}", Dataset(), "application/sparql-results+json", None),
                           loop.time()) for i in range(6)), return_exceptions=True)
        finally:
            await pool.close()
        return [a if isinstance(a, Exception) else bytes(a) for a in answers], len(killed)

    answers, killed = asyncio.run(scenario())
    assert killed >= 5  # two fast, one heavy, and their spares
    assert all(isinstance(a, bytes) and b'"boolean":true' in a.replace(b" ", b"") for a in answers), answers


def test_a_worker_killed_while_it_runs_a_query_answers_500_and_the_query_is_not_run_again():
    """Past the acknowledgement the query did reach the worker: its death is answered, not hidden by a rerun."""

    async def scenario() -> tuple[Exception | bytes, bytes, int]:
        pool = small_pool()
        await pool.start()
        loop = asyncio.get_running_loop()
        try:
            running = loop.create_task(pool.run(Job(HEAVY, Dataset(), "application/sparql-results+json", None),
                                                loop.time()))
            await asyncio.sleep(0.5)
            busy = list(pool.fast.busy_until) + list(pool.heavy.busy_until)
            for worker in busy:
                signal.pidfd_send_signal(worker.pidfd, signal.SIGKILL)
            try:
                first: Exception | bytes = bytes(await running)
            except Exception as error:  # noqa: BLE001 - the test looks at which error it is
                first = error
            after = bytes(await pool.run(Job("ASK {}", Dataset(), "application/sparql-results+json", None),
                                         loop.time()))
        finally:
            await pool.close()
        return first, after, len(busy)

    first, after, busy = asyncio.run(scenario())
    assert busy == 1
    assert isinstance(first, QueryFailedError) and "stopped unexpectedly" in first.message, first
    assert b"true" in after


def test_a_full_queue_is_503_with_retry_after():
    env = {**ONE_PROCESS, "COMMIT_KG_QUERY_TIMEOUT": "3", "COMMIT_KG_QUERY_WORKERS": "1", "COMMIT_KG_QUERY_QUEUE": "1"}
    with running_server(env=env) as url, ThreadPoolExecutor(4) as threads:
        answers = list(threads.map(lambda i: get(url, f"{HEAVY} # {i}"), range(4)))
        full = [r for r in answers if r.json()["error"] == "query_queue_full"]
        assert len(full) == 2, [r.json() for r in answers]  # one runs, one waits, two are refused
        for response in full:
            assert response.status_code == 503
            assert 1 <= int(response.headers["retry-after"]) <= 3
        assert get(url, "ASK {}").status_code == 200


def test_no_pool_process_outlives_the_server():
    with running_server(env=ONE_PROCESS) as url:
        root = server_pid(url)
        zygotes, workers = pool_processes(root)
        assert len(zygotes) == 1 and len(workers) >= 4
        # Stop it the way running_server does: SIGTERM; the lifespan stops the pool.
    deadline = time.monotonic() + 5
    while any(alive(p) for p in zygotes + workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in zygotes + workers if alive(p)]


def test_no_pool_process_outlives_a_killed_server():
    with running_server(env=ONE_PROCESS) as url:
        root = server_pid(url)
        zygotes, workers = pool_processes(root)
        os.kill(root, signal.SIGKILL)  # no lifespan shutdown: the kernel's parent-death signal must do it
        deadline = time.monotonic() + 5
        while any(alive(p) for p in zygotes + workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p for p in zygotes + workers if alive(p)]


def test_making_room_leaves_alone_a_query_whose_time_ran_out_that_instant():
    """A waiter arriving in the same loop turn as a running query's time limit must not fail (it once
    made that waiter's request a 500): the expiring query is stopping already."""

    async def scenario() -> list[Exception]:
        lane = Lane("fast", 1, 0, True, 10, preempt_after=0.0)
        loop = asyncio.get_running_loop()
        when = loop.time() + 0.05

        async def running() -> None:
            async with asyncio.timeout_at(when) as timeout:
                lane.running["worker"] = [loop.time(), timeout, False]
                await asyncio.sleep(1)

        task = loop.create_task(running())
        await asyncio.sleep(0)
        lane.waiters.append(loop.create_future())
        errors: list[Exception] = []

        def make_room() -> None:
            try:
                lane.make_room(loop.time())
            except Exception as error:  # noqa: BLE001 - what the test looks for
                errors.append(error)

        loop.call_at(when, make_room)
        with pytest.raises(TimeoutError):
            await task
        return errors

    assert asyncio.run(scenario()) == []
