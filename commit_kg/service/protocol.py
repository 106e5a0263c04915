"""What the HTTP layer refuses before the app sees a request, answered in the app's JSON error shape with
the table's codes: a head that passes COMMIT_KG_REQUEST_HEAD_MAX_BYTES before it is complete (414
uri_too_long while still in the request line, else 431 headers_too_large), anything else h11 cannot
parse (400 malformed_request); uvicorn answers all of them with a plain-text 400. h11 applies its limit
only to an unfinished head; a head that arrives whole is measured by the app (strict_input.py)."""

from __future__ import annotations

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from ..errors import MalformedRequestError
from .error_table import response
from .strict_input import oversized

H11_DEFAULT = 16 * 1024  # h11's own limit on an unfinished request head
REASONS = {400: b"Bad Request", 414: b"URI Too Long", 431: b"Request Header Fields Too Large"}


class RefusingH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, answering its refusals with the status that fits and a JSON error."""

    def send_400_response(self, msg: str) -> None:
        limit = self.config.h11_max_incomplete_event_size or H11_DEFAULT
        buffered = self.conn.trailing_data[0]
        error = oversized(buffered, limit) if len(buffered) > limit else MalformedRequestError(
            "the request is not valid HTTP/1.1")
        answer = response(error)
        headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
        for event in (h11.Response(status_code=answer.status_code, headers=headers,
                                   reason=REASONS[answer.status_code]),
                      h11.Data(data=answer.body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))
        self.transport.close()
