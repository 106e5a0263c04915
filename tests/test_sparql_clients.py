"""/sparql with the clients people use: SPARQLWrapper in every result format, rdflib's SPARQLStore,
and plain HTTP for negotiation, errors, time limits and refused federation."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import httpx
import pytest
import rdflib
from conftest import running_server
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper

PPCS = """PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?ppc ?n WHERE { ?ppc dcterms:isPartOf <https://w3id.org/commit-kg/id/plan/spa2> ; skos:notation ?n }
ORDER BY ?n"""


def wrapper(server: str, fmt: str, query: str = PPCS) -> SPARQLWrapper:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


def test_sparqlwrapper_json_xml_csv_tsv_agree(server):
    as_json = [b["n"]["value"] for b in wrapper(server, JSON).query().convert()["results"]["bindings"]]
    assert as_json == [str(n) for n in range(1, 9)]
    xml = wrapper(server, XML).query().convert()
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    as_xml = [b.find("r:binding[@name='n']/r:literal", ns).text for b in
              ET.fromstring(xml.toxml()).iter("{http://www.w3.org/2005/sparql-results#}result")]
    assert as_xml == as_json
    as_csv = [row["n"] for row in csv.DictReader(io.StringIO(wrapper(server, CSV).query().convert().decode()))]
    assert as_csv == as_json
    tsv = wrapper(server, TSV).query().convert().decode().strip().split("\n")
    assert tsv[0].split("\t") == ["?ppc", "?n"] and len(tsv) == 9


def test_sparqlwrapper_construct_into_an_rdflib_graph(server):
    client = wrapper(server, TURTLE, """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c <https://w3id.org/commit-kg/ontology#iso3166Alpha3> ?x ;
        rdfs:label ?l }""")
    client.setMethod("POST")
    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    thailand = rdflib.URIRef("https://w3id.org/commit-kg/id/country/THA")
    assert rdflib.Literal("ไทย", lang="th") in set(graph.objects(thailand, rdflib.RDFS.label))


def test_rdflib_sparqlstore(server):
    graph = rdflib.Graph(store=SPARQLStore(f"{server}/sparql", returnFormat="json"))
    rows = list(graph.query(PPCS))
    assert [str(r.n) for r in rows] == [str(n) for n in range(1, 9)]
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True


@pytest.mark.parametrize(("accept", "expected"), [
    ("text/turtle;q=0.9, application/ld+json", "application/ld+json"),
    ("application/ld+json;q=0.5, text/turtle", "text/turtle"),
    ("application/*;q=0.8, text/turtle;q=0.7", "application/n-triples"),
    ("*/*", "text/turtle"),
    ("text/*", "text/turtle"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/n-quads;q=1, text/turtle;q=0.2", "application/n-quads"),
])
def test_construct_negotiation_with_q_values_and_wildcards(server, accept, expected):
    response = httpx.get(f"{server}/sparql", params={"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 1"},
                         headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(("accept", "expected"), [
    ("application/sparql-results+xml;q=0.9, application/sparql-results+json;q=0.8", "application/sparql-results+xml"),
    ("text/csv;q=0.2, text/tab-separated-values", "text/tab-separated-values"),
    ("application/json;q=0.1, */*;q=0.05", "application/sparql-results+json"),
])
def test_select_negotiation(server, accept, expected):
    response = httpx.get(f"{server}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"},
                         headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == expected


def test_format_parameter_and_406(server):
    response = httpx.get(f"{server}/sparql", params={"query": "ASK {}", "format": "xml"})
    assert response.headers["content-type"].startswith("application/sparql-results+xml")
    refused = httpx.get(f"{server}/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert refused.status_code == 406 and refused.json()["error"] == "not_acceptable"
    refused = httpx.get(f"{server}/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/turtle"})
    assert refused.status_code == 406  # an ASK has no Turtle form


def test_syntax_error_names_its_position(server):
    response = httpx.get(f"{server}/sparql", params={"query": "SELECT *\nWHERE { ?s ?p }"})
    assert response.status_code == 400
    assert response.json()["error"] == "query_syntax_error" and "2:" in response.json()["message"]


def test_repeated_query_and_query_with_update_are_400(server):
    response = httpx.get(f"{server}/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert response.status_code == 400 and "given 2 times" in response.json()["message"]
    response = httpx.post(f"{server}/sparql", data={"query": "ASK {}", "update": "CLEAR ALL"})
    assert response.status_code == 400 and response.json()["error"] == "invalid_parameter"


def test_service_is_refused_before_any_outbound_request(server):
    response = httpx.get(f"{server}/sparql", params={
        "query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"})
    assert response.status_code == 400 and response.json()["error"] == "federation_refused"
    quoted = httpx.get(f"{server}/sparql", params={"query": 'SELECT ("SERVICE <x>" AS ?v) WHERE {}'})
    assert quoted.status_code == 200  # the word inside a string is not a SERVICE clause


def test_service_description_for_rdf_clients_and_a_page_for_browsers(server):
    sd = httpx.get(f"{server}/sparql", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=sd.text, format="turtle")
    SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, SD.endpoint, rdflib.URIRef(f"{server}/sparql")) in graph
    named = set(graph.objects(None, SD.name))
    assert rdflib.URIRef("https://w3id.org/commit-kg/graph/data/plans") in named
    page = httpx.get(f"{server}/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.headers["content-type"].startswith("text/html") and "<form" in page.text


def test_base_url_setting_sets_the_public_endpoint(backend):
    with backend() as arguments, running_server(*arguments, env={"COMMIT_KG_BASE_URL": "https://kg.example.org/commit"}) as url:
        sd = httpx.get(f"{url}/sparql", headers={"Accept": "application/n-triples"}).text
    assert "<https://kg.example.org/commit/sparql>" in sd


def test_a_query_past_the_time_limit_is_stopped_with_503(backend):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with backend(own=True) as arguments, running_server(*arguments, env={"COMMIT_KG_QUERY_TIMEOUT": "1"}) as url:
        response = httpx.get(f"{url}/sparql", params={"query": slow}, timeout=30)
        assert response.status_code == 503 and response.json()["error"] == "query_timeout"
        assert httpx.get(f"{url}/sparql", params={"query": "ASK {}"}).status_code == 200  # still serving


def test_answers_carry_an_etag_and_a_repeat_with_it_is_304(server):
    params = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
    first = httpx.get(f"{server}/sparql", params=params)
    again = httpx.get(f"{server}/sparql", params=params)
    assert first.headers["etag"] == again.headers["etag"] and first.content == again.content
    assert httpx.get(f"{server}/sparql", params=params, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    other = httpx.get(f"{server}/sparql", params=params, headers={"Accept": "text/csv"})
    assert other.headers["etag"] != first.headers["etag"]  # another representation, another tag
