"""The SPARQL 1.1 Protocol at /sparql (read-only): query by GET, URL-encoded POST and direct POST,
the protocol dataset honoured, results negotiated; without a query, the Service Description (RDF)
or a query page (browsers). Before any worker sees a query, its text is read by a SPARQL tokenizer
(commit_kg/sparql_text.py): updates, SERVICE outside the allow-list, nesting too deep and text too
long are refused here, each with its own 4xx and a JSON error. Queries run in the worker pool
(commit_kg/query_pool.py), awaited without holding a thread."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from dataclasses import replace
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from ..errors import (
    FederationRefusedError,
    ParameterError,
    PayloadTooLargeError,
    QuerySyntaxError,
    QueryTooDeepError,
    QueryTooLongError,
    UnsupportedMediaTypeError,
    UnsupportedOperationError,
    excerpt,
)
from ..execution import GRAPH_FORMATS, RESULT_FORMATS, Dataset
from ..namespaces import PREFIXES
from ..publish import service_description as sd
from ..query_pool import Job
from ..settings import Settings
from ..sparql_text import QueryShape, inspect
from ..web.generic import language_of, localised
from ..web.sparql_form import query_page
from .conditional import not_modified
from .deps import BaseDep, StateDep
from .negotiation import FORMAT_NAMES, requested_format
from .offload import in_thread, sized
from .state import AppState
from .strict_input import check_form_length

log = logging.getLogger(__name__)
router = APIRouter(tags=["sparql"])
READ_ONLY = "SPARQL Update is not offered at /sparql: this endpoint is read-only"
FORM = "application/x-www-form-urlencoded"


def cache_key(*parts: object) -> str:
    """A digest of the parts JSON-encoded as one list, so no query text can pass for a dataset."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:32]


def check_length(text: str, settings: Settings) -> None:
    """The query-length cap, checked before anything reads the text."""
    if len(text) > settings.query_max_length:
        raise QueryTooLongError(f"the query is {len(text):,} characters long; this endpoint takes at most "
                                f"{settings.query_max_length:,}")


def checked_shape(text: str, settings: Settings, endpoint: str) -> QueryShape:
    """What the tokenizer finds, after the checks that keep a query from a worker: length, nesting,
    update, and SERVICE to anything not on the allow-list (a variable or an unresolved prefix too)."""
    check_length(text, settings)
    if not text.strip():
        raise QuerySyntaxError("the query is empty: give a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE)")
    shape = inspect(text, base_iri=endpoint, prefixes=PREFIXES)
    if shape.depth > settings.query_max_depth:
        raise QueryTooDeepError(f"the query nests groups {shape.depth} deep; this endpoint takes at most "
                                f"{settings.query_max_depth}")
    if shape.is_update:
        raise UnsupportedOperationError(READ_ONLY)
    for target in shape.services:
        if target.iri is None or target.iri not in settings.service_allow_list:
            raise FederationRefusedError(
                f"federated query to {target.written} at {target.line}:{target.column} is not allowed: this "
                "endpoint makes no outbound requests except to the endpoints on its allow-list")
    return shape


def single(values: dict[str, list[str]], name: str) -> str | None:
    """The one value of a parameter; repeating it with the same value is harmless (SPARQLWrapper
    sends `format` twice), with different values it is an error."""
    found = values.get(name, [])
    if name == "format":  # "tsv" and "text/tab-separated-values" are the same request
        found = list(dict.fromkeys(FORMAT_NAMES.get(v.lower(), v.lower()) for v in found))
    if len(found) > 1:
        raise ParameterError(f"the '{name}' parameter is given {len(found)} times; give it once")
    return found[0] if found else None


async def bounded_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 before it is read when its declared length is over the limit, or as
    soon as the bytes received pass it (a body sent without Content-Length, or lying about it)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(f"the request body is {int(declared):,} bytes; this endpoint reads at most "
                                   f"{limit:,}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(f"the request body is larger than the {limit:,} bytes this endpoint reads")
        chunks.append(chunk)
    return b"".join(chunks)


def utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ParameterError(f"the request body is not UTF-8 (byte {error.start})") from None


def form_values(encoded: str | bytes, where: str = "URL") -> dict[str, list[str]]:
    """Parameters of a query string or URL-encoded body, percent-decoded strictly: bytes that are not
    UTF-8 are a 400, not U+FFFD run as if the client had sent it."""
    try:
        return parse_qs(utf8(encoded) if isinstance(encoded, bytes) else encoded, keep_blank_values=True,
                        errors="strict")
    except UnicodeDecodeError as error:
        raise ParameterError(f"a parameter in the {where} is not UTF-8 once percent-decoded "
                             f"(byte {error.start} of it)") from None


async def execute(request: Request, state: AppState, base: str, values: dict[str, list[str]], text: str,
                  arrival: float) -> Response:
    graph, settings = state.graph, state.settings
    endpoint = f"{base}/sparql"  # the query's base IRI and part of the cache key: configured, never the Host
    check_length(text, settings)  # a text too long is refused at once, without waiting for a thread
    shape = await sized(len(text), checked_shape, text, settings, endpoint)
    offered = list(GRAPH_FORMATS if shape.form in ("CONSTRUCT", "DESCRIBE") else RESULT_FORMATS)
    media = requested_format(single(values, "format"), request.headers.get("accept"), offered)
    dataset = Dataset.checked(values.get("default-graph-uri", []), values.get("named-graph-uri", []),
                              from_query=shape.has_from)
    content_type = media + ("; charset=utf-8" if media.startswith("text/") else "")
    if shape.services:  # an answer that used SERVICE depends on another server's data: never cached
        body = await evaluate(state, Job(text, dataset, media, endpoint), shape, None, arrival)
        return Response(body, headers={"Content-Type": content_type, "Vary": "Accept", "Cache-Control": "no-store"})
    # The graph is immutable between builds: an answer is a function of (graph version, request).
    key = cache_key(graph.version, media, endpoint, text, dataset.default_graphs, dataset.named_graphs)
    headers = {"Vary": "Accept", "ETag": f'"{key}"'}
    unchanged = not_modified(request, headers["ETag"], headers)  # GET and HEAD only: a POST is answered
    if unchanged is not None:
        return unchanged
    fresh = "no-cache" in request.headers.get("cache-control", "").lower()  # RFC 9111 5.2.1.4: revalidate
    body = await evaluate(state, Job(text, dataset, media, endpoint), shape, key, arrival, fresh=fresh)
    return Response(body, headers={"Content-Type": content_type, **headers})


async def evaluate(state: AppState, job: Job, shape: QueryShape, key: str | None, arrival: float,
                   fresh: bool = False) -> bytes:
    """The answer of a checked query from the workers: SERVICE targets routed through the federation
    relay and the answer never stored; otherwise stored under `key`, and read from there unless `fresh`."""
    if shape.services:
        assert state.relay is not None  # checked_shape refused SERVICE without an allow-list
        return await state.queries.run(replace(job, query=state.relay.rewrite(job.query, shape)), arrival)
    assert key is not None
    body = None if fresh else state.answers.get(key)
    if body is None:
        body = await state.queries.run(job, arrival)
        state.answers.put(key, body)
    return body


def protocol_values(values: dict[str, list[str]]) -> str:
    """The query text, after the checks the protocol asks for."""
    if "update" in values:
        if "query" in values:
            raise ParameterError("a request carries either 'query' or 'update', not both")
        raise UnsupportedOperationError(READ_ONLY)
    text = single(values, "query")
    if text is None:
        raise ParameterError("missing 'query' parameter")
    return text


@router.get("/sparql", summary="SPARQL query by GET; without a query, the Service Description")
async def sparql_get(request: Request, state: StateDep, base: BaseDep) -> Response:
    arrival = asyncio.get_running_loop().time()
    values = form_values(request.url.query)
    if "query" not in values and "update" not in values:
        return await in_thread(service_description, request, state, base, values)
    return await execute(request, state, base, values, protocol_values(values), arrival)


@router.post("/sparql", summary="SPARQL query by URL-encoded POST or direct POST (application/sparql-query)")
async def sparql_post(request: Request, state: StateDep, base: BaseDep) -> Response:
    settings = state.settings
    arrival = asyncio.get_running_loop().time()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    url_values = form_values(request.url.query)
    if content_type == FORM:
        body = await bounded_body(request, settings.request_max_bytes)
        check_form_length(body, settings)
        values = await sized(len(body), form_values, body, "request body")
        for name in ("default-graph-uri", "named-graph-uri", "format"):
            values.setdefault(name, url_values.get(name, []))
        return await execute(request, state, base, values, protocol_values(values), arrival)
    if content_type == "application/sparql-query":
        if "query" in url_values:
            raise ParameterError("a direct POST carries the query in its body, not also in the URL")
        text = utf8(await bounded_body(request, settings.request_max_bytes))  # C speed: ~1 ms for 1 MiB
        return await execute(request, state, base, url_values, text, arrival)
    if content_type == "application/sparql-update":
        raise UnsupportedOperationError(READ_ONLY)
    raise UnsupportedMediaTypeError(
        f"unsupported request body type {excerpt(content_type) if content_type else '(none)'}: send "
        "application/sparql-query, or application/x-www-form-urlencoded with a 'query' parameter")


def service_description(request: Request, state: AppState, base: str,
                        values: dict[str, list[str]]) -> Response:
    # A browser lists text/html first: it gets the query page; RDF clients get the description.
    accept = request.headers.get("accept")
    offered = (["text/html", *sd.SD_FORMATS] if accept and accept.lower().startswith("text/html")
               else [*sd.SD_FORMATS, "text/html"])
    media = requested_format(single(values, "format"), accept, offered)
    if media == "text/html":
        language = language_of(request)
        return localised(HTMLResponse(query_page(base, language), headers={"Vary": "Accept"}), language)
    body = sd.service_description(state.dataset.statistics(state.graph), state.settings, base, media,
                                  version=state.graph.version)
    content_type = media + ("; charset=utf-8" if media.startswith("text/") else "")
    return Response(body, headers={"Content-Type": content_type, "Vary": "Accept"})
