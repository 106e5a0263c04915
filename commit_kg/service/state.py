"""The app's state: one object made in the lifespan, holding what every request reads (settings, the
built graph and its store, the named-query catalogue, the query workers) and the caches kept per
graph version (SPARQL answers, the coverage index, the dataset files). Routers reach it only through
the dependency aliases of deps.py."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from .. import sandbox
from ..build import BuiltGraph
from ..catalogue import Catalogue
from ..coverage import CoverageIndex
from ..federation import Limits as FederationLimits
from ..federation import Relay
from ..publish.dumps import DatasetCache
from ..query_pool import Limits, QueryPool
from ..remote_store import RemoteQueries, RemoteStore
from ..settings import Settings
from ..store import EmbeddedStore, Store

log = logging.getLogger(__name__)


class AnswerCache:
    """The most recently used answers, by (graph version, request) key; bounded in entries and bytes."""

    def __init__(self, entries: int = 512, largest: int = 1 << 20, budget: int = 64 << 20) -> None:
        self.entries, self.largest, self.budget, self.size = entries, largest, budget, 0
        self.answers: OrderedDict[str, bytes] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        if key in self.answers:
            self.answers.move_to_end(key)
        return self.answers.get(key)

    def put(self, key: str, body: bytes) -> None:
        if len(body) <= self.largest and key not in self.answers:
            self.answers[key] = body
            self.size += len(body)
            while len(self.answers) > self.entries or self.size > self.budget:
                self.size -= len(self.answers.popitem(last=False)[1])


def pool_limits(settings: Settings, relay: Relay | None = None) -> Limits:
    """The worker pool of one HTTP process: the cores shared among the HTTP processes, unless set.
    With an allow-list, workers may connect to the federation relay's port and no other."""
    cores = len(os.sched_getaffinity(0))
    share = max(1, cores // max(1, settings.http_workers or cores))
    ports = (relay.port,) if relay else ()
    if ports and sandbox.landlock_abi() < 4:
        log.warning("this kernel has no Landlock network rules: query workers may connect to any TCP port; "
                    "SERVICE targets are limited by the allow-list check in /sparql only")
        ports = ()
    return Limits(
        fast_workers=settings.query_fast_workers or max(2, share),
        heavy_workers=settings.query_workers or share,
        fast_slice=settings.query_fast_slice,
        heavy_queue=settings.query_queue,
        timeout=settings.query_timeout,
        memory_bytes=settings.query_memory_mb * 1024 * 1024,
        result_bytes=settings.query_result_max_bytes,
        deny_network=not settings.service_allow_list,
        allowed_ports=ports,
    )


def federation_relay(settings: Settings) -> Relay | None:
    """The relay SERVICE calls go through (commit_kg/federation.py); none without an allow-list."""
    if not settings.service_allow_list:
        return None
    return Relay(settings.service_allow_list, FederationLimits(
        settings.federation_timeout, settings.federation_max_rows, settings.federation_max_bytes))


@dataclass
class AppState:
    settings: Settings
    graph: BuiltGraph
    store: Store
    catalogue: Catalogue
    queries: QueryPool | RemoteQueries
    relay: Relay | None = None
    answers: AnswerCache = field(default_factory=AnswerCache)
    dataset: DatasetCache = field(default_factory=DatasetCache)
    _coverage: tuple[str, CoverageIndex] | None = None
    _coverage_lock: threading.Lock = field(default_factory=threading.Lock)
    # Requests that read this state and have not answered yet (deps.get_state holds it).
    users: int = 0

    @classmethod
    def made(cls, settings: Settings, graph: BuiltGraph, relay: Relay | None = None) -> AppState:
        """The state of a built graph; its query workers are started by the lifespan (`queries.start`),
        after the federation relay they may reach. With a remote store (settings.store_url) every view
        and /sparql read that store, and `graph` is only the replica's in-memory copy (remote_store.mirror)."""
        if settings.store_url:
            remote = RemoteStore(settings.store_url, settings.query_timeout)
            return cls(settings=settings, graph=graph, store=remote, catalogue=Catalogue(settings.queries_dir),
                       queries=RemoteQueries(remote, settings.query_timeout, settings.query_result_max_bytes))
        return cls(settings=settings, graph=graph, store=EmbeddedStore(graph.store),
                   catalogue=Catalogue(settings.queries_dir),
                   queries=QueryPool(graph.store, pool_limits(settings, relay)), relay=relay)

    def coverage_index(self) -> CoverageIndex:
        """The coverage index of the graph being served, read once per graph version."""
        with self._coverage_lock:
            if self._coverage is None or self._coverage[0] != self.graph.version:
                self._coverage = (self.graph.version, CoverageIndex(self.store))
            return self._coverage[1]

    @contextmanager
    def held(self) -> Iterator[AppState]:
        """Count a request as using this state until it has answered (see `retire`)."""
        self.users += 1
        try:
            yield self
        finally:
            self.users -= 1

    async def retire(self) -> None:
        """Close a state a reload replaced, once the requests that read it have answered and its
        running queries have ended (each within the time limit; bounded by it, then closed anyway)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + self.settings.query_timeout + 5
        while self.users and loop.time() < end:
            await asyncio.sleep(0.02)
        await self.queries.drain(max(0.0, end - loop.time()))
        await self.queries.close()
