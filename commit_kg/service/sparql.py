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
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from ..errors import (
    FederationRefusedError,
    ParameterError,
    PayloadTooLargeError,
    QueryTooDeepError,
    QueryTooLongError,
    UnsupportedMediaTypeError,
    UnsupportedOperationError,
)
from ..execution import GRAPH_FORMATS, RESULT_FORMATS, Dataset
from ..namespaces import PREFIXES
from ..publish import service_description as sd
from ..query_pool import Job
from ..settings import Settings
from ..sparql_text import QueryShape, inspect
from . import query_form
from .deps import BaseDep, StateDep
from .negotiation import FORMAT_NAMES, requested_format
from .state import AppState

log = logging.getLogger(__name__)
router = APIRouter(tags=["sparql"])
READ_ONLY = "SPARQL Update is not offered at /sparql: this endpoint is read-only"
FORM = "application/x-www-form-urlencoded"


def cache_key(*parts: object) -> str:
    """A digest of the parts JSON-encoded as one list, so no query text can pass for a dataset."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:32]


def checked_shape(text: str, settings: Settings, endpoint: str) -> QueryShape:
    """What the tokenizer finds, after the checks that keep a query from a worker: length, nesting,
    update, and SERVICE to anything not on the allow-list (a variable or an unresolved prefix too)."""
    if len(text) > settings.query_max_length:
        raise QueryTooLongError(f"the query is {len(text):,} characters long; this endpoint takes at most "
                                f"{settings.query_max_length:,}")
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


async def execute(request: Request, state: AppState, values: dict[str, list[str]], text: str,
                  arrival: float) -> Response:
    graph, settings = state.graph, state.settings
    endpoint = str(request.url).split("?")[0]
    shape = checked_shape(text, settings, endpoint)
    offered = list(GRAPH_FORMATS if shape.form in ("CONSTRUCT", "DESCRIBE") else RESULT_FORMATS)
    media = requested_format(single(values, "format"), request.headers.get("accept"), offered)
    dataset = Dataset.checked(values.get("default-graph-uri", []), values.get("named-graph-uri", []))
    # The graph is immutable between builds: an answer is a function of (graph version, request).
    key = cache_key(graph.version, media, endpoint, text, dataset.default_graphs, dataset.named_graphs)
    headers = {"Vary": "Accept", "ETag": f'"{key}"'}
    if f'"{key}"' in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    body = state.answers.get(key)
    if body is None:
        body = await state.queries.run(Job(text, dataset, media, endpoint), arrival)
        state.answers.put(key, body)
    content_type = media + ("; charset=utf-8" if media.startswith("text/") else "")
    return Response(body, headers={"Content-Type": content_type, **headers})


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
    values = parse_qs(request.url.query, keep_blank_values=True)
    if "query" not in values and "update" not in values:
        return service_description(request, state, base, values)
    return await execute(request, state, values, protocol_values(values), arrival)


@router.post("/sparql", summary="SPARQL query by URL-encoded POST or direct POST (application/sparql-query)")
async def sparql_post(request: Request, state: StateDep) -> Response:
    settings = state.settings
    arrival = asyncio.get_running_loop().time()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    url_values = parse_qs(request.url.query, keep_blank_values=True)
    if content_type == FORM:
        values = parse_qs(utf8(await bounded_body(request, settings.request_max_bytes)), keep_blank_values=True)
        for name in ("default-graph-uri", "named-graph-uri", "format"):
            values.setdefault(name, url_values.get(name, []))
        return await execute(request, state, values, protocol_values(values), arrival)
    if content_type == "application/sparql-query":
        if "query" in url_values:
            raise ParameterError("a direct POST carries the query in its body, not also in the URL")
        text = utf8(await bounded_body(request, settings.request_max_bytes))
        return await execute(request, state, url_values, text, arrival)
    if content_type == "application/sparql-update":
        raise UnsupportedOperationError(READ_ONLY)
    raise UnsupportedMediaTypeError(
        f"unsupported request body type {content_type or '(none)'!r}: send application/sparql-query, "
        "or application/x-www-form-urlencoded with a 'query' parameter")


def service_description(request: Request, state: AppState, base: str,
                        values: dict[str, list[str]]) -> Response:
    # A browser lists text/html first: it gets the query page; RDF clients get the description.
    accept = request.headers.get("accept")
    offered = (["text/html", *sd.SD_FORMATS] if accept and accept.lower().startswith("text/html")
               else [*sd.SD_FORMATS, "text/html"])
    media = requested_format(single(values, "format"), accept, offered)
    if media == "text/html":
        return HTMLResponse(query_form.query_page(base), headers={"Vary": "Accept"})
    body = sd.service_description(state.dataset.statistics(state.graph), state.settings, base, media,
                                  version=state.graph.version)
    content_type = media + ("; charset=utf-8" if media.startswith("text/") else "")
    return Response(body, headers={"Content-Type": content_type, "Vary": "Accept"})
