"""One error table, whole: every error class and every code a handler or the HTTP protocol can send is in
commit_kg/service/error_table.py and in README "Errors", with the status answers carry; messages quote
input only as a short escaped excerpt and never name an exception class; GET input is strict UTF-8 on
every route; bad IRIs in parameters are a 400 naming the parameter."""

from __future__ import annotations

import builtins
import re
import socket
from urllib.parse import urlsplit

import httpx
import pytest

import commit_kg.errors as errors_module
import commit_kg.service.app
import commit_kg.web.query  # noqa: F401 - every module that defines an error class is imported
from commit_kg.errors import CommitKgError, excerpt
from commit_kg.service.error_table import ERRORS, HTTP_STATUS_CODES
from commit_kg.settings import PROJECT_ROOT

EXCEPTION_NAMES = {name for name, value in vars(builtins).items()
                   if isinstance(value, type) and issubclass(value, BaseException)} | {
    name for name, value in vars(errors_module).items() if isinstance(value, type) and issubclass(value, BaseException)}
LONG = 5000


def subclasses(cls: type) -> set[type]:
    return {sub for direct in cls.__subclasses__() for sub in {direct, *subclasses(direct)}}


def test_every_error_class_has_a_code_of_the_table():
    missing = {cls.__name__: code for cls in subclasses(CommitKgError)
               for code in (getattr(cls, "codes", None) or (cls.code,)) if code not in ERRORS}
    assert not missing


def test_the_base_class_has_no_code_and_cannot_be_raised():
    assert "code" not in vars(CommitKgError)
    with pytest.raises(TypeError):
        CommitKgError("anything")


def test_routing_and_protocol_codes_are_in_the_table_with_their_status():
    assert {status: ERRORS[code][0] for status, code in HTTP_STATUS_CODES.items()} == {
        status: status for status in HTTP_STATUS_CODES}


def test_readme_lists_every_code_with_its_status():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Errors"):]
    section = section[: section.index("\n## ")]
    listed = dict(re.findall(r"^\| `(\w+)` \| (\d{3}) \|", section, re.MULTILINE))
    assert listed == {code: str(status) for code, (status, _) in ERRORS.items()}


def test_an_excerpt_is_short_escaped_and_says_how_long_the_input_was():
    quoted = excerpt("a\x00\n'\"" + "x" * 100_000)
    assert len(quoted) < 160 and "100,005 characters" in quoted
    assert "\x00" not in quoted and "\n" not in quoted
    assert excerpt("ไทย") == "'ไทย'"


def check(answer: httpx.Response, status: int, code: str) -> dict:
    """A JSON error of the table, with its status, a short message and no exception class name."""
    assert answer.status_code == status, answer.text[:300]
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert body["error"] == code and ERRORS[code][0] == status
    assert len(body["message"]) < 400, body["message"]
    assert not set(re.findall(r"\w+", body["message"])) & EXCEPTION_NAMES, body["message"]
    return body


def test_long_input_is_never_echoed_whole(server):
    long = "z" * LONG
    cases = [
        (httpx.get(f"{server}/id/{long}"), 404, "not_found"),
        (httpx.get(f"{server}/api/queries/{long}"), 404, "unknown_query"),
        (httpx.get(f"{server}/dumps/{long}"), 404, "not_found"),
        (httpx.get(f"{server}/sparql", params={"query": "ASK {}", "format": long}), 406, "not_acceptable"),
        (httpx.get(f"{server}/sparql", params={"query": "ASK {}"}, headers={"Accept": "x/" + long}), 406,
         "not_acceptable"),
        (httpx.post(f"{server}/sparql", content=b"ASK {}", headers={"Content-Type": "a/" + long}), 415,
         "unsupported_media_type"),
        (httpx.get(f"{server}/api/criteria", params={long: "1"}), 400, "invalid_parameter"),
        (httpx.get(f"{server}/api/coverage", params={"kind": long}), 400, "invalid_parameter"),
        (httpx.get(f"{server}/", params={"as_of": long}), 400, "invalid_parameter"),
        (httpx.get(f"{server}/api/queries/country-instruments", params={"country": long}), 400, "invalid_parameter"),
        (httpx.get(f"{server}/sparql", params={"query": "ASK {}", "default-graph-uri": "x" + long}), 400,
         "invalid_parameter"),
    ]
    for answer, status, code in cases:
        assert long[:200] not in check(answer, status, code)["message"]


@pytest.mark.parametrize("value", ["country%zzTHA", "http://[::1", "a\x00b", "a b", "<x>", "http://example.org/%"])
def test_an_invalid_iri_in_a_named_query_is_a_400_naming_the_parameter(server, value):
    body = check(httpx.get(f"{server}/api/queries/country-instruments", params={"country": value}), 400,
                 "invalid_parameter")
    assert "'country'" in body["message"]


@pytest.mark.parametrize("name", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("value", ["http://[::1", "country%zz", "relative", "a\x00b"])
def test_an_invalid_dataset_iri_is_a_400_naming_the_parameter(server, name, value):
    body = check(httpx.get(f"{server}/sparql", params={"query": "ASK {}", name: value}), 400, "invalid_parameter")
    assert name in body["message"]


def get_routes(server: str) -> list[str]:
    """A GET URL for every path of the OpenAPI description, path parameters filled in."""
    paths = httpx.get(f"{server}/openapi.json").json()["paths"]
    fill = {"name": "country-instruments", "iso3": "THA", "plan": "spa2", "ppc": "1", "kind": "mla", "a": "THA",
            "b": "LAO", "path": "country/THA"}
    return [re.sub(r"\{(\w+)(?::path)?\}", lambda m: fill.get(m[1], "x"), path)
            for path, item in paths.items() if "get" in item] + ["/id/country/THA", "/sparql"]


def test_percent_encoded_bytes_that_are_not_utf8_are_a_400_on_every_route(server):
    routes = get_routes(server)
    assert len(routes) > 10
    for path in routes:
        body = check(httpx.get(f"{server}{path}?query=ASK%7B%7D%ff"), 400, "invalid_parameter")
        assert "'query'" in body["message"]
    check(httpx.get(f"{server}/id/country/TH%ff"), 400, "malformed_request")
    check(httpx.get(f"{server}/sparql?%ff=1"), 400, "invalid_parameter")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    check(httpx.post(f"{server}/sparql", content=b"query=ASK%7B%7D%ff", headers=form), 400, "invalid_parameter")


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_an_empty_query_is_a_syntax_error_not_an_update(server, text):
    for answer in (httpx.get(f"{server}/sparql", params={"query": text}),
                   httpx.post(f"{server}/sparql", content=text.encode(),
                              headers={"Content-Type": "application/sparql-query"})):
        assert "empty" in check(answer, 400, "query_syntax_error")["message"]


def raw_request(server: str, head: bytes) -> tuple[int, dict]:
    """Send a raw request head; the status and JSON body of the answer (the server closes after it)."""
    parts = urlsplit(server)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(head)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head_part, _, body = received.partition(b"\r\n\r\n")
    return int(head_part.split()[1]), httpx.Response(200, content=body).json()


LONG_TARGET = b"/sparql?query=" + b"a" * 20_000
MANY_HEADERS = b"".join(b"X-Header-%d: 1\r\n" % n for n in range(2000))
HEADS = {  # name: (bytes sent, status, code); the unfinished ones are refused by the protocol itself
    "long request line, whole": (b"GET " + LONG_TARGET + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                                 414, "uri_too_long"),
    "long request line, unfinished": (b"GET " + LONG_TARGET, 414, "uri_too_long"),
    "large Accept, whole": (b"GET /sparql HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccept: "
                            + b"a/b," * 5000 + b"\r\n\r\n", 431, "headers_too_large"),
    "many headers, unfinished": (b"GET /sparql HTTP/1.1\r\nHost: x\r\n" + MANY_HEADERS, 431, "headers_too_large"),
    "space in the path": (b"GET /sp arql HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed_request"),
    "no request line": (b"BLAH\r\n\r\n", 400, "malformed_request"),
}


@pytest.mark.parametrize("name", HEADS)
def test_oversized_or_malformed_heads_are_refused_in_json(server, name):
    head, status, code = HEADS[name]
    got, body = raw_request(server, head)
    assert (got, body["error"]) == (status, code)
    assert ERRORS[code][0] == status
