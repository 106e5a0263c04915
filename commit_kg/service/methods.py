"""Methods as RFC 9110 has them, for every route at once: HEAD wherever GET is (§9.3.2), and an `Allow`
on 405 that names every method the path serves (§15.5.6).

FastAPI's routes, unlike Starlette's, do not add HEAD to a GET route, and a 405 names the methods of the
first route whose path matched (so /sparql said `Allow: GET` though it serves POST). This layer routes a
HEAD as the GET it stands for and drops the body (keeping the GET's headers, Content-Length included),
and rewrites the Allow of a 405 from every route of the path."""

from __future__ import annotations

from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed(routes: list[BaseRoute], scope: Scope) -> list[str]:
    """The methods some route serves at the request's path, HEAD with GET, found by asking each route
    whether it would take the request with that method (routers included by FastAPI nest their routes;
    a mounted app, which takes any method, is left out)."""
    methods = [method for method in ORDER if any(
        not isinstance(route, Mount) and route.matches({**scope, "method": method})[0] == Match.FULL
        for route in routes)]
    if "GET" in methods and "HEAD" not in methods:
        methods.insert(1, "HEAD")
    return methods


class MethodsLayer:
    """Pure ASGI middleware: HEAD routed as GET without its body; a truthful Allow on every 405."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                methods = allowed(scope["app"].router.routes, scope)
                if methods:
                    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                    message = {**message, "headers": [*headers, (b"allow", ", ".join(methods).encode())]}
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, sending)
