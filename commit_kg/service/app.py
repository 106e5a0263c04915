"""The FastAPI app factory: the graph is built (or handed in) at start-up and kept, with everything
made from it, in one state object (state.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from .. import __version__
from ..build import BuiltGraph, build
from ..errors import (
    CommitKgError,
    FederationFailedError,
    FederationRefusedError,
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
    ResultTooLargeError,
    UnknownQueryError,
    UnsupportedMediaTypeError,
    UnsupportedOperationError,
)
from ..settings import Settings
from ..web import query as web_query
from ..web import routes as web
from . import api, dataset, docs, openapi, resources, sparql
from .security import ContentSecurityPolicy
from .state import AppState

STATUS = {
    QuerySyntaxError: 400,
    ParameterError: 400,
    UnsupportedOperationError: 400,
    UnknownQueryError: 404,
    NotFoundError: 404,
    NotAcceptableError: 406,
    FederationRefusedError: 400,
    QueryTooDeepError: 400,
    PayloadTooLargeError: 413,
    QueryTooLongError: 413,
    UnsupportedMediaTypeError: 415,
    ResultTooLargeError: 422,
    QueryFailedError: 500,
    FederationFailedError: 502,
    QueryTimeoutError: 503,
    QueryQueueFullError: 503,
    QueryMemoryLimitError: 503,
}


async def commit_kg_error(_: Request, error: Exception) -> JSONResponse:
    """One handler for every domain error: a stable code and a message, never a stack trace."""
    assert isinstance(error, CommitKgError)
    status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 500)
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, QueryQueueFullError) else None
    return JSONResponse({"error": error.code, "message": error.message}, status_code=status, headers=headers)


async def invalid_request(request: Request, error: Exception) -> JSONResponse:
    """FastAPI's own checks of typed parameters (enums, dates, patterns) answered as ours are: 400
    invalid_parameter naming each parameter, instead of a 422 with pydantic's internals."""
    assert isinstance(error, RequestValidationError)
    problems = []
    for item in error.errors():
        where, *name = [str(part) for part in item.get("loc", ())] or ["request"]
        given = item.get("input")
        got = f" (got {given[:80]!r})" if isinstance(given, str) else ""
        problems.append(f"{where} parameter '{'.'.join(name) or where}': {item.get('msg', 'invalid')}{got}")
    return await commit_kg_error(request, ParameterError("; ".join(problems) or "invalid request"))


HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}


async def http_error(_: Request, error: Exception) -> JSONResponse:
    """Routing errors (no such path, wrong method) in the same JSON shape as ours."""
    assert isinstance(error, HTTPException)
    code = HTTP_CODES.get(error.status_code, "http_error")
    return JSONResponse({"error": code, "message": str(error.detail)}, status_code=error.status_code,
                        headers=getattr(error, "headers", None))


async def internal_error(_: Request, error: Exception) -> JSONResponse:
    """Anything unforeseen: a 500 that says so and leaks nothing (the log has the details)."""
    return JSONResponse({"error": "internal_error", "message": "the server failed to answer this request"},
                        status_code=500)


def create_app(settings: Settings | None = None, graph: BuiltGraph | None = None) -> FastAPI:
    """Build the app; without a prebuilt graph the lifespan builds one from the settings' folders."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = AppState.made(settings, graph or build(settings))
        app.state.commit_kg = state
        # Each HTTP process forks its own query workers here, after the build, from the process that
        # holds the store; they are stopped (and reaped) when the app stops.
        await state.queries.start()
        try:
            yield
        finally:
            await state.queries.close()

    # /docs and /redoc are served by .docs from the package's own files, not from a CDN.
    app = FastAPI(title="commit-kg", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.add_exception_handler(CommitKgError, commit_kg_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, internal_error)
    # Open to scripts on any origin, without credentials: there is nothing private to protect.
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=False,
                       allow_methods=["GET", "POST", "HEAD", "OPTIONS"], allow_headers=["Accept", "Content-Type"])
    app.add_middleware(ContentSecurityPolicy)
    app.include_router(web.router)  # the dashboard at /
    app.include_router(web_query.router)  # the query page at /query
    app.include_router(docs.router)
    docs.mount_assets(app)
    app.include_router(sparql.router)
    app.include_router(api.router)
    app.include_router(dataset.router)
    app.include_router(resources.router)
    openapi.install(app)  # the description made whole: statuses, media types, /sparql
    return app
