"""The FastAPI app factory: the graph is built (or handed in) at start-up and kept on app.state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from .. import __version__
from ..build import BuiltGraph, build
from ..errors import (
    CommitKgError,
    FederationRefusedError,
    NotAcceptableError,
    NotFoundError,
    QueryTimeoutError,
    ParameterError,
    QuerySyntaxError,
    UnknownQueryError,
    UnsupportedMediaTypeError,
    UnsupportedOperationError,
)
from ..settings import Settings
from ..store import EmbeddedStore
from . import sparql

STATUS = {
    QuerySyntaxError: 400,
    ParameterError: 400,
    UnsupportedOperationError: 400,
    UnknownQueryError: 404,
    NotFoundError: 404,
    NotAcceptableError: 406,
    FederationRefusedError: 400,
    QueryTimeoutError: 503,
    UnsupportedMediaTypeError: 415,
}


async def commit_kg_error(_: Request, error: Exception) -> JSONResponse:
    """One handler for every domain error: a stable code and a message, never a stack trace."""
    assert isinstance(error, CommitKgError)
    status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 500)
    return JSONResponse({"error": error.code, "message": error.message}, status_code=status)


def create_app(settings: Settings | None = None, graph: BuiltGraph | None = None) -> FastAPI:
    """Build the app; without a prebuilt graph the lifespan builds one from the settings' folders."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        built = graph or build(settings)
        app.state.graph = built
        app.state.store = EmbeddedStore(built.store)
        yield

    app = FastAPI(title="commit-kg", version=__version__, lifespan=lifespan)
    app.state.settings = settings
    app.add_exception_handler(CommitKgError, commit_kg_error)
    app.include_router(sparql.router)
    return app
