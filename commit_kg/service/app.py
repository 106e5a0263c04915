"""The FastAPI app factory: the graph is built (or handed in) at start-up and kept, with everything
made from it, in one state object (state.py)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from .. import __version__
from ..build import BuiltGraph, build
from ..errors import CommitKgError, ParameterError, excerpt
from ..settings import Settings
from ..web import query as web_query
from ..web import routes as web
from . import admin, api, dataset, docs, error_table, openapi, resources, sparql
from .hosts import PublicBase
from .methods import MethodsLayer
from .reload import Reloader, startup_graph
from .security import on_every_response
from .state import AppState, federation_relay
from .strict_input import StrictInput

log = logging.getLogger(__name__)


async def commit_kg_error(_: Request, error: Exception) -> JSONResponse:
    """One handler for every domain error: a stable code and a message, never a stack trace."""
    assert isinstance(error, CommitKgError)
    return error_table.response(error)


async def invalid_request(request: Request, error: Exception) -> JSONResponse:
    """FastAPI's own checks of typed parameters (enums, dates, patterns) answered as ours are: 400
    invalid_parameter naming each parameter, instead of a 422 with pydantic's internals."""
    assert isinstance(error, RequestValidationError)
    problems = []
    for item in error.errors():
        where, *name = [str(part) for part in item.get("loc", ())] or ["request"]
        given = item.get("input")
        got = f" (got {excerpt(given)})" if isinstance(given, str) else ""
        problems.append(f"{where} parameter '{'.'.join(name) or where}': {item.get('msg', 'invalid')}{got}")
    return await commit_kg_error(request, ParameterError("; ".join(problems) or "invalid request"))


async def http_error(_: Request, error: Exception) -> JSONResponse:
    """Routing errors (no such path, wrong method) in the same JSON shape as ours, with a code of the
    table; a status the table does not know is a bug (500)."""
    assert isinstance(error, HTTPException)
    code = error_table.HTTP_STATUS_CODES.get(error.status_code)
    if code is None:
        log.error("HTTP error %d is not in the error table: %s", error.status_code, error.detail)
        return error_table.internal_error()
    return JSONResponse({"error": code, "message": str(error.detail)},
                        status_code=error.status_code, headers=getattr(error, "headers", None))


async def internal_error(_: Request, error: Exception) -> JSONResponse:
    """Anything unforeseen: a 500 that says so and leaks nothing (the log has the details)."""
    return error_table.internal_error()


def first_graph(settings: Settings) -> BuiltGraph:
    """The graph to serve at start: what the remote store holds, else the build of the folders."""
    if settings.store_url:
        from ..remote_store import mirror

        return mirror(settings.store_url, settings)
    return build(settings)


def create_app(settings: Settings | None = None, graph: BuiltGraph | None = None) -> FastAPI:
    """Build the app; without a prebuilt graph the lifespan builds one from the settings' folders."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        relay = federation_relay(settings)
        if relay:
            await relay.start()
        # A worker forked after a reload (serve.py) serves the reloaded build, not the one it was forked with.
        state = AppState.made(settings, startup_graph(settings) or graph or first_graph(settings), relay)
        app.state.commit_kg = state
        # Each HTTP process forks its own query workers here, after the build, from the process that
        # holds the store; they are stopped (and reaped) when the app stops.
        await state.queries.start()
        await reloader.start()
        try:
            yield
        finally:
            await reloader.close()
            await app.state.commit_kg.queries.close()  # the state a reload may have swapped in
            if relay:
                await relay.close()

    # /docs and /redoc are served by .docs from the package's own files, not from a CDN.
    app = FastAPI(title="commit-kg", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.add_exception_handler(CommitKgError, commit_kg_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, internal_error)
    # Inside CORS and the CSP, so that its refusals carry their headers.
    app.add_middleware(StrictInput, head_max_bytes=settings.request_head_max_bytes)
    # Open to scripts on any origin, without credentials: there is nothing private to protect.
    app.add_middleware(admin.NoAdminCORS, allow_origins=["*"], allow_credentials=False,
                       allow_methods=["GET", "POST", "HEAD", "OPTIONS"], allow_headers=["Accept", "Content-Type"])
    on_every_response(app)  # security headers, on unhandled 500s too
    app.add_middleware(PublicBase, origins=settings.public_origins())  # links never from the Host header
    app.add_middleware(MethodsLayer)  # HEAD wherever GET is; a truthful Allow on 405
    app.include_router(web.router)  # the dashboard at /
    app.include_router(web_query.router)  # the query page at /query
    app.include_router(docs.router)
    docs.mount_assets(app)
    app.include_router(sparql.router)
    app.include_router(api.router)
    app.include_router(dataset.router)
    app.include_router(resources.router)
    reloader = Reloader(app, settings)
    admin.install(app, settings, reloader)  # POST /admin/reload, only with an admin token
    openapi.install(app)  # the description made whole: statuses, media types, /sparql
    return app
