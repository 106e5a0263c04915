"""Dependencies the routers share, declared once as Annotated aliases (tests may override them). They are
async because they only read app.state: FastAPI runs a plain function dependency in its thread pool,
a thread hop per dependency per request (seen in the /sparql profile, bench/README.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..build import BuiltGraph
from ..settings import Settings
from ..store import EmbeddedStore


async def get_store(request: Request) -> EmbeddedStore:
    return request.app.state.store


async def get_graph(request: Request) -> BuiltGraph:
    return request.app.state.graph


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def public_base(request: Request) -> str:
    """The service's public URL without a trailing slash: the configured base URL (behind a proxy),
    else the URL this request came to."""
    configured = request.app.state.settings.base_url
    return (configured or str(request.base_url)).rstrip("/")


StoreDep = Annotated[EmbeddedStore, Depends(get_store)]
GraphDep = Annotated[BuiltGraph, Depends(get_graph)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
BaseDep = Annotated[str, Depends(public_base)]
