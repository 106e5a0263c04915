"""Dependencies the routers share, declared once as Annotated aliases (tests may override them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..store import EmbeddedStore


def get_store(request: Request) -> EmbeddedStore:
    return request.app.state.store


StoreDep = Annotated[EmbeddedStore, Depends(get_store)]
