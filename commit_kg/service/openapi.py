"""The OpenAPI description made whole, so that a client generator or a fuzzer can use it.

FastAPI describes what it reads from signatures: typed parameters and JSON models. It cannot see what a
route negotiates by Accept, the errors it raises (answered by the one error table, error_table.ERRORS), nor
/sparql, which reads its parameters and bodies itself. This module takes FastAPI's schema and adds, per
route, from one table (ROUTES): the media types of its answers, its error answers with the shared
error body (`{"error": code, "message": ...}`, each status naming the codes it can carry), 304 where
it answers conditional requests, and the routes FastAPI leaves out (the documentation pages, static
files). FastAPI's own 422 goes: the app answers a parameter that fails its type with 400
invalid_parameter (app.invalid_request)."""

from __future__ import annotations

import copy
import re
import warnings
from dataclasses import dataclass, field, replace
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import iter_route_contexts

from ..errors import (
    AdminTokenInvalidError,
    AdminTokenRequiredError,
    CommitKgError,
    FederationFailedError,
    FederationRefusedError,
    FederationTimeoutError,
    MisdirectedRequestError,
    NotAcceptableError,
    NotFoundError,
    ParameterError,
    PayloadTooLargeError,
    QueryFailedError,
    QueryMemoryLimitError,
    QueryQueueFullError,
    QuerySyntaxError,
    QueryTimeoutError,
    QueryTooDeepError,
    QueryTooLongError,
    ReloadFailedError,
    ReloadInProgressError,
    ResultTooLargeError,
    UnknownQueryError,
    UnsupportedMediaTypeError,
    UnsupportedOperationError,
)
from ..execution import GRAPH_FORMATS, RESULT_FORMATS
from ..publish.service_description import SD_FORMATS
from ..publish.void import VOID_TYPES
from . import error_table
from .negotiation import FORMAT_NAMES
from .resources import RDF_TYPES

HTML, JSON, CSV, TURTLE = "text/html", "application/json", "text/csv", "text/turtle"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPARQL_QUERY, FORM = "application/sparql-query", "application/x-www-form-urlencoded"
DUMP_TYPES = ["text/turtle", "application/n-triples", "application/n-quads", "application/ld+json", "text/plain"]
STATIC_TYPES = ["text/css", "font/woff2", "text/plain", "image/svg+xml", "application/javascript", "image/png"]

# Errors every route can answer whatever it is asked: a Host not in COMMIT_KG_ALLOWED_HOSTS (checked in
# front of the routes; tests/test_public_host_http.py provokes it).
EVERY_ROUTE: tuple[type[CommitKgError], ...] = (MisdirectedRequestError,)
RUN_ERRORS = (ParameterError, QuerySyntaxError, UnsupportedOperationError, FederationRefusedError,
              QueryTooDeepError, QueryTooLongError, ResultTooLargeError, QueryFailedError,
              FederationFailedError, FederationTimeoutError, QueryTimeoutError, QueryQueueFullError,
              QueryMemoryLimitError)
QUERY_ERRORS = (*RUN_ERRORS, NotAcceptableError)
PAGE_ERRORS = (ParameterError,)  # a date that is not one, a language not offered


@dataclass(frozen=True)
class Described:
    """What one path answers beyond FastAPI's view: the media types of a 200 per method, the errors it
    raises (their statuses come from error_table.ERRORS), whether it answers 304, and the media type its
    errors come in (the query page shows them in HTML)."""

    media: dict[str, list[str]]
    errors: tuple[type[CommitKgError], ...] = ()
    conditional: bool = False
    error_media: tuple[str, ...] = (JSON,)
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)  # method -> operation fields
    only: dict[str, tuple[type[CommitKgError], ...]] = field(default_factory=dict)  # method -> its own errors


def sparql_parameters(with_query: bool) -> list[dict[str, Any]]:
    """The SPARQL 1.1 Protocol's query-string parameters, and `format` (a short name or a media type)."""
    iris = {"type": "array", "items": {"type": "string", "format": "iri"}}
    listed = [
        {"name": "default-graph-uri", "in": "query", "required": False, "style": "form", "explode": True,
         "schema": iris, "description": "A graph of the default graph (absolute IRI); overrides FROM."},
        {"name": "named-graph-uri", "in": "query", "required": False, "style": "form", "explode": True,
         "schema": iris, "description": "A named graph of the dataset (absolute IRI); overrides FROM NAMED."},
        {"name": "format", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "A short name (" + ", ".join(sorted(FORMAT_NAMES)) + ") or a media type; wins over Accept.",
         "examples": {"json": {"value": "json"}}},
    ]
    if with_query:
        listed.insert(0, {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
                          "description": "The SPARQL query; without it, the Service Description (or, for a "
                                         "browser, the query page).",
                          "examples": {"ask": {"value": "ASK { ?s ?p ?o }"}}})
    return listed


SPARQL_FORM = {"type": "object", "required": ["query"], "properties": {
    "query": {"type": "string", "description": "The SPARQL query."},
    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
    "named-graph-uri": {"type": "array", "items": {"type": "string"}},
    "format": {"type": "string"}}}
SPARQL_RESULTS_JSON = {"type": "object", "required": ["head"], "properties": {
    "head": {"type": "object"}, "results": {"type": "object", "properties": {"bindings": {"type": "array"}}},
    "boolean": {"type": "boolean"}}}
SPARQL_ANSWERS = [*RESULT_FORMATS, *GRAPH_FORMATS]
RESOURCE_TYPES = [*RDF_TYPES, HTML]

ROUTES: dict[str, Described] = {
    "/": Described({"GET": [HTML], "HEAD": [HTML]}, PAGE_ERRORS),
    "/report": Described({"GET": [HTML]}, PAGE_ERRORS),
    "/report.xlsx": Described({"GET": [XLSX]}, PAGE_ERRORS),
    "/coverage/{kind}/{a}/{b}": Described({"GET": [HTML]}, (*PAGE_ERRORS, NotFoundError)),
    "/search": Described({"GET": [HTML]}, PAGE_ERRORS),
    "/lineage": Described({"GET": [HTML]}, PAGE_ERRORS),
    # The query page shows a query's errors in the page; a parameter not of its type is JSON as anywhere.
    "/query": Described({"GET": [HTML]}, (*RUN_ERRORS, UnknownQueryError), error_media=(HTML, JSON)),
    "/web/static/{name}": Described({"GET": STATIC_TYPES}, (NotFoundError,)),
    "/docs": Described({"GET": [HTML]}),
    "/docs/oauth2-redirect": Described({"GET": [HTML]}),
    "/redoc": Described({"GET": [HTML]}),
    "/openapi.json": Described({"GET": [JSON], "HEAD": [JSON]}),
    "/sparql": Described(
        {"GET": [*SPARQL_ANSWERS, *SD_FORMATS, HTML], "POST": SPARQL_ANSWERS},
        QUERY_ERRORS, conditional=True, only={"POST": (PayloadTooLargeError, UnsupportedMediaTypeError)},
        extra={
            "GET": {"parameters": sparql_parameters(with_query=True),
                    "description": "A query by GET (SPARQL 1.1 Protocol). SELECT and ASK answer in SPARQL "
                                   "JSON, XML, CSV or TSV; CONSTRUCT and DESCRIBE in Turtle, N-Triples, JSON-LD, "
                                   "RDF/XML, N-Quads or TriG (Accept, or `format`). Without a query: the "
                                   "Service Description (Turtle, JSON-LD, N-Triples, RDF/XML), or the query "
                                   "page for a browser. Updates are refused (read-only)."},
            "POST": {"parameters": sparql_parameters(with_query=False),
                     "description": "A query by URL-encoded POST (`query` in the body) or direct POST (the "
                                    "body is the query); the dataset and `format` may also be given in the "
                                    "URL. Updates are refused (read-only).",
                     "requestBody": {"required": True, "content": {
                         FORM: {"schema": SPARQL_FORM},
                         SPARQL_QUERY: {"schema": {"type": "string"},
                                        "example": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}}}},
        }),
    "/api/queries": Described({"GET": [JSON]}, (ParameterError,)),
    "/api/queries/{name}": Described({"GET": [JSON, CSV]}, (ParameterError, UnknownQueryError, NotAcceptableError)),
    "/api/coverage": Described({"GET": [JSON, CSV]}, (ParameterError, NotAcceptableError)),
    "/api/criteria": Described({"GET": [JSON, CSV]}, (ParameterError, NotAcceptableError)),
    "/api/countries/{iso3}": Described({"GET": [JSON]}, (ParameterError, NotFoundError)),
    "/api/lineage/{plan}/{ppc}": Described({"GET": [JSON]}, (ParameterError, NotFoundError)),
    "/api/validation": Described({"GET": [JSON, TURTLE]}, (ParameterError, NotAcceptableError)),
    "/.well-known/void": Described({"GET": VOID_TYPES, "HEAD": VOID_TYPES}, (NotAcceptableError,), conditional=True),
    "/dumps/": Described({"GET": [JSON, HTML]}, (NotAcceptableError,)),
    "/dumps/{name}": Described({"GET": DUMP_TYPES, "HEAD": DUMP_TYPES}, (NotFoundError,), conditional=True),
    "/id/{path}": Described({"GET": RESOURCE_TYPES, "HEAD": RESOURCE_TYPES}, (NotFoundError, NotAcceptableError)),
    "/ontology": Described({"GET": RESOURCE_TYPES, "HEAD": RESOURCE_TYPES}, (NotFoundError, NotAcceptableError)),
    # Only when an admin token is configured (service/admin.py); a refused build answers 422 with its own code.
    "/admin/reload": Described({"POST": [JSON]}, (AdminTokenRequiredError, AdminTokenInvalidError,
                                                  ReloadInProgressError, ReloadFailedError)),
}


def status_table() -> dict[type[CommitKgError], int]:
    """Each error class with the status the one error table (error_table.ERRORS) gives its code."""
    def subclasses(cls: type) -> list[type]:
        return [sub for direct in cls.__subclasses__() for sub in (direct, *subclasses(direct))]

    return {kind: error_table.ERRORS[kind.code][0] for kind in subclasses(CommitKgError)
            if getattr(kind, "code", None) in error_table.ERRORS}


def other_codes() -> set[str]:
    """The codes the app answers outside the domain errors: routing and protocol errors, the last-resort 500."""
    return {*error_table.HTTP_STATUS_CODES.values(), error_table.INTERNAL}


def error_schema() -> dict[str, Any]:
    """The one error body, its code one of every code the app can answer."""
    codes = {kind.code for kind in status_table()} | other_codes()
    return {"title": "Error", "type": "object", "required": ["error", "message"], "properties": {
        "error": {"type": "string", "enum": sorted(codes), "description": "A stable code (README: the service)."},
        "message": {"type": "string", "description": "What is wrong and where, in words."}}}


def statuses(errors: tuple[type[CommitKgError], ...]) -> dict[int, list[type[CommitKgError]]]:
    """The errors a route raises, grouped by the status the app answers them with."""
    table, grouped = status_table(), {}
    for kind in (*errors, *EVERY_ROUTE):
        status = next(code for known, code in table.items() if issubclass(kind, known))
        grouped.setdefault(status, []).append(kind)
    return dict(sorted(grouped.items()))


def summary(kind: type[CommitKgError]) -> str:
    """The first sentence of an error's docstring, without the status it repeats."""
    first = (kind.__doc__ or kind.code).strip().split("\n")[0]
    return re.sub(r"\s*\(HTTP \d+[^)]*\)", "", first).rstrip(".")


def error_response(errors: list[type[CommitKgError]], media: tuple[str, ...]) -> dict[str, Any]:
    """The error body, its code one of those this status carries here (HTML: a page naming it)."""
    codes = sorted({kind.code for kind in errors})
    schema = {"allOf": [{"$ref": "#/components/schemas/Error"},
                        {"type": "object", "properties": {"error": {"enum": codes}}}]}
    content = {kind: {"schema": schema if kind == JSON else {"type": "string"}} for kind in media}
    return {"description": "; ".join(f"`{kind.code}`: {summary(kind)}" for kind in errors), "content": content}


def success(method: str, media: list[str], generated: dict[str, Any] | None) -> dict[str, Any]:
    """The 200 answer in each media type the route negotiates; FastAPI's JSON model kept where it has one.
    A HEAD answer has no body: only its description."""
    generated = copy.deepcopy(generated or {})
    if method == "HEAD":
        return {"description": generated.get("description") or "The headers of the GET answer, no body"}
    found = generated.get("content", {})
    content = {}
    for kind in media:
        schema = found.get(kind, {}).get("schema")
        if schema is None or schema == {}:
            schema = (SPARQL_RESULTS_JSON if kind == "application/sparql-results+json"
                      else {"type": ["object", "array"]} if kind.endswith("json") else {"type": "string"})
        content[kind] = {"schema": schema}
    return {"description": generated.get("description") or "The answer", "content": content}


# Values for the path parameters, so /docs shows a working request and a fuzzer reaches real resources.
PATH_EXAMPLES = {"iso3": "THA", "plan": "spa2", "ppc": "5", "name": "country-instruments", "path": "country/THA",
                 "kind": "mla", "a": "KHM", "b": "THA"}
PATH_EXAMPLES_AT = {("/web/static/{name}", "name"): "site.css", ("/dumps/{name}", "name"): "commit-kg.ttl"}


def format_values(media: list[str]) -> list[str]:
    """What a `format` parameter may name where `media` is offered: a short name or the media type, or
    nothing (`format=`: the Accept header decides, as without the parameter)."""
    return sorted({name for name, kind in FORMAT_NAMES.items() if kind in media} | set(media) | {""})


def refined(path: str, method: str, parameters: list[dict[str, Any]], described: Described) -> list[dict[str, Any]]:
    """The parameters with what their Python types do not say: a date's form, the values `format`
    takes on this route, an example for each path parameter."""
    for parameter in parameters:
        schema, name = parameter.setdefault("schema", {}), parameter["name"]
        if name == "as_of":  # the pages read an empty date (a form left blank) as today
            day = {"type": "string", "format": "date", "examples": ["2010-12-31"]}
            parameter["schema"] = day if path.startswith("/api/") else {"anyOf": [day, {"const": ""}]}
        elif name == "format" and parameter["in"] == "query" and not any("enum" in s or "$ref" in s
                                                                         for s in schema.get("anyOf", [schema])):
            parameter["schema"] = {"type": "string", "enum": format_values(described.media[method])}
        elif parameter["in"] == "path" and name in PATH_EXAMPLES:
            parameter["example"] = PATH_EXAMPLES_AT.get((path, name), PATH_EXAMPLES[name])
    return parameters


def operation(path: str, method: str, described: Described, generated: dict[str, Any] | None) -> dict[str, Any]:
    """One operation: FastAPI's (summary, parameters, models), its answers made whole."""
    op = copy.deepcopy(generated) if generated else {
        "summary": path, "operationId": f"{method.lower()}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
        "parameters": [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                       for name in re.findall(r"{(\w+)}", path)]}
    if method == "HEAD" and generated:  # FastAPI names GET and HEAD of one route alike
        op["operationId"] += "_head"
    op.update(copy.deepcopy(described.extra.get(method, {})))
    op["parameters"] = refined(path, method, op.get("parameters", []), described)
    if not op["parameters"]:
        del op["parameters"]
    fastapi_answers = op.get("responses", {})
    answers: dict[str, Any] = {"200": success(method, described.media[method], fastapi_answers.get("200"))}
    if described.conditional and method in ("GET", "HEAD"):
        answers["304"] = {"description": "Not modified: the If-None-Match tag is current"}
    for status, errors in statuses((*described.errors, *described.only.get(method, ()))).items():
        answer = error_response(errors, described.error_media)
        written = fastapi_answers.get(str(status), {}).get("description")
        if written and written != "Validation Error":
            answer["description"] = f"{written}. {answer['description']}"
        answers[str(status)] = answer
    op["responses"] = answers
    return op


def complete(schema: dict[str, Any], app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema with every route of the app described. A route missing from ROUTES keeps what
    FastAPI says of it (tests/test_openapi.py fails until the table names it)."""
    generated_paths = schema.get("paths", {})
    paths: dict[str, dict[str, Any]] = {}
    for route in iter_route_contexts(app.routes):
        path, methods = route.path_format, route.methods
        if path is None or methods is None:
            continue  # a mount of static files: its files are not operations
        path = re.sub(r"{(\w+):\w+}", r"{\1}", path)
        described = ROUTES.get(path)
        if described is None:
            paths[path] = generated_paths.get(path, {})
            continue
        for method in sorted(methods):
            if method not in described.media:
                if method == "HEAD":  # Starlette adds HEAD to a plain GET route
                    described = replace(described, media={**described.media, "HEAD": described.media["GET"]})
                else:
                    paths.setdefault(path, {})[method.lower()] = generated_paths.get(path, {}).get(method.lower(), {})
                    continue
            generated = generated_paths.get(path, {}).get(method.lower())
            paths.setdefault(path, {})[method.lower()] = operation(path, method, described, generated)
    schema["paths"] = paths
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas["Error"] = error_schema()
    return schema


def install(app: FastAPI) -> None:
    """Serve the completed description at /openapi.json (and /docs, /redoc), made once per app."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            with warnings.catch_warnings():  # GET and HEAD share an operationId there; complete() parts them
                warnings.simplefilter("ignore", UserWarning)
                generated = get_openapi(title=app.title, version=app.version, description=app.description,
                                        routes=app.routes)
            app.openapi_schema = complete(generated, app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
