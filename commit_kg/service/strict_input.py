"""A request's head read strictly, before any route sees it: its size (a request line or headers past
COMMIT_KG_REQUEST_HEAD_MAX_BYTES are 414/431), and its percent-encoded bytes (a path or a query-string
name or value that is not UTF-8 is a 400). uvicorn, starlette and `parse_qs` would replace such bytes
with U+FFFD and answer as if the client had sent that (a GET query run with a character it never wrote),
while the same bytes in a POST body are refused. h11 limits only a head that arrives in several reads
(commit_kg/service/protocol.py answers that case); one that arrives whole is measured here. And the
length of a URL-encoded query, bounded before the body is decoded (`check_form_length`)."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import (
    CommitKgError,
    HeadersTooLargeError,
    MalformedRequestError,
    ParameterError,
    QueryTooLongError,
    UriTooLongError,
    excerpt,
)
from ..settings import Settings
from . import error_table


def oversized(head: bytes, limit: int) -> CommitKgError:
    """The refusal of a request head (or its unfinished start) past `limit` bytes."""
    if b"\n" not in head:
        return UriTooLongError(f"the request line is longer than the {limit:,} bytes this server reads")
    return HeadersTooLargeError(f"the request line and headers are larger than the {limit:,} bytes this server reads")


def head_size(scope: Scope) -> tuple[int, int]:
    """The bytes of the request target, and of the whole head as sent (request line and header lines)."""
    target = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"") + 1
    line = len(scope["method"]) + target + len(" HTTP/1.1\r\n")
    return line, line + sum(len(name) + len(value) + 4 for name, value in scope["headers"])


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


def refusal(scope: Scope, head_max_bytes: int) -> CommitKgError | None:
    line, head = head_size(scope)
    if line > head_max_bytes:
        return oversized(b"", head_max_bytes)
    if head > head_max_bytes:
        return oversized(b"\n", head_max_bytes)
    return undecodable(scope)


# Each byte of a URL-encoded value as a class: '%', 'H' a hex digit that starts an escaped byte >= 0x80,
# 'X' a raw byte >= 0x80, '.' anything else.
BYTE_CLASSES = bytes(ord("%") if b == 0x25 else ord("X") if b >= 0x80 else ord("H") if chr(b) in "89ABCDEFabcdef"
                     else ord(".") for b in range(256))


def least_length(encoded: bytes) -> int:
    """At least how many characters a URL-encoded value decodes to, counted without decoding it: each
    `%XX` is one byte; a byte < 0x80 is one character, and four bytes >= 0x80 at most one (a malformed
    escape only lowers the count). In C throughout: ~5 ms for 1 MB, where decoding takes 0.5 s."""
    classes = encoded.translate(BYTE_CLASSES)
    decoded = len(encoded) - 2 * classes.count(b"%")
    high = classes.count(b"X") + (len(classes) - len(classes.replace(b"%H", b""))) // 2
    return decoded - high + (high + 3) // 4


def check_form_length(body: bytes, settings: Settings) -> None:
    """The query-length cap on a URL-encoded body, before it is decoded: a `query` field that must decode
    to more characters than the cap is refused at once."""
    for field in body.split(b"&"):
        name, _, value = field.partition(b"=")
        if name == b"query" and least_length(value) > settings.query_max_length:
            raise QueryTooLongError(f"the query is at least {least_length(value):,} characters long; this "
                                    f"endpoint takes at most {settings.query_max_length:,}")


class StrictInput:
    """Pure ASGI middleware: refuses what `refusal` finds, passes everything else on untouched."""

    def __init__(self, app: ASGIApp, head_max_bytes: int) -> None:
        self.app, self.head_max_bytes = app, head_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refused = refusal(scope, self.head_max_bytes) if scope["type"] == "http" else None
        if refused is not None:
            await error_table.response(refused)(scope, receive, send)
            return
        await self.app(scope, receive, send)
