"""The admin routes (POST /admin/reload), present only when an admin token is configured.

Who may call them: a client on a loopback address (the connection's address as the ASGI server
reports it, never a header the client sets; uvicorn takes X-Forwarded-For only from a proxy on
127.0.0.1) unless `admin_loopback_only` is off — others get 404, as if there were no such route —
and with `Authorization: Bearer <token>`, compared in constant time: none 401 (WWW-Authenticate:
Bearer), a wrong one 403. Admin answers carry no CORS headers: no page on another origin may call them.
"""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import (
    AdminTokenInvalidError,
    AdminTokenRequiredError,
    CommitKgError,
    NotFoundError,
    ReloadFailedError,
    ReloadInProgressError,
    ReloadRefusedError,
)
from ..settings import Settings
from .reload import Reloader

PREFIX = "/admin"
STATUS = {AdminTokenRequiredError: 401, AdminTokenInvalidError: 403, ReloadInProgressError: 409,
          ReloadRefusedError: 422, ReloadFailedError: 503}
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="commit-kg admin"'}


def loopback(host: str | None) -> bool:
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:  # a Unix socket or no address at all
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def admin_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def guard(secret: bytes):  # noqa: ANN201 - a FastAPI dependency
    async def admin_only(request: Request) -> None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AdminTokenRequiredError("this route needs the admin token: Authorization: Bearer <token>")
        if not hmac.compare_digest(token.strip().encode("latin-1"), secret):
            raise AdminTokenInvalidError("the admin token is not the configured one")

    return admin_only


async def admin_error(_: Request, error: Exception) -> JSONResponse:
    """An admin error: its code and message, the problems of a refused build, a Bearer challenge on 401."""
    assert isinstance(error, CommitKgError)
    status = next(code for kind, code in STATUS.items() if isinstance(error, kind))
    body = {"error": error.code, "message": error.message}
    if isinstance(error, ReloadRefusedError):
        body["details"] = error.details
    return JSONResponse(body, status_code=status, headers=CHALLENGE if status == 401 else None)


def router(reloader: Reloader, secret: bytes) -> APIRouter:
    routes = APIRouter(prefix=PREFIX, tags=["admin"], dependencies=[Depends(guard(secret))])

    @routes.post("/reload", summary="Rebuild from the files and swap the new graph in, if it passes the gate",
                 responses={401: {}, 403: {}, 404: {}, 409: {}, 422: {}, 503: {}})
    async def reload() -> dict:
        return await reloader.reload()

    return routes


def install(app: FastAPI, settings: Settings, reloader: Reloader) -> None:
    """The admin routes and their error answers, when a token is configured; else nothing at all."""
    secret = settings.admin_secret()
    if secret is None:
        return
    for kind in STATUS:
        app.add_exception_handler(kind, admin_error)
    app.include_router(router(reloader, secret))
    if settings.admin_loopback_only:
        app.add_middleware(LoopbackOnly)


class LoopbackOnly:
    """Everything under /admin answers a client that is not on a loopback address 404, whatever the
    method, before routing (so not even a 405 tells that the route exists)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and admin_path(scope.get("path", "")):
            client = scope.get("client") or (None, None)
            if not loopback(client[0]):
                answer = JSONResponse({"error": NotFoundError.code, "message": "no such route"}, status_code=404)
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)


class NoAdminCORS(CORSMiddleware):
    """CORS for every route but the admin ones, which answer as if no other origin existed."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and admin_path(scope.get("path", "")):
            await self.app(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)
