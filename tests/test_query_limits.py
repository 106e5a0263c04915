"""The limits that protect the machine, through a real server: memory per worker, answer size, body
size, query length, nesting depth, the protocol dataset's IRIs; each a documented code, never a bare
500, and the server keeps answering. And the answer cache cannot confuse a text with a dataset."""

from __future__ import annotations

import httpx
import pytest
from conftest import running_server

LIMITS = {
    "COMMIT_KG_HTTP_WORKERS": "1",
    "COMMIT_KG_QUERY_MEMORY_MB": "300",
    "COMMIT_KG_QUERY_RESULT_MAX_BYTES": "20000",
    "COMMIT_KG_REQUEST_MAX_BYTES": "4000",
    "COMMIT_KG_QUERY_MAX_LENGTH": "3000",
}
DIRECT = {"Content-Type": "application/sparql-query"}
# Sorting the pairs of all triples materialises ~10^8 solutions: far past 300 MiB within a second.
HUNGRY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY DESC(CONCAT(STR(?a), STR(?d), STR(?c), STR(?f)))"


@pytest.fixture(scope="module")
def limited(backend):
    with backend(own=True) as arguments, running_server(*arguments, env=LIMITS) as url:
        yield url


def get(url: str, query: str, **params: str) -> httpx.Response:
    return httpx.get(f"{url}/sparql", params={"query": query, **params}, timeout=60)


def still_serving(url: str) -> None:
    response = get(url, "ASK { ?s ?p ?o }")
    assert response.status_code == 200 and response.json()["boolean"] is True


def error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.json()["error"] == code, response.text
    return response.json()["message"]


@pytest.mark.embedded_only("the memory limit is the query workers' (README: Every limit); a replica has "
                           "no workers, the store runs /sparql's queries within its own limits")
def test_a_query_over_the_memory_limit_is_503_and_the_worker_is_replaced(limited):
    message = error(get(limited, HUNGRY), 503, "query_memory_limit")
    assert "300 MiB" in message
    still_serving(limited)
    error(get(limited, HUNGRY + " # again"), 503, "query_memory_limit")  # the replacement is limited too
    still_serving(limited)


def test_5000_nested_groups_are_400_before_the_engine_sees_them_and_the_server_keeps_answering(server):
    for text in ("SELECT * WHERE " + "{" * 5000 + "}" * 5000,
                 "SELECT * WHERE { FILTER" + "(" * 5000 + "1" + ")" * 5000 + " }",
                 "SELECT * WHERE { ?s ?p " + "[ ?p " * 5000 + "1" + " ]" * 5000 + " }"):
        response = httpx.post(f"{server}/sparql", content=text.encode(), headers=DIRECT, timeout=60)
        assert "256" in error(response, 400, "query_too_deep")
        still_serving(server)
    nested_but_fine = "SELECT * WHERE " + "{" * 200 + "}" * 200
    assert httpx.post(f"{server}/sparql", content=nested_but_fine.encode(), headers=DIRECT).status_code == 200


@pytest.mark.parametrize("name", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("value", ["not an iri", "relative/path", "http://example.org/a b"])
def test_a_dataset_graph_that_is_not_an_absolute_iri_is_400_naming_it(limited, name, value):
    message = error(get(limited, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", **{name: value}), 400, "invalid_parameter")
    assert name in message and value in message


def test_an_answer_over_the_result_cap_is_422_and_a_limit_fits(limited):
    assert "LIMIT" in error(get(limited, "SELECT * WHERE { ?s ?p ?o }"), 422, "result_too_large")
    assert get(limited, "SELECT * WHERE { ?s ?p ?o } LIMIT 5").status_code == 200


def test_a_body_over_the_cap_is_413_whether_or_not_it_declares_its_length(limited):
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #" + "x" * 5000
    declared = httpx.post(f"{limited}/sparql", content=query.encode(), headers=DIRECT, timeout=30)
    assert "4,000" in error(declared, 413, "payload_too_large")

    def chunks():
        for _ in range(50):
            yield b"#" + b"x" * 199 + b"\n"

    streamed = httpx.post(f"{limited}/sparql", content=chunks(), headers=DIRECT, timeout=30)
    assert "content-length" not in streamed.request.headers  # sent chunked: only the count of bytes read stops it
    error(streamed, 413, "payload_too_large")
    form = httpx.post(f"{limited}/sparql", data={"query": query}, timeout=30)
    error(form, 413, "payload_too_large")
    still_serving(limited)


def test_a_query_over_the_length_cap_is_413(limited):
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #" + "x" * 3000
    assert "3,000" in error(get(limited, query), 413, "query_too_long")
    assert get(limited, query[:2990]).status_code == 200


def test_an_update_is_refused_without_running_it(limited):
    for text in ("INSERT DATA { <http://e/s> <http://e/p> 1 }", "PREFIX e: <http://e/> DELETE WHERE { ?s ?p ?o }",
                 "# comment\nLOAD <http://127.0.0.1:1/x>", "CLEAR ALL"):
        error(httpx.post(f"{limited}/sparql", content=text.encode(), headers=DIRECT), 400, "unsupported_operation")


def test_a_query_text_cannot_pass_for_a_dataset_in_the_answer_cache(limited):
    """With the parts joined by NUL, text 'Q #\\0G' and text 'Q #' with default-graph-uri G had one key."""
    graph = "https://w3id.org/commit-kg/graph/none"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } #"
    with_dataset = get(limited, count, **{"default-graph-uri": graph})
    assert with_dataset.json()["results"]["bindings"][0]["n"]["value"] == "0"  # an empty graph
    in_text = get(limited, f"{count}\x00{graph}")
    assert in_text.status_code == 200, in_text.text
    assert int(in_text.json()["results"]["bindings"][0]["n"]["value"]) > 0
    assert in_text.headers["etag"] != with_dataset.headers["etag"]
