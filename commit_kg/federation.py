"""Outbound federation: how a query's SERVICE clauses reach the endpoints on the allow-list, and only
them, with our own time limit, row cap and User-Agent.

The query engine (pyoxigraph) runs SERVICE itself, but lets nobody set its HTTP timeout, answer size or
User-Agent. So the engine is never pointed at a remote endpoint: /sparql rewrites each allowed SERVICE
target into the address of a relay that listens on a loopback port of the HTTP process, and the query
workers may connect to that port alone (Landlock, commit_kg/sandbox.py). The relay asks the real
endpoint with SPARQLWrapper (SPARQL 1.1 Protocol, URL-encoded POST), bounded in time, bytes and rows,
and hands the JSON results back to the engine, which joins them as it would have. A failure travels
back to the worker as a JSON error in the relay's answer, where `remote_failure` reads it.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import urllib.error
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

from . import __version__
from .errors import (
    CommitKgError,
    FederationFailedError,
    FederationRefusedError,
    FederationTimeoutError,
)
from .sparql_text import QueryShape

# The form Wikimedia's User-Agent policy asks of automated clients (the Wikidata Query Service among
# them): client/version (contact) library/version, with "bot" in it.
USER_AGENT = (f"commit-kg/{__version__} (https://w3id.org/commit-kg/; SPARQL federation bot) "
              f"SPARQLWrapper/{metadata.version('SPARQLWrapper')}")
RESULTS_JSON = "application/sparql-results+json"


def parse_allow_list(value: object) -> list[str]:
    """The allow-list setting: a JSON list or a comma-separated list of absolute http(s) endpoint URLs.
    Anything else stops the start with a message naming the entry and what is wrong with it."""
    if isinstance(value, str):
        text = value.strip()
        try:
            entries: Iterable[object] = json.loads(text) if text.startswith("[") else text.split(",")
        except ValueError as error:
            raise ValueError(f"not a JSON list of URLs ({error})") from None
    elif isinstance(value, list | tuple):
        entries = value
    else:
        raise ValueError(  # noqa: TRY004 - pydantic reports ValueError, not TypeError, as a bad setting
            f"expected a comma-separated list or a JSON list of URLs, got {type(value).__name__}")
    found: list[str] = []
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, str):
            raise ValueError(f"entry {position} is not a URL string: {entry!r}")  # noqa: TRY004 - as above
        url = entry.strip()
        if not url:
            continue
        parts = urlsplit(url)
        problem = ("is not an absolute http(s) URL" if parts.scheme.lower() not in ("http", "https") or not parts.hostname
                   else "carries a user name or password" if parts.username or parts.password
                   else "has a fragment (#...)" if parts.fragment
                   else "contains white space" if any(c.isspace() for c in url) else None)
        if problem:
            raise ValueError(f"SERVICE allow-list entry {position} ({url[:80]!r}) {problem}")
        found.append(url)
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Limits:
    """What one federated call may take: seconds, rows and bytes of the remote answer."""

    timeout: float
    max_rows: int
    max_bytes: int


def fetch(endpoint: str, query: str, limits: Limits) -> bytes:
    """The remote endpoint's JSON results for `query`, or a FederationFailedError / -TimeoutError.
    Blocking: the relay runs it in a thread."""
    from SPARQLWrapper import (  # imported where it is used: only the relay
        JSON,
        POST,
        URLENCODED,
        SPARQLWrapper,
    )

    client = SPARQLWrapper(endpoint, agent=USER_AGENT)
    client.setQuery(query)
    client.setMethod(POST)
    client.setRequestMethod(URLENCODED)
    client.setReturnFormat(JSON)
    client.setTimeout(max(1, round(limits.timeout)))
    try:
        response = client.query().response
        body = response.read(limits.max_bytes + 1)
    except TimeoutError:
        raise FederationTimeoutError(f"the endpoint {endpoint} did not answer within {limits.timeout:g} s") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError | socket.timeout):
            raise FederationTimeoutError(
                f"the endpoint {endpoint} did not answer within {limits.timeout:g} s") from None
        raise FederationFailedError(f"the endpoint {endpoint} could not be reached ({error.reason})") from None
    except Exception as error:  # noqa: BLE001 - SPARQLWrapper's own errors (HTTP 4xx/5xx) name the status
        first_line = str(error).splitlines()[0][:160] if str(error) else "no answer"
        raise FederationFailedError(f"the endpoint {endpoint} failed: {first_line}") from None
    if len(body) > limits.max_bytes:
        raise FederationFailedError(f"the endpoint {endpoint} answered more than the {limits.max_bytes:,} bytes "
                                    "a federated call may bring back")
    rows = _row_count(body, endpoint)
    if rows > limits.max_rows:
        raise FederationFailedError(f"the endpoint {endpoint} answered {rows:,} rows; a federated call may bring "
                                    f"back at most {limits.max_rows:,} (add a LIMIT inside the SERVICE clause)")
    return body


def _row_count(body: bytes, endpoint: str) -> int:
    try:
        results: Any = json.loads(body)
        return len(results["results"]["bindings"]) if "results" in results else 0
    except (ValueError, KeyError, TypeError):
        raise FederationFailedError(f"the endpoint {endpoint} answered something that is not SPARQL JSON "
                                    "results") from None


def remote_failure(message: str) -> CommitKgError:
    """The error a worker reports when the engine's SERVICE call failed: the relay's own JSON error
    when it is in the engine's message ("... with payload:\\n{...}"), else a failure without the
    relay's address (the worker never talks to anything else)."""
    _, _, payload = message.partition("with payload:\n")
    try:
        error = json.loads(payload)
        kind = FederationTimeoutError if error["error"] == FederationTimeoutError.code else FederationFailedError
        return kind(str(error["message"]))
    except (ValueError, KeyError, TypeError):
        return FederationFailedError("a federated query failed: the relay to the remote endpoint did not answer")


class Relay:
    """The loopback relay of one HTTP process (see the module docstring). Its address carries a
    random secret, so no other local process can use it to reach the allowed endpoints."""

    def __init__(self, endpoints: list[str], limits: Limits) -> None:
        self.endpoints, self.limits = tuple(endpoints), limits
        self.secret = secrets.token_urlsafe(16)
        self.port = 0
        self.server: Any = None
        self.calls = asyncio.Semaphore(8)  # federated calls in flight per process: bounded

    def iri(self, endpoint: str) -> str:
        return f"http://127.0.0.1:{self.port}/{self.secret}/{self.endpoints.index(endpoint)}"

    def rewrite(self, text: str, shape: QueryShape) -> str:
        """The query with each SERVICE target replaced by the relay's address for that endpoint.
        Every target must already be on the allow-list (checked by /sparql)."""
        for target in sorted(shape.services, key=lambda t: t.span or (-1, -1), reverse=True):
            if target.span is None:
                raise FederationRefusedError(
                    f"write the SERVICE clause at {target.line}:{target.column} as SERVICE <endpoint> with a "
                    "space after the keyword: glued to the keyword, its target cannot be routed")
            start, end = target.span
            assert target.iri in self.endpoints
            text = f"{text[:start]}<{self.iri(target.iri)}>{text[end:]}"
        return text

    async def start(self) -> None:
        """Listen on an ephemeral loopback port, in this event loop (no signal handlers of its own)."""
        import uvicorn
        from starlette.applications import Starlette
        from starlette.routing import Route

        sock = socket.create_server(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        app = Starlette(routes=[Route("/{secret}/{index:int}", self.forward, methods=["POST"])])
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False,
                                limit_concurrency=64, timeout_keep_alive=5)
        self.server = uvicorn.Server(config)
        # uvicorn's Server.serve() would also take over SIGINT/SIGTERM from the service; the two steps
        # of it that a server on a given socket needs are these:
        config.load()
        self.server.lifespan = config.lifespan_class(config)
        await self.server.startup(sockets=[sock])

    async def close(self) -> None:
        if self.server is not None:
            await self.server.shutdown()

    async def forward(self, request: Any) -> Any:
        from starlette.responses import JSONResponse, Response

        index = request.path_params["index"]
        if not secrets.compare_digest(request.path_params["secret"], self.secret) or index >= len(self.endpoints):
            return JSONResponse({"error": "not_found", "message": "no such relay"}, status_code=404)
        body = await request.body()
        query = body.decode("utf-8", "replace")
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            from urllib.parse import parse_qs
            query = parse_qs(query).get("query", [""])[0]
        endpoint = self.endpoints[index]
        try:
            async with self.calls:
                answer = await asyncio.to_thread(fetch, endpoint, query, self.limits)
        except (FederationFailedError, FederationTimeoutError) as error:
            status = 504 if isinstance(error, FederationTimeoutError) else 502
            return JSONResponse({"error": error.code, "message": error.message}, status_code=status)
        return Response(answer, media_type=RESULTS_JSON)
