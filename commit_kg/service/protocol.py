"""What the HTTP layer refuses before the app sees a request, answered in the app's JSON error shape with
the table's codes: a request line longer than the head limit (414 uri_too_long), a head whose headers
pass it (431 headers_too_large), anything else h11 cannot parse (400 malformed_request). uvicorn answers
all three with a plain-text 400; h11's limit on an unfinished head (16 KiB by default) is set here from
COMMIT_KG_REQUEST_HEAD_MAX_BYTES."""

from __future__ import annotations

import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from ..errors import MalformedRequestError
from .error_table import status_of

H11_DEFAULT = 16 * 1024  # h11's own limit on an unfinished request head
REASONS = {400: b"Bad Request", 414: b"URI Too Long", 431: b"Request Header Fields Too Large"}


def refusal(buffered: bytes, limit: int) -> tuple[str, str]:
    """The code and message for a request h11 refused, from what it had buffered."""
    if len(buffered) > limit:
        if b"\n" not in buffered:
            return "uri_too_long", f"the request line is longer than the {limit:,} bytes this server reads"
        return "headers_too_large", (f"the request line and headers are larger than the {limit:,} bytes this "
                                     "server reads")
    return MalformedRequestError.code, "the request is not valid HTTP/1.1"


class RefusingH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, answering its refusals with the status that fits and a JSON error."""

    def send_400_response(self, msg: str) -> None:
        limit = self.config.h11_max_incomplete_event_size or H11_DEFAULT
        code, message = refusal(self.conn.trailing_data[0], limit)
        status = status_of(code)
        body = json.dumps({"error": code, "message": message}).encode()
        headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
        for event in (h11.Response(status_code=status, headers=headers, reason=REASONS[status]), h11.Data(data=body),
                      h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))
        self.transport.close()
