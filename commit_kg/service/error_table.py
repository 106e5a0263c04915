"""The one error table of the service: every `error` code an answer can carry, its HTTP status and what
it means. The app's handlers (app.py), the query page (web/query.py), the HTTP protocol's own refusals
(serve.py) and the OpenAPI description read it; README "Errors" is the same table in words, and
tests/test_error_table.py checks that every error class and every code the handlers can send is here.

`ERRORS` is a plain dict, code -> (status, meaning), for anyone who documents it."""

from __future__ import annotations

import logging

from fastapi.responses import JSONResponse

from .. import errors as e
from ..errors import CommitKgError

log = logging.getLogger(__name__)

# code: (HTTP status, meaning). Ordered by status, then code.
ERRORS: dict[str, tuple[int, str]] = {
    e.QuerySyntaxError.code: (400, "the SPARQL text does not parse; the message gives the parser's line:column"),
    e.ParameterError.code: (400, ("a parameter that is missing, unknown, repeated, conflicting or not of its "
                                  "type (an IRI that is no IRI, a date that is no date, bytes that are not "
                                  "UTF-8), named in the message")),
    e.UnsupportedOperationError.code: (400, "SPARQL Update: the endpoint is read-only"),
    e.FederationRefusedError.code: (400, ("SERVICE to anything not on the allow-list (a variable or an undeclared "
                                         "prefix included), named with its line:column; also when a query "
                                         "worker's network filter stops a connection the parser let through")),
    e.QueryTooDeepError.code: (400, "groups, parentheses or brackets nested deeper than COMMIT_KG_QUERY_MAX_DEPTH"),
    e.MalformedRequestError.code: (400, ("a request the HTTP layer cannot read: malformed syntax, or a path "
                                         "that is not UTF-8 once percent-decoded")),
    e.AdminTokenRequiredError.code: (401, ("an admin request (POST /admin/reload) without a bearer token; "
                                          "WWW-Authenticate: Bearer")),
    e.AdminTokenInvalidError.code: (403, "an admin request whose bearer token is not COMMIT_KG_ADMIN_TOKEN"),
    e.NotFoundError.code: (404, "no such path, resource, dump or static file"),
    e.UnknownQueryError.code: (404, "no named query of that name; the message lists the known ones"),
    "method_not_allowed": (405, "the path does not take this method; the Allow header lists those it takes"),
    e.NotAcceptableError.code: (406, "no representation the client accepts (Accept or `format`) is offered here"),
    e.NotRepresentableError.code: (406, ("the requested format cannot carry this answer (XML 1.0 cannot hold "
                                         "a control character; RDF/XML cannot write a predicate IRI that does "
                                         "not end in an XML name): ask for another format")),
    e.ReloadInProgressError.code: (409, "a reload asked for while another runs (in any HTTP process)"),
    e.PayloadTooLargeError.code: (413, ("a request body over COMMIT_KG_REQUEST_MAX_BYTES, refused from its "
                                       "Content-Length before it is read, or as soon as the bytes read pass it")),
    e.QueryTooLongError.code: (413, "a query text over COMMIT_KG_QUERY_MAX_LENGTH characters, by GET or POST"),
    e.UriTooLongError.code: (414, "a request line longer than COMMIT_KG_REQUEST_HEAD_MAX_BYTES"),
    e.UnsupportedMediaTypeError.code: (415, "a request body of a type the endpoint does not read"),
    e.MisdirectedRequestError.code: (421, ("a Host that is not in COMMIT_KG_ALLOWED_HOSTS: this server does not "
                                          "answer for it (links never come from the Host header)")),
    e.ResultTooLargeError.code: (422, "an answer over COMMIT_KG_QUERY_RESULT_MAX_BYTES: add a LIMIT"),
    e.ParseError.code: (422, ("a file of the graph does not parse (file:line:column): at start-up the service "
                             "does not start; on a reload the running graph is kept")),
    e.IntegrityError.code: (422, ("the graph's files violate an integrity shape (each violation listed): at "
                                 "start-up the service does not start; on a reload the running graph is kept")),
    e.ShapesError.code: (422, ("a SHACL shapes file a validator cannot use: at start-up the service does not "
                              "start; on a reload the running graph is kept")),
    e.HeadersTooLargeError.code: (431, "request headers (with the request line) over COMMIT_KG_REQUEST_HEAD_MAX_BYTES"),
    e.QueryFailedError.code: (500, "a query worker failed in a way no request should cause: a bug; it is replaced"),
    e.QueryFileError.code: (500, "a named-query file of the installation is malformed or missing: a bug"),
    "internal_error": (500, "anything unforeseen: a bug; nothing of it is shown (the log has it)"),
    e.FederationFailedError.code: (502, ("only with an allow-list: the listed SERVICE endpoint could not be "
                                         "reached, answered an error, or answered more rows or bytes than "
                                         "COMMIT_KG_FEDERATION_MAX_ROWS / _MAX_BYTES")),
    e.QueryTimeoutError.code: (503, ("the query ran past COMMIT_KG_QUERY_TIMEOUT seconds (from its arrival) "
                                     "and was stopped")),
    e.QueryQueueFullError.code: (503, ("too many queries are waiting; Retry-After gives the seconds until the "
                                      "first running long query must end")),
    e.QueryMemoryLimitError.code: (503, "the query needed more memory than a worker may use; the worker is replaced"),
    e.ReloadFailedError.code: (503, ("a reload whose validated build could not be handed over (the build cache "
                                    "is not writable, or the files changed meanwhile); nothing was swapped")),
    e.FederationTimeoutError.code: (504, ("only with an allow-list: the listed SERVICE endpoint did not answer "
                                          "within COMMIT_KG_FEDERATION_TIMEOUT seconds")),
}

# Routing and protocol refusals (starlette's HTTPException) by status; any other status is a bug.
HTTP_STATUS_CODES = {400: e.MalformedRequestError.code, 404: "not_found", 405: "method_not_allowed",
                     413: e.PayloadTooLargeError.code, 414: e.UriTooLongError.code,
                     415: e.UnsupportedMediaTypeError.code, 431: e.HeadersTooLargeError.code}
INTERNAL = "internal_error"


def status_of(code: str) -> int:
    """The HTTP status of a code of the table; a code that is not in it is answered as a bug (500)."""
    return ERRORS.get(code, ERRORS[INTERNAL])[0]


def codes_for(status: int) -> list[str]:
    """Every code answered with `status` (for the OpenAPI description of a route's error responses)."""
    return [code for code, (given, _) in ERRORS.items() if given == status]


def response(error: CommitKgError) -> JSONResponse:
    """The answer to a domain error: its code and message as JSON, with the table's status (a class
    left out of the table is answered as a bug, never with an undocumented code)."""
    if error.code not in ERRORS:
        log.error("error code %r is not in the error table: %s", error.code, error.message)
        return internal_error()
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, e.QueryQueueFullError) else None
    return JSONResponse({"error": error.code, "message": error.message}, status_code=status_of(error.code),
                        headers=headers)


def internal_error() -> JSONResponse:
    """Anything unforeseen: a 500 that says so and leaks nothing (the log has the details)."""
    return JSONResponse({"error": INTERNAL, "message": "the server failed to answer this request"},
                        status_code=500)
