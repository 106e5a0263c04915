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
import pytest
from conftest import running_server
from pool_support import HEAVY, alive, pool_processes, server_pid

from commit_kg.query_pool import Lane

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
