"""The Content-Security-Policy every response carries: the app's own origin only, so a page can load no
script, style, font or image from anywhere else (nothing comes from a CDN, and an injected tag cannot
call out). A response that sets its own policy (the API documentation, with a nonce) keeps it."""

from __future__ import annotations

import base64
import hashlib

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


class ContentSecurityPolicy:
    """Pure ASGI middleware (no per-request task or thread, unlike BaseHTTPMiddleware): adds the
    policy to the response head unless the route set one."""

    def __init__(self, app: ASGIApp, header: str = POLICY) -> None:
        self.app = app
        self.header = header.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"content-security-policy" for name, _ in headers):
                    headers.append((b"content-security-policy", self.header))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_policy)
