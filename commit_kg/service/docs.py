"""The API documentation at /docs (Swagger UI) and /redoc (ReDoc), served with no network: their scripts
and styles come from the package (Swagger UI from the `swagger-ui-bundle` wheel, ReDoc's standalone
bundle vendored under static/redoc/ with its licence), never from a CDN. Swagger UI's one inline
start-up script runs under a per-response nonce, so the policy still allows no inline script."""

from __future__ import annotations

import secrets
from pathlib import Path

import swagger_ui_bundle
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from .security import policy

router = APIRouter(include_in_schema=False)

ASSETS = "/docs-assets"
SWAGGER_UI = Path(swagger_ui_bundle.swagger_ui_path)
REDOC = Path(__file__).parent / "static" / "redoc"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def mount_assets(app: FastAPI) -> None:
    """The documentation's static files, under one prefix of the app's own origin."""
    app.mount(f"{ASSETS}/swagger-ui", StaticFiles(directory=SWAGGER_UI), name="swagger-ui")
    app.mount(f"{ASSETS}/redoc", StaticFiles(directory=REDOC), name="redoc")


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    page = get_swagger_ui_html(
        openapi_url=request.app.openapi_url, title=f"{request.app.title} — API documentation",
        swagger_js_url=f"{ASSETS}/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/swagger-ui/favicon-32x32.png",
        oauth2_redirect_url=OAUTH2_REDIRECT,
        # No badge from the public validator service: the page calls nothing outside the app.
        swagger_ui_parameters={"validatorUrl": None},
    ).body.decode()
    # The start-up script is the page's only inline one: it alone gets the nonce.
    page = page.replace("<script>", f'<script nonce="{nonce}">')
    return HTMLResponse(page, headers={"Content-Security-Policy": policy(script_nonce=nonce, inline_styles=True)})


@router.get(OAUTH2_REDIRECT)
async def swagger_ui_redirect() -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    page = get_swagger_ui_oauth2_redirect_html().body.decode().replace("<script>", f'<script nonce="{nonce}">')
    return HTMLResponse(page, headers={"Content-Security-Policy": policy(script_nonce=nonce)})


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    page = get_redoc_html(
        openapi_url=request.app.openapi_url, title=f"{request.app.title} — API reference",
        redoc_js_url=f"{ASSETS}/redoc/redoc.standalone.js",
        redoc_favicon_url=f"{ASSETS}/swagger-ui/favicon-32x32.png", with_google_fonts=False,
    )
    return HTMLResponse(page.body, headers={"Content-Security-Policy": policy(inline_styles=True, blob_workers=True)})
