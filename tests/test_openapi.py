"""The OpenAPI description is whole: it validates as OpenAPI 3.1, names every route the app serves, and
every status it documents is one the route gives: each error status is provoked on the real server and
answered with a code the description lists for it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from openapi_spec_validator import OpenAPIV31SpecValidator

from commit_kg.service import openapi
from commit_kg.service.app import create_app
from commit_kg.service.openapi import status_table

# Requests that provoke each documented error status of each operation, on the repository's graph.
# (500, 502 and 503 need a broken worker, an allow-listed endpoint or an exhausted pool: the query-pool
# and sandbox tests provoke them; here they must come from the status table of /sparql's own errors.)
SERVER_SIDE = {500, 502, 503, 504}
DEEP = "ASK { " + "{ " * 300 + "}" * 300 + " }"
PROBES: dict[tuple[str, str], dict[int, dict[str, Any]]] = {
    ("GET", "/"): {400: {"url": "/?as_of=2010-13-45"}},
    ("HEAD", "/"): {400: {"url": "/?as_of=yesterday"}},
    ("GET", "/report"): {400: {"url": "/report?as_of=not-a-date"}},
    ("GET", "/report.xlsx"): {400: {"url": "/report.xlsx?as_of=2010-02-30"}},
    ("GET", "/coverage/{kind}/{a}/{b}"): {400: {"url": "/coverage/mla/THA/THA?lang=fr"},
                                          404: {"url": "/coverage/mla/THA/FRA"}},
    ("GET", "/search"): {400: {"url": "/search?q=" + "x" * 201}},
    ("GET", "/lineage"): {400: {"url": "/lineage?lang=xx"}},
    ("GET", "/query"): {400: {"url": "/query?query=SELEC"}, 404: {"url": "/query?example=no-such-query"}, 413: None,
                        422: None},
    ("GET", "/web/static/{name}"): {404: {"url": "/web/static/nothing-here.css"}},
    ("GET", "/sparql"): {400: {"url": "/sparql?query=SELEC"}, 406: {"url": "/sparql?query=ASK{}&format=text/x-nope"},
                         413: None, 422: None},
    ("POST", "/sparql"): {400: {"url": "/sparql", "content": DEEP, "headers": {"content-type": "application/sparql-query"}},
                          406: {"url": "/sparql?format=csv", "content": "CONSTRUCT WHERE { ?s ?p ?o }",
                                "headers": {"content-type": "application/sparql-query"}},
                          413: {"url": "/sparql", "content": "#" * 2_000_000,
                                "headers": {"content-type": "application/sparql-query"}},
                          415: {"url": "/sparql", "content": "ASK {}", "headers": {"content-type": "text/plain"}},
                          422: None},
    ("GET", "/api/queries"): {400: {"url": "/api/queries?page=2"}},
    ("GET", "/api/queries/{name}"): {400: {"url": "/api/queries/country-instruments?nope=1"},
                                     404: {"url": "/api/queries/no-such-query"},
                                     406: {"url": "/api/queries/plan-ppcs", "headers": {"accept": "image/png"}}},
    ("GET", "/api/coverage"): {400: {"url": "/api/coverage?kind=tea"},
                               406: {"url": "/api/coverage?kind=mla", "headers": {"accept": "image/png"}}},
    ("GET", "/api/criteria"): {400: {"url": "/api/criteria?as_of=1999-99-99"},
                               406: {"url": "/api/criteria", "headers": {"accept": "text/turtle"}}},
    ("GET", "/api/countries/{iso3}"): {400: {"url": "/api/countries/tha"}, 404: {"url": "/api/countries/FRA"}},
    ("GET", "/api/lineage/{plan}/{ppc}"): {400: {"url": "/api/lineage/SPA/1"}, 404: {"url": "/api/lineage/spa2/999"}},
    ("GET", "/api/validation"): {400: {"url": "/api/validation?severity=fatal"},
                                 406: {"url": "/api/validation", "headers": {"accept": "text/csv"}}},
    ("GET", "/.well-known/void"): {406: {"url": "/.well-known/void", "headers": {"accept": "text/csv"}}},
    ("HEAD", "/.well-known/void"): {406: {"url": "/.well-known/void?format=csv"}},
    ("GET", "/dumps/"): {406: {"url": "/dumps/", "headers": {"accept": "text/turtle"}}},
    ("GET", "/dumps/{name}"): {404: {"url": "/dumps/secret.txt"}},
    ("HEAD", "/dumps/{name}"): {404: {"url": "/dumps/nothing.ttl"}},
    ("GET", "/id/{path}"): {404: {"url": "/id/country/FRA"}, 406: {"url": "/id/country/THA?format=csv"}},
    ("HEAD", "/id/{path}"): {404: {"url": "/id/nothing"}, 406: {"url": "/id/country/THA", "headers": {"accept": "image/png"}}},
    ("GET", "/ontology"): {406: {"url": "/ontology?format=csv"}, 404: None},
    ("HEAD", "/ontology"): {406: {"url": "/ontology", "headers": {"accept": "image/png"}}, 404: None},
}
# No probe (None): a GET query over the length cap (100,000 characters) does not fit in the URL the
# HTTP server reads (about 64 KiB), so its 413 is seen with a lower cap or by POST; 422 needs an answer over the result cap (a server with a tiny cap, in
# test_query_limits.py); /ontology's 404 a graph without the ontology.


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return create_app().openapi()


def test_the_description_is_valid_openapi_3_1(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.1")
    OpenAPIV31SpecValidator(schema).validate()


def test_every_route_of_the_app_is_described(schema: dict[str, Any]) -> None:
    app = create_app()
    served = set()
    for route in iter_route_contexts(app.routes):
        if route.methods is None:
            continue  # a mount of static files (the documentation's assets)
        path = route.path_format.replace("{name:path}", "{name}").replace("{path:path}", "{path}")
        assert path in openapi.ROUTES, f"{path} is missing from openapi.ROUTES"
        served |= {(method.lower(), path) for method in route.methods}
    documented = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    assert served == documented
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    for method, path in documented:
        answers = schema["paths"][path][method]["responses"]
        assert "200" in answers and "422" not in answers or path in ("/sparql", "/query"), (method, path)
        if method != "head":
            assert answers["200"]["content"], (method, path)


def test_sparql_is_described_with_its_parameters_bodies_and_media(schema: dict[str, Any]) -> None:
    get, post = schema["paths"]["/sparql"]["get"], schema["paths"]["/sparql"]["post"]
    assert {p["name"] for p in get["parameters"]} == {"query", "default-graph-uri", "named-graph-uri", "format"}
    assert set(post["requestBody"]["content"]) == {"application/sparql-query", "application/x-www-form-urlencoded"}
    media = set(get["responses"]["200"]["content"])
    assert {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
            "text/tab-separated-values", "text/turtle", "application/rdf+xml", "text/html"} <= media
    assert {"415", "413", "406", "400", "503"} <= set(post["responses"])
    assert "415" not in get["responses"]


def test_every_error_code_is_in_the_error_schema(schema: dict[str, Any]) -> None:
    codes = set(schema["components"]["schemas"]["Error"]["properties"]["error"]["enum"])
    assert {kind.code for kind in status_table()} <= codes
    assert "error" not in codes  # the base class's placeholder is no answer


def documented_codes(answer: dict[str, Any]) -> set[str]:
    schema = answer["content"]["application/json"]["schema"]
    return set(schema["allOf"][1]["properties"]["error"]["enum"])


def test_every_documented_error_status_is_given_by_its_route(schema: dict[str, Any], server: str) -> None:
    """Each documented 4xx is provoked; the answer has that status and one of the codes listed for it.
    5xx are documented only where the route runs a query (its errors are the query pool's)."""
    with httpx.Client(base_url=server, timeout=60) as client:
        for path, ops in schema["paths"].items():
            for method, op in ops.items():
                errors = {int(s) for s in op["responses"] if int(s) >= 400}
                probes = PROBES.get((method.upper(), path)) or (PROBES.get(("GET", path), {}) if method == "head" else {})
                assert 421 in errors, (method, path)  # every route: a Host not allowed (test_public_host_http)
                assert errors - SERVER_SIDE - {421} == set(probes), (method, path, errors)
                assert not errors & SERVER_SIDE or path in ("/sparql", "/query"), (method, path)
                for status, request in probes.items():
                    if request is None:
                        continue
                    request = dict(request)
                    answer = client.request(method.upper(), request.pop("url"), **request)
                    assert answer.status_code == status, (method, path, status, answer.text[:200])
                    if method == "head":
                        continue
                    documented = op["responses"][str(status)]["content"]
                    media = answer.headers["content-type"].split(";")[0]
                    assert media in documented, (method, path, status, media)
                    if media == "application/json":
                        assert answer.json()["error"] in documented_codes(op["responses"][str(status)])
