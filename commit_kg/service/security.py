"""The security headers every response carries, error pages and unhandled 500s included:

- Content-Security-Policy: the app's own origin only, so a page can load no script, style, font or image
  from anywhere else (nothing comes from a CDN, and an injected tag cannot call out). A response that
  sets its own policy (the API documentation, with a nonce) keeps it.
- X-Content-Type-Options: nosniff, so a browser never runs a JSON, CSV or RDF answer as a script or page.
- Referrer-Policy: no-referrer. The service reads no Referer itself, and its URLs carry what a reader
  asked (a SPARQL query at /query, a search term): no-referrer keeps even the page's origin from the
  sites the pages link to (the sources), where strict-origin-when-cross-origin would still send it.
- X-Frame-Options: SAMEORIGIN, the older browsers' form of the policy's `frame-ancestors 'self'`.

The headers are added outside Starlette's ServerErrorMiddleware (`on_every_response`), which answers an
unhandled exception outside every middleware added with `add_middleware`."""

from __future__ import annotations

import base64
import hashlib

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..web.html import STYLE


def style_hash(css: str) -> str:
    """The CSP source that allows exactly one inline <style> block."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"


def policy(*, script_nonce: str | None = None, inline_styles: bool = False, blob_workers: bool = False) -> str:
    """The policy (img data: for the icons stylesheets inline) with the few additions a page needs: a nonce for its one inline script, inline styles
    (ReDoc and Swagger UI set them from their scripts), and workers made from blobs (ReDoc's search).
    Each still names no other origin."""
    parts = ["default-src 'self'", "img-src 'self' data:"]
    parts.append("script-src 'self'" + (f" 'nonce-{script_nonce}'" if script_nonce else ""))
    parts.append("style-src 'self'" + (" 'unsafe-inline'" if inline_styles else f" {style_hash(STYLE)}"))
    if blob_workers:
        parts.append("worker-src 'self' blob:")
    parts += ["object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'self'"]
    return "; ".join(parts)


POLICY = policy()
HEADERS = {
    b"content-security-policy": POLICY.encode(),
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"x-frame-options": b"SAMEORIGIN",
}


class SecurityHeaders:
    """Pure ASGI middleware (no per-request task or thread, unlike BaseHTTPMiddleware): adds each header
    to the response head unless the route set it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in HEADERS.items() if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def on_every_response(app: FastAPI) -> None:
    """Wrap the app's whole middleware stack, ServerErrorMiddleware included, in SecurityHeaders."""
    build = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeaders(build())  # type: ignore[method-assign]
