"""HTTP as RFC 9110 has it, on the real server (issue 11, points 4 and 5): conditional requests, HEAD
wherever GET is, a truthful Allow, Vary on every negotiated answer, and the security headers on every
response, an unhandled 500 included."""

from __future__ import annotations

import httpx
import pytest
from conftest import running_server

from commit_kg.service.conditional import entity_tags, none_match

ASK = {"query": "ASK { ?s ?p ?o }"}
SECURITY = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "x-frame-options": "SAMEORIGIN"}


def vary(answer: httpx.Response) -> set[str]:
    return {part.strip().lower() for part in answer.headers.get("vary", "").split(",") if part.strip()}


# --- If-None-Match ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "tags"), [
    ('"a"', ['"a"']),
    ('W/"a", "b"', ['"a"', '"b"']),
    (' "a" ,, W/"b" ,', ['"a"', '"b"']),
    ("*", ["*"]),
    (' * ', ["*"]),
    ('""', ['""']),
    ('xx"a"xx', None),
    ('"a" "b"', None),
    ('"a", *', None),
    ('"a', None),
    ('"a b"', None),
    ('"a"junk', None),
    ("a", None),
])
def test_if_none_match_is_read_as_a_list_of_entity_tags(field: str, tags: list[str] | None):
    assert entity_tags(field) == tags


def test_weak_comparison_ignores_w_on_either_side():
    assert none_match('W/"x"', '"x"') and none_match('"x"', 'W/"x"') and none_match("*", '"x"')
    assert not none_match('"y"', '"x"') and not none_match('"x', '"x"') and not none_match(None, '"x"')


def test_sparql_answers_304_only_for_a_listed_tag_or_star(server: str):
    first = httpx.get(f"{server}/sparql", params=ASK)
    tag = first.headers["etag"]
    for field in (tag, f'"other", {tag}', f"W/{tag}", f'"a" ,, W/{tag}', "*"):
        again = httpx.get(f"{server}/sparql", params=ASK, headers={"If-None-Match": field})
        assert again.status_code == 304 and again.content == b"", field
        assert again.headers["etag"] == tag and "accept" in vary(again)
    for field in (f"xx{tag}xx", '"other"', f"{tag} junk", f"*, {tag}", tag[:-2] + '"'):
        again = httpx.get(f"{server}/sparql", params=ASK, headers={"If-None-Match": field})
        assert again.status_code == 200 and again.content == first.content, field


def test_a_post_is_answered_whatever_its_if_none_match(server: str):
    tag = httpx.get(f"{server}/sparql", params=ASK).headers["etag"]
    for field in (tag, "*"):
        form = httpx.post(f"{server}/sparql", data=ASK, headers={"If-None-Match": field})
        direct = httpx.post(f"{server}/sparql", content=ASK["query"],
                            headers={"Content-Type": "application/sparql-query", "If-None-Match": field})
        for answer in (form, direct):
            assert answer.status_code == 200 and answer.json()["boolean"] is True


def test_head_is_conditional_as_get_is(server: str):
    tag = httpx.get(f"{server}/sparql", params=ASK).headers["etag"]
    assert httpx.head(f"{server}/sparql", params=ASK, headers={"If-None-Match": tag}).status_code == 304
    assert httpx.head(f"{server}/sparql", params=ASK, headers={"If-None-Match": '"other"'}).status_code == 200


def test_dumps_and_void_use_the_same_rules(server: str):
    for path in ("/dumps/SHA256SUMS", "/.well-known/void"):
        first = httpx.get(f"{server}{path}")
        tag = first.headers["etag"]
        for field, status in ((f"W/{tag}", 304), ("*", 304), (f'"x", {tag}', 304), (f"xx{tag}xx", 200),
                              ('"x"', 200)):
            assert httpx.get(f"{server}{path}", headers={"If-None-Match": field}).status_code == status, (path, field)


# --- HEAD and Allow -------------------------------------------------------------------------------------

HEAD_PATHS = [
    ("/sparql", {"Accept": "text/turtle"}), ("/sparql?query=ASK%20%7B%7D", {}), ("/api/queries", {}),
    ("/api/countries/THA", {}), ("/api/validation", {}), ("/api/criteria?format=csv", {}), ("/dumps/", {}),
    ("/dumps/SHA256SUMS", {}), ("/.well-known/void", {}), ("/", {}), ("/id/country/THA", {"Accept": "text/html"}),
    ("/ontology", {"Accept": "text/turtle"}), ("/docs", {}), ("/query", {}), ("/web/static/site.css", {}),
    ("/no/such/page", {}),
]


@pytest.mark.parametrize(("path", "headers"), HEAD_PATHS)
def test_head_answers_wherever_get_does_with_its_headers_and_no_body(server: str, path: str, headers: dict):
    got = httpx.get(f"{server}{path}", headers=headers)
    head = httpx.head(f"{server}{path}", headers=headers)
    assert head.status_code == got.status_code != 405
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert int(head.headers["content-length"]) == len(got.content)


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("PUT", "/sparql", "GET, HEAD, POST"), ("DELETE", "/sparql", "GET, HEAD, POST"),
    ("DELETE", "/api/queries", "GET, HEAD"), ("POST", "/api/queries/country-instruments", "GET, HEAD"),
    ("POST", "/dumps/", "GET, HEAD"), ("PATCH", "/id/country/THA", "GET, HEAD"), ("POST", "/", "GET, HEAD"),
])
def test_a_405_names_every_method_the_path_serves(server: str, method: str, path: str, allowed: str):
    refused = httpx.request(method, f"{server}{path}")
    assert refused.status_code == 405 and refused.json()["error"] == "method_not_allowed"
    assert refused.headers["allow"] == allowed
    for each in allowed.split(", "):  # and each method named is served
        answer = httpx.request(each, f"{server}{path}", data=ASK if each == "POST" else None)
        assert answer.status_code != 405, each


# --- Vary ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "headers"), [
    ("/api/queries/country-instruments?country=country/THA", {}),
    ("/api/queries/country-instruments?country=country/THA", {"Accept": "text/csv"}),
    ("/api/queries/country-instruments?country=country/THA&format=csv", {}),
    ("/api/validation", {}), ("/api/validation", {"Accept": "text/turtle"}),
    ("/api/coverage?kind=mla", {}), ("/api/coverage?kind=mla", {"Accept": "text/csv"}),
    ("/api/criteria", {}), ("/api/criteria?format=csv", {}),
    ("/sparql?query=ASK%20%7B%7D", {}), ("/sparql", {"Accept": "text/turtle"}), ("/.well-known/void", {}),
    ("/dumps/", {}), ("/id/country/THA", {"Accept": "text/turtle"}), ("/ontology", {}),
])
def test_every_negotiated_answer_varies_on_accept(server: str, path: str, headers: dict):
    answer = httpx.get(f"{server}{path}", headers=headers)
    assert answer.status_code == 200 and "accept" in vary(answer)


@pytest.mark.parametrize("path", ["/id/country/THA", "/", "/query"])
def test_pages_in_the_readers_language_vary_on_it(server: str, path: str):
    answer = httpx.get(f"{server}{path}", headers={"Accept": "text/html", "Accept-Language": "th"})
    assert answer.status_code == 200 and {"accept-language", "cookie"} <= vary(answer)


# --- security headers ---------------------------------------------------------------------------------

def secured(answer: httpx.Response) -> bool:
    """Every security header, with a policy whose frame-ancestors agree with X-Frame-Options."""
    return (all(answer.headers.get(name) == value for name, value in SECURITY.items())
            and "frame-ancestors 'self'" in answer.headers.get("content-security-policy", ""))


@pytest.mark.parametrize(("method", "path", "headers"), [
    ("GET", "/", {}), ("GET", "/sparql", {"Accept": "text/html"}), ("GET", "/sparql", {"Accept": "text/turtle"}),
    ("GET", "/sparql?query=ASK%20%7B%7D", {}), ("GET", "/api/queries", {}), ("GET", "/id/country/THA", {}),
    ("GET", "/id/country/THA", {"Accept": "text/html"}), ("GET", "/dumps/SHA256SUMS", {}), ("GET", "/docs", {}),
    ("GET", "/redoc", {}), ("GET", "/openapi.json", {}), ("GET", "/web/static/site.css", {}),
    ("GET", "/docs-assets/swagger-ui/swagger-ui.css", {}), ("GET", "/no/such/page", {"Accept": "text/html"}),
    ("PUT", "/sparql", {}), ("GET", "/sparql?query=ASK%20%7B%7D", {"Accept": "image/png"}),
    ("GET", "/sparql?query=SELEC", {}), ("HEAD", "/", {}), ("OPTIONS", "/sparql", {}),
])
def test_every_kind_of_answer_carries_the_security_headers(server: str, method: str, path: str, headers: dict):
    assert secured(httpx.request(method, f"{server}{path}", headers=headers))


# A server whose one extra route fails as no route should: the 500 Starlette's ServerErrorMiddleware
# makes, outside every middleware the app adds, must carry the headers too.
FAILING_APP = """
import argparse

import uvicorn

from commit_kg.service.app import create_app
from commit_kg.settings import Settings

options = argparse.ArgumentParser()
options.add_argument("--host")
options.add_argument("--port", type=int)
given = options.parse_args()
app = create_app(Settings(host=given.host, port=given.port))


def induced_failure() -> None:
    raise RuntimeError("induced failure")


app.add_api_route("/induced-failure", induced_failure)
uvicorn.run(app, host=given.host, port=given.port)
"""


def test_an_unhandled_500_carries_the_security_headers_and_no_internals():
    with running_server(program=("-c", FAILING_APP)) as url:
        failed = httpx.get(f"{url}/induced-failure", headers={"Accept": "text/html"})
        assert httpx.get(f"{url}/sparql", params=ASK).status_code == 200  # and the server still answers
    assert failed.status_code == 500 and failed.json()["error"] == "internal_error"
    assert "RuntimeError" not in failed.text and "induced" not in failed.text
    assert secured(failed)
