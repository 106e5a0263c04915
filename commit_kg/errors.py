"""One error hierarchy: each failure the user can cause has a stable code and says where it happened."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

EXCERPT_CHARS = 60  # the most of a user's input an error message quotes


def excerpt(given: str | bytes, limit: int = EXCERPT_CHARS) -> str:
    """A user's input as an error message may quote it: escaped (a string literal, so control characters
    and quotes cannot break the message or a log line), at most `limit` characters of it, and its full
    length when cut; a 74 KB header or a 100 KB path is never echoed whole."""
    text = given.decode("utf-8", "replace") if isinstance(given, bytes) else given
    shown = repr(text[:limit])
    if len(shown) > 2 * limit:  # mostly escapes: cut the escaped form too
        shown = shown[: 2 * limit] + "…"
    return shown if len(text) <= limit else f"{shown}… ({len(text):,} characters)"


class CommitKgError(Exception):
    """Base of every error the project raises on purpose; never raised itself: each subclass has a
    `code` of the error table (commit_kg/service/error_table.py), stable and safe to show."""

    code: ClassVar[str]

    def __init__(self, message: str) -> None:
        if type(self) is CommitKgError:
            raise TypeError("CommitKgError is abstract: raise the subclass that names the failure")
        super().__init__(message)
        self.message = message


class ParseError(CommitKgError):
    """An RDF file that does not parse, located by file, line and column."""

    code = "parse_error"

    def __init__(self, path: Path, line: int | None, column: int | None, detail: str) -> None:
        where = f"{path}:{line}:{column}" if line is not None else str(path)
        super().__init__(f"{where}: {detail}")
        self.path, self.line, self.column, self.detail = path, line, column, detail


@dataclass(frozen=True)
class Violation:
    """One SHACL result, in the words a data author needs to find and fix it."""

    severity: str
    focus_node: str
    path: str | None
    value: str | None
    message: str
    shape: str
    name: str = ""
    message_th: str = ""

    def __str__(self) -> str:
        parts = [f"[{self.severity}] {self.focus_node}"]
        if self.path:
            parts.append(f"path {self.path}")
        if self.value:
            parts.append(f"value {self.value}")
        parts.append(f"— {self.message} (rule: {self.name or self.shape})")
        return " ".join(parts)


SEVERITIES = ("violation", "warning", "info")


class Findings:
    """What a SHACL run found, summed up from its `results` (shared by a fresh validation and one read
    back from the build cache, which must not import rdflib to say the same)."""

    results: list[Violation]

    @property
    def violations(self) -> list[Violation]:
        return [r for r in self.results if r.severity == "violation"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    @property
    def counts(self) -> dict[str, int]:
        return {name: sum(r.severity == name for r in self.results) for name in SEVERITIES}


class IntegrityError(CommitKgError):
    """The data violates an integrity shape; the build refuses it."""

    code = "integrity_violation"

    def __init__(self, violations: list[Violation]) -> None:
        lines = "\n".join(f"  {v}" for v in violations)
        super().__init__(f"{len(violations)} integrity violation(s):\n{lines}")
        self.violations = violations


class ShapesError(CommitKgError):
    """A SHACL shapes graph that a validator cannot use (malformed shape, bad SPARQL in a constraint)."""

    code = "shapes_error"


class QuerySyntaxError(CommitKgError):
    """A SPARQL query that does not parse; the message carries the parser's position."""

    code = "query_syntax_error"


class UnknownQueryError(CommitKgError):
    """A named query that is not in the catalogue."""

    code = "unknown_query"


class ParameterError(CommitKgError):
    """A named-query parameter that is missing, unknown or not of its declared type."""

    code = "invalid_parameter"


class QueryFileError(CommitKgError):
    """A `.rq` file whose header is malformed."""

    code = "query_file_error"


class UnsupportedOperationError(CommitKgError):
    """A request for something this endpoint does not offer (e.g. SPARQL Update on /sparql)."""

    code = "unsupported_operation"


class UnsupportedMediaTypeError(CommitKgError):
    """A request body of a type the endpoint does not read."""

    code = "unsupported_media_type"


class NotAcceptableError(CommitKgError):
    """No representation the client accepts (HTTP 406)."""

    code = "not_acceptable"


class NotFoundError(CommitKgError):
    """A resource that is not in the graph (HTTP 404)."""

    code = "not_found"


class QueryTimeoutError(CommitKgError):
    """A query that ran past the time limit and was stopped (HTTP 503)."""

    code = "query_timeout"


class FederationRefusedError(CommitKgError):
    """A query that would make the server fetch a URL (SERVICE) not on the allow-list."""

    code = "federation_refused"


class FederationFailedError(CommitKgError):
    """A SERVICE call to an endpoint on the allow-list that failed (HTTP 502)."""

    code = "federation_failed"


class FederationTimeoutError(CommitKgError):
    """A SERVICE call to an endpoint on the allow-list that did not answer in time (HTTP 504)."""

    code = "federation_timeout"


class QueryQueueFullError(CommitKgError):
    """Too many queries waiting for a worker (HTTP 503 with Retry-After: the seconds to wait)."""

    code = "query_queue_full"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class QueryMemoryLimitError(CommitKgError):
    """A query that needed more memory than a worker may use; the worker is replaced (HTTP 503)."""

    code = "query_memory_limit"


class ResultTooLargeError(CommitKgError):
    """An answer larger than the result-size cap (HTTP 422): a LIMIT makes it fit."""

    code = "result_too_large"


class PayloadTooLargeError(CommitKgError):
    """A request body larger than the body cap, refused before it is read (HTTP 413)."""

    code = "payload_too_large"


class QueryTooLongError(CommitKgError):
    """A query text longer than the query-length cap (HTTP 413)."""

    code = "query_too_long"


class QueryTooDeepError(CommitKgError):
    """A query nested deeper than the engine is allowed to see (HTTP 400)."""

    code = "query_too_deep"


class NotRepresentableError(CommitKgError):
    """An answer the requested format cannot carry (HTTP 406), e.g. a control character in a literal,
    which XML 1.0 cannot hold, or a predicate IRI that RDF/XML cannot write as an element name."""

    code = "not_representable"


class MalformedRequestError(CommitKgError):
    """A request the service cannot read at all: a path that is not UTF-8 once percent-decoded (HTTP 400)."""

    code = "malformed_request"


class UriTooLongError(CommitKgError):
    """A request line longer than the request-head cap (HTTP 414)."""

    code = "uri_too_long"


class HeadersTooLargeError(CommitKgError):
    """Request headers that, with the request line, pass the request-head cap (HTTP 431)."""

    code = "headers_too_large"


class QueryFailedError(CommitKgError):
    """A query worker that failed in a way no request should cause: a bug of ours (HTTP 500)."""

    code = "query_failed"


class MisdirectedRequestError(CommitKgError):
    """A request naming a Host the service is not configured to answer for (HTTP 421)."""

    code = "misdirected_request"


class AdminTokenRequiredError(CommitKgError):
    """An admin request without a bearer token (HTTP 401, WWW-Authenticate: Bearer)."""

    code = "admin_token_required"


class AdminTokenInvalidError(CommitKgError):
    """An admin request whose bearer token is not the configured one (HTTP 403)."""

    code = "admin_token_invalid"


class ReloadInProgressError(CommitKgError):
    """A reload asked for while another is running, in this or another HTTP process (HTTP 409)."""

    code = "reload_in_progress"


class ReloadRefusedError(CommitKgError):
    """A reload whose files do not build or do not pass the integrity gate (HTTP 422); the service
    keeps the graph it had. `code` is the build's own (parse_error, integrity_violation, ...) and
    `details` lists each problem (file:line:column, or the SHACL rule and focus node)."""

    # The codes a refused build can carry, each in the error table.
    codes = ("parse_error", "integrity_violation", "shapes_error", "query_file_error")

    def __init__(self, code: str, message: str, details: list[dict]) -> None:
        super().__init__(message)
        self.code = code if code in self.codes else "internal_error"
        self.details = details


class ReloadFailedError(CommitKgError):
    """A reload that could not hand the validated build over (HTTP 503): the build cache is not
    writable, or the files changed while building; nothing was swapped."""

    code = "reload_failed"
