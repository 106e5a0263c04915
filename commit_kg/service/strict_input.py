"""Percent-encoded input read strictly: a path or a query-string name or value whose bytes are not UTF-8
is refused with 400 before any route sees it. uvicorn, starlette and `parse_qs` would replace such bytes
with U+FFFD and answer as if the client had sent that (a GET query run with a character it never
wrote), while the same bytes in a POST body are refused."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import CommitKgError, MalformedRequestError, ParameterError, excerpt
from . import error_table


def undecodable(scope: Scope) -> CommitKgError | None:
    """The refusal for a request whose path or query string is not UTF-8 once percent-decoded, else None."""
    try:
        unquote_to_bytes(scope.get("raw_path") or scope["path"].encode()).decode("utf-8")
    except UnicodeDecodeError as error:
        return MalformedRequestError(f"the path is not UTF-8 once percent-decoded (its byte {error.start} "
                                     "after decoding)")
    for field in scope.get("query_string", b"").split(b"&"):
        name, _, value = (unquote_to_bytes(part.replace(b"+", b" ")) for part in field.partition(b"="))
        try:
            name.decode("utf-8")
        except UnicodeDecodeError as error:
            return ParameterError(f"a query parameter name ({excerpt(name)}) is not UTF-8 once percent-decoded "
                                  f"(byte {error.start})")
        try:
            value.decode("utf-8")
        except UnicodeDecodeError as error:
            return ParameterError(f"the value of query parameter {excerpt(name.decode())} is not UTF-8 once "
                                  f"percent-decoded (byte {error.start})")
    return None


class StrictUtf8:
    """Pure ASGI middleware: refuses what `undecodable` finds, passes everything else on untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = undecodable(scope) if scope["type"] == "http" else None
        if refusal is not None:
            await error_table.response(refusal)(scope, receive, send)
            return
        await self.app(scope, receive, send)
