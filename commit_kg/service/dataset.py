"""The dataset described and downloadable: VoID + DCAT at /.well-known/void, dumps at /dumps/. The files
and descriptions are made by commit_kg.publish, once per build version (kept in the app state)."""

from __future__ import annotations

import html

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from ..errors import NotFoundError, excerpt
from ..publish.dumps import DatasetFiles
from ..publish.void import TITLE, VOID_TYPES, render_void
from .conditional import not_modified
from .deps import BaseDep, DatasetDep
from .negotiation import negotiate, requested_format

router = APIRouter(tags=["dataset"])

INDEX_TYPES = ["application/json", "text/html"]
# --- HTTP ------------------------------------------------------------------------------------------

def conditional(request: Request, body: bytes, tag: str, content_type: str, headers: dict[str, str]) -> Response:
    """The file with ETag = its SHA-256, or 304 when a GET or HEAD already has it (conditional.py)."""
    headers = {"ETag": f'"{tag}"', **headers}
    return not_modified(request, headers["ETag"], headers) or Response(body, media_type=content_type, headers=headers)


@router.api_route("/.well-known/void", methods=["GET", "HEAD"])
def void(request: Request, data: DatasetDep, base: BaseDep, format: str | None = None) -> Response:
    """VoID + DCAT description of the dataset (Turtle, JSON-LD, N-Triples or RDF/XML by Accept)."""
    media = requested_format(format, request.headers.get("accept"), VOID_TYPES)
    body, tag = render_void(data, base, media)
    content_type = media if media == "application/ld+json" else f"{media}; charset=utf-8"
    return conditional(request, body, tag, content_type, {"Vary": "Accept"})


def index_entries(data: DatasetFiles, base: str) -> list[dict]:
    return [{"name": f.name, "url": f"{base}/dumps/{f.name}", "title": f.title, "mediaType": f.media_type,
             "size": f.size, "sha256": f.sha256} for f in data.files.values()]


@router.get("/dumps/")
def dumps_index(request: Request, data: DatasetDep, base: BaseDep) -> Response:
    """The dump files with size, media type and SHA-256 (JSON; HTML for a browser)."""
    media = negotiate(request.headers.get("accept"), INDEX_TYPES)
    entries = index_entries(data, base)
    headers = {"Vary": "Accept"}
    if media == "text/html":
        rows = "\n".join(
            f'<tr><td><a href="{html.escape(e["name"])}">{html.escape(e["name"])}</a></td>'
            f'<td>{html.escape(e["title"])}</td><td>{html.escape(e["mediaType"])}</td>'
            f'<td>{e["size"]:,}</td><td><code>{e["sha256"]}</code></td></tr>'
            for e in entries)
        page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(TITLE)}: dumps</title></head>
<body><h1>{html.escape(TITLE)}: dumps</h1>
<p>Build version <code>{html.escape(data.version)}</code>, input files last modified
{data.modified.strftime("%Y-%m-%d %H:%M:%SZ")}.
Licence: <a href="{html.escape(data.license)}">{html.escape(data.license)}</a>.
Dataset description: <a href="{html.escape(base)}/.well-known/void">VoID</a>; checksums:
<a href="SHA256SUMS">SHA256SUMS</a> (<code>sha256sum -c SHA256SUMS</code>).</p>
<table><thead><tr><th>file</th><th>content</th><th>media type</th><th>bytes</th><th>SHA-256</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
"""
        return HTMLResponse(page, headers=headers)
    return JSONResponse({"dataset": f"{base}/.well-known/void#dataset", "version": data.version,
                         "modified": data.modified.strftime("%Y-%m-%dT%H:%M:%SZ"), "license": data.license,
                         "checksums": f"{base}/dumps/SHA256SUMS", "files": entries}, headers=headers)


@router.api_route("/dumps/{name}", methods=["GET", "HEAD"])
def dump_file(request: Request, name: str, data: DatasetDep) -> Response:
    """One dump file of the build being served, with ETag = its SHA-256."""
    found = data.files.get(name)
    if found is None:
        raise NotFoundError(f"no dump named {excerpt(name)}; see /dumps/ for the list")
    return conditional(request, found.content, found.sha256, found.content_type,
                       {"Content-Disposition": f'inline; filename="{found.name}"'})
