"""The SPARQL 1.1 Protocol at /sparql (read-only): query by GET, URL-encoded POST and direct POST,
the protocol dataset honoured, results negotiated; without a query, the Service Description (RDF)
or a query page (browsers). Updates, federation outside the allow-list, repeated or conflicting
parameters and unreadable bodies each get their own 4xx with a JSON error."""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from urllib.parse import parse_qs

import anyio
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from rdflib.plugins.sparql.parser import parseUpdate

from ..errors import (
    FederationRefusedError,
    ParameterError,
    QuerySyntaxError,
    UnsupportedMediaTypeError,
    UnsupportedOperationError,
)
from ..execution import GRAPH_FORMATS, RESULT_FORMATS, Dataset, run
from . import description
from .deps import BaseDep, GraphDep, SettingsDep
from .negotiation import FORMAT_NAMES, requested_format

router = APIRouter(tags=["sparql"])
READ_ONLY = "SPARQL Update is not offered at /sparql: this endpoint is read-only"
FORM = "application/x-www-form-urlencoded"
# Comments, strings and IRIs are blanked before looking for keywords, so that a "SERVICE" or a
# "CONSTRUCT" inside them is not taken for one.
NOISE = re.compile(r'#[^\n]*|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")
FORM_KEYWORD = re.compile(r"(?<![\w:?$])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:])", re.IGNORECASE)
SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:])\s+(?:SILENT\s+)?(<[^>]*>|\S+)", re.IGNORECASE)


class AnswerCache:
    """The most recently used answers, by (graph version, request) key; small answers only."""

    def __init__(self, entries: int = 512, largest: int = 1 << 20) -> None:
        self.entries, self.largest = entries, largest
        self.answers: OrderedDict[str, bytes] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        if key in self.answers:
            self.answers.move_to_end(key)
        return self.answers.get(key)

    def put(self, key: str, body: bytes) -> None:
        if len(body) <= self.largest:
            self.answers[key] = body
            while len(self.answers) > self.entries:
                self.answers.popitem(last=False)


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: which kinds of answer can be negotiated."""
    match = FORM_KEYWORD.search(IRI.sub("<>", NOISE.sub(" ", text)))
    return match.group(1).upper() if match else "SELECT"  # let the parser report what is wrong


def check_federation(text: str, allowed: list[str]) -> None:
    """Refuse SERVICE to any endpoint not on the allow-list (empty by default): no outbound requests."""
    for target in SERVICE.findall(NOISE.sub(" ", text)):
        if not (target.startswith("<") and target[1:-1] in allowed):
            raise FederationRefusedError(
                f"federated query to {target} is not allowed: this endpoint makes no outbound requests "
                "except to the endpoints on its allow-list")


def single(values: dict[str, list[str]], name: str) -> str | None:
    """The one value of a parameter; repeating it with the same value is harmless (SPARQLWrapper
    sends `format` twice), with different values it is an error."""
    found = values.get(name, [])
    if name == "format":  # "tsv" and "text/tab-separated-values" are the same request
        found = list(dict.fromkeys(FORMAT_NAMES.get(v.lower(), v.lower()) for v in found))
    if len(found) > 1:
        raise ParameterError(f"the '{name}' parameter is given {len(found)} times; give it once")
    return found[0] if found else None


def is_update(text: str) -> bool:
    """Whether text that is no query parses as SPARQL Update, to say 'read-only' rather than 'syntax'."""
    try:
        parseUpdate(text)
    except Exception:  # noqa: BLE001 - any failure means "not an update"; the syntax error stands
        return False
    return True


def utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ParameterError(f"the request body is not UTF-8 (byte {error.start})") from None


async def execute(request: Request, graph: GraphDep, settings: SettingsDep, values: dict[str, list[str]],
                  text: str) -> Response:
    check_federation(text, settings.service_allow_list)
    graph_answer = query_form(text) in ("CONSTRUCT", "DESCRIBE")
    offered = list(GRAPH_FORMATS if graph_answer else RESULT_FORMATS)
    media = requested_format(single(values, "format"), request.headers.get("accept"), offered)
    dataset = Dataset(tuple(values.get("default-graph-uri", [])), tuple(values.get("named-graph-uri", [])))
    endpoint = str(request.url).split("?")[0]
    # The graph is immutable between builds: an answer is a function of (graph version, request).
    key = hashlib.sha256("\x00".join([graph.version, media, endpoint, text, *dataset.default_graphs, "|",
                                        *dataset.named_graphs]).encode()).hexdigest()[:32]
    headers = {"Vary": "Accept", "ETag": f'"{key}"'}
    if f'"{key}"' in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    answers: AnswerCache = request.app.state.answers
    body = answers.get(key)
    if body is None:
        try:
            body = await anyio.to_thread.run_sync(run, graph.store, text, dataset, media, settings.query_timeout,
                                                  endpoint)
        except QuerySyntaxError:
            if is_update(text):
                raise UnsupportedOperationError(READ_ONLY) from None
            raise
        answers.put(key, body)
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
async def sparql_get(request: Request, graph: GraphDep, settings: SettingsDep, base: BaseDep) -> Response:
    values = parse_qs(request.url.query, keep_blank_values=True)
    if "query" not in values and "update" not in values:
        return service_description(request, graph, settings, base, values)
    return await execute(request, graph, settings, values, protocol_values(values))


@router.post("/sparql", summary="SPARQL query by URL-encoded POST or direct POST (application/sparql-query)")
async def sparql_post(request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    url_values = parse_qs(request.url.query, keep_blank_values=True)
    body = await request.body()
    if content_type == FORM:
        values = parse_qs(utf8(body), keep_blank_values=True)
        for name in ("default-graph-uri", "named-graph-uri", "format"):
            values.setdefault(name, url_values.get(name, []))
        return await execute(request, graph, settings, values, protocol_values(values))
    if content_type == "application/sparql-query":
        if "query" in url_values:
            raise ParameterError("a direct POST carries the query in its body, not also in the URL")
        return await execute(request, graph, settings, url_values, utf8(body))
    if content_type == "application/sparql-update":
        raise UnsupportedOperationError(READ_ONLY)
    raise UnsupportedMediaTypeError(
        f"unsupported request body type {content_type or '(none)'!r}: send application/sparql-query, "
        "or application/x-www-form-urlencoded with a 'query' parameter")


def service_description(request: Request, graph: GraphDep, settings: SettingsDep, base: str,
                        values: dict[str, list[str]]) -> Response:
    # A browser lists text/html first: it gets the query page; RDF clients get the description.
    accept = request.headers.get("accept")
    offered = (["text/html", *description.SD_FORMATS] if accept and accept.lower().startswith("text/html")
               else [*description.SD_FORMATS, "text/html"])
    media = requested_format(single(values, "format"), accept, offered)
    if media == "text/html":
        return HTMLResponse(description.query_page(base), headers={"Vary": "Accept"})
    body = description.service_description(graph, settings, base, media)
    content_type = media + ("; charset=utf-8" if media.startswith("text/") else "")
    return Response(body, headers={"Content-Type": content_type, "Vary": "Accept"})
