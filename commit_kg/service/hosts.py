"""The public base URL of each request, fixed before routing (commit_kg/public_url.py says how): stored in
the request's state for the routers (deps.public_base), or, for a Host the service is not configured to
answer for, 421 Misdirected Request (RFC 9110 §15.5.20: this server does not serve that authority).

421, not the 400 of Starlette's TrustedHostMiddleware: the request is well-formed, it reached the wrong
server, and 421 tells a client or a proxy so (a client may retry on another connection). The error does
not quote the Host sent: no answer carries a request's host.

The request then goes on with the Host and scheme of its base, so that a URL Starlette makes from the
request itself (the redirect from /dumps to /dumps/) names the configured origin too, and a Location
under that origin gets the base's path (a base URL such as https://kg.example.org/commit)."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import MisdirectedRequestError
from ..public_url import PublicOrigins

STATE_KEY = "public_base"


class PublicBase:
    """Pure ASGI middleware: resolves the base once per request, or answers 421."""

    def __init__(self, app: ASGIApp, origins: PublicOrigins) -> None:
        self.app, self.origins = app, origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"host"), None)
        base = self.origins.base_for(host)
        if base is None:
            error = MisdirectedRequestError(
                "this service answers only for the hosts it is configured for (COMMIT_KG_ALLOWED_HOSTS): "
                + ", ".join(self.origins.hosts))
            await JSONResponse({"error": error.code, "message": error.message}, status_code=421)(scope, receive, send)
            return
        parts = urlsplit(base)
        origin, prefix = f"{parts.scheme}://{parts.netloc}".encode(), base.encode()
        headers = [(name, value) for name, value in scope["headers"] if name != b"host"]
        scope = {**scope, "scheme": parts.scheme, "headers": [*headers, (b"host", parts.netloc.encode())],
                 "state": {**scope.get("state", {}), STATE_KEY: base}}

        async def located(message: Message) -> None:
            if message["type"] == "http.response.start" and prefix != origin:
                message = {**message, "headers": [
                    (name, prefix + value[len(origin):] if name.lower() == b"location"
                     and value.startswith(origin + b"/") and not value.startswith(prefix + b"/") else value)
                    for name, value in message.get("headers", [])]}
            await send(message)

        await self.app(scope, receive, located)
