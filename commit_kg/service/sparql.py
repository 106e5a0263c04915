"""SPARQL 1.1 query at /sparql: GET, URL-encoded POST and direct POST; read-only."""

from __future__ import annotations

from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from rdflib.plugins.sparql.parser import parseUpdate

from ..errors import ParameterError, QuerySyntaxError, UnsupportedMediaTypeError, UnsupportedOperationError
from .deps import StoreDep

router = APIRouter()
READ_ONLY = "SPARQL Update is not offered at /sparql: this endpoint is read-only"

RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}


def requested(accept: str, offered: dict[str, object], default: str) -> str:
    """The first offered media type the Accept header names; the default when it names none."""
    for item in accept.split(","):
        media = item.split(";")[0].strip().lower()
        if media in offered:
            return media
    return default


def is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except Exception:  # noqa: BLE001 - any failure means "not an update"; the query error stands
        return False
    return True


def answer(store: StoreDep, text: str, accept: str) -> Response:
    try:
        result = store.query(text)
    except QuerySyntaxError:
        if is_update(text):
            raise UnsupportedOperationError(READ_ONLY) from None
        raise
    if isinstance(result, ox.QueryTriples):
        media = requested(accept, GRAPH_TYPES, "text/turtle")
        return Response(result.serialize(format=GRAPH_TYPES[media]), media_type=media)
    media = requested(accept, RESULT_TYPES, "application/sparql-results+json")
    return Response(result.serialize(format=RESULT_TYPES[media]), media_type=media)


def single_query(values: dict[str, list[str]]) -> str:
    if "update" in values:
        raise UnsupportedOperationError(READ_ONLY)
    queries = values.get("query", [])
    if len(queries) != 1:
        raise ParameterError(f"exactly one 'query' parameter is required; got {len(queries)}")
    return queries[0]


@router.get("/sparql")
async def sparql_get(request: Request, store: StoreDep) -> Response:
    values = parse_qs(request.url.query, keep_blank_values=True)
    return answer(store, single_query(values), request.headers.get("accept", ""))


@router.post("/sparql")
async def sparql_post(request: Request, store: StoreDep) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = (await request.body()).decode("utf-8")
    if content_type == "application/sparql-query":
        text = body
    elif content_type == "application/x-www-form-urlencoded":
        text = single_query(parse_qs(body, keep_blank_values=True))
    elif content_type == "application/sparql-update":
        raise UnsupportedOperationError(READ_ONLY)
    else:
        raise UnsupportedMediaTypeError(
            f"unsupported request body type {content_type!r}: use application/sparql-query "
            "or application/x-www-form-urlencoded"
        )
    return answer(store, text, request.headers.get("accept", ""))
