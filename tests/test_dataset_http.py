"""/.well-known/void and /dumps/ over real HTTP, from a real server process, read with rdflib."""

from __future__ import annotations

import hashlib
import warnings

import httpx
import pytest
from rdflib import RDF, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, XSD

from commit_kg.build import BuiltGraph
from commit_kg.namespaces import CK, GRAPH

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # DCAT 3 (dcat:version), which rdflib's DCAT 2 lacks
SPDX = Namespace("http://spdx.org/rdf/terms#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
DUMPS = {"commit-kg.ttl": "turtle", "commit-kg.nt": "nt", "commit-kg.nq": "nquads", "commit-kg.jsonld": "json-ld"}
PLANS_GRAPH = URIRef(GRAPH + "data/plans")


def sparql_count(server: str, query: str) -> int | None:
    """The ?n of a one-row SELECT from the server's own /sparql; None when it gives no SPARQL JSON."""
    try:
        response = httpx.get(f"{server}/sparql", params={"query": query},
                             headers={"Accept": "application/sparql-results+json"}, timeout=30)
        rows = response.json()["results"]["bindings"] if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError, KeyError):
        rows = None
    if rows is None:
        warnings.warn(f"/sparql gave no SPARQL JSON for {query!r}: compared with the build instead", stacklevel=2)
        return None
    return int(rows[0]["n"]["value"]) if rows else 0


@pytest.fixture(scope="module")
def void_turtle(server: str) -> tuple[httpx.Response, Graph]:
    response = httpx.get(f"{server}/.well-known/void", headers={"Accept": "text/turtle"}, timeout=60)
    assert response.status_code == 200, response.text
    parsed = Graph().parse(data=response.text, format="turtle", publicID=f"{server}/.well-known/void")
    return response, parsed


@pytest.fixture(scope="module")
def void(void_turtle: tuple[httpx.Response, Graph]) -> Graph:
    return void_turtle[1]


@pytest.fixture(scope="module")
def dataset(server: str) -> URIRef:
    return URIRef(f"{server}/.well-known/void#dataset")


@pytest.fixture(scope="module")
def downloads(server: str) -> dict[str, httpx.Response]:
    found = {}
    for name in [*DUMPS, "context.jsonld", "SHA256SUMS"]:
        found[name] = httpx.get(f"{server}/dumps/{name}", timeout=60)
        assert found[name].status_code == 200, (name, found[name].text)
    return found


def value(graph: Graph, subject, predicate) -> int:
    found = list(graph.objects(subject, predicate))
    assert len(found) == 1, (subject, predicate, found)
    return int(found[0])


def test_void_is_turtle_and_json_ld_with_the_same_description(server, void_turtle, dataset):
    response, turtle = void_turtle
    assert response.headers["content-type"].startswith("text/turtle")
    assert "accept" in response.headers["vary"].lower()
    answer = httpx.get(f"{server}/.well-known/void", headers={"Accept": "application/ld+json"}, timeout=60)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/ld+json")
    as_json_ld = Graph().parse(data=answer.text, format="json-ld", publicID=f"{server}/.well-known/void")
    assert len(as_json_ld) == len(turtle) > 0
    assert value(as_json_ld, dataset, VOID.triples) == value(turtle, dataset, VOID.triples)
    for media, rdflib_format in [("application/n-triples", "nt"), ("application/rdf+xml", "xml")]:
        answer = httpx.get(f"{server}/.well-known/void", headers={"Accept": media}, timeout=60)
        assert answer.headers["content-type"].startswith(media)
        assert len(Graph().parse(data=answer.text, format=rdflib_format)) == len(turtle)


def test_void_describes_the_dataset(server, void, dataset, graph: BuiltGraph):
    assert {VOID.Dataset, DCAT.Dataset} <= set(void.objects(dataset, RDF.type))
    assert void.value(dataset, DCTERMS.title).language == "en"
    assert void.value(dataset, DCTERMS.description).language == "en"
    assert void.value(dataset, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    publisher = void.value(dataset, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Organization) in void and void.value(publisher, FOAF.name)
    modified = void.value(dataset, DCTERMS.modified)
    assert modified.datatype == XSD.dateTime
    assert str(void.value(dataset, DCAT.version)) == graph.version
    assert void.value(dataset, VOID.sparqlEndpoint) == URIRef(f"{server}/sparql")
    assert void.value(dataset, VOID.uriSpace) == Literal("https://w3id.org/commit-kg/id/")
    assert value(void, dataset, VOID.classes) == len(set(void.objects(dataset, VOID.classPartition)))
    assert value(void, dataset, VOID.properties) == len(set(void.objects(dataset, VOID.propertyPartition)))


# The dataset VoID describes: the quads of our graphs. A store behind a replica may hold graphs of its own
# (Virtuoso's virtrdf#, ldp#, ...), which /sparql sees but the dataset does not include.
OUR_QUADS = f'GRAPH ?g {{ ?s ?p ?o }} FILTER (STRSTARTS(STR(?g), "{GRAPH}"))'


def test_void_triples_equal_the_quads_sparql_counts(server, void, dataset, graph: BuiltGraph):
    expected = sparql_count(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ {OUR_QUADS} }}")
    if expected is None:
        expected = len(graph.store)
    assert value(void, dataset, VOID.triples) == expected == len(graph.store)
    subjects = sparql_count(server, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {OUR_QUADS} }}")
    if subjects is not None:
        assert value(void, dataset, VOID.distinctSubjects) == subjects
    subsets = set(void.objects(dataset, VOID.subset))
    assert PLANS_GRAPH in subsets
    assert {str(s) for s in subsets} == {g.value for g in graph.store.named_graphs()}
    assert sum(value(void, s, VOID.triples) for s in subsets) == value(void, dataset, VOID.triples)
    plans = sparql_count(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{PLANS_GRAPH}> {{ ?s ?p ?o }} }}")
    if plans is not None:
        assert value(void, PLANS_GRAPH, VOID.triples) == plans


def class_entities(void: Graph, node, cls: URIRef) -> int:
    found = [p for p in void.objects(node, VOID.classPartition) if (p, VOID["class"], cls) in void]
    assert len(found) == 1
    return value(void, found[0], VOID.entities)


def test_class_partition_counts_match_sparql(server, void, dataset):
    activity = URIRef(CK + "PlanActivity")
    counted = sparql_count(server, f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n)
        WHERE {{ GRAPH ?g {{ ?s a ?c }} FILTER(?c = <{activity}>) }} GROUP BY ?c""")
    assert class_entities(void, dataset, activity) == 39
    if counted is not None:
        assert counted == 39
    prop = [p for p in void.objects(dataset, VOID.propertyPartition)
            if (p, VOID.property, DCTERMS.isPartOf) in void]
    counted = sparql_count(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s dcterms:isPartOf ?o } }")
    if counted is not None:
        assert value(void, prop[0], VOID.triples) == counted


def test_dumps_index_lists_every_file_with_size_type_and_checksum(server, downloads):
    index = httpx.get(f"{server}/dumps/", timeout=60)
    assert index.status_code == 200 and index.headers["content-type"].startswith("application/json")
    files = {f["name"]: f for f in index.json()["files"]}
    assert set(files) == set(downloads)
    for name, response in downloads.items():
        assert files[name]["size"] == len(response.content)
        assert files[name]["sha256"] == hashlib.sha256(response.content).hexdigest()
        assert response.headers["content-type"].startswith(files[name]["mediaType"])
    page = httpx.get(f"{server}/dumps/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, timeout=60)
    assert page.headers["content-type"].startswith("text/html") and "commit-kg.nq" in page.text


def test_dump_checksums_agree_with_sha256sums_and_void(server, downloads, void, dataset):
    sums = dict(reversed(line.split("  ", 1)) for line in downloads["SHA256SUMS"].text.splitlines())
    distributions = list(void.objects(dataset, DCAT.distribution))
    assert {str(void.value(d, DCAT.downloadURL)) for d in distributions} == {f"{server}/dumps/{n}" for n in DUMPS}
    assert set(void.objects(dataset, VOID.dataDump)) == {URIRef(f"{server}/dumps/{n}") for n in DUMPS}
    for distribution in distributions:
        name = str(void.value(distribution, DCAT.downloadURL)).rsplit("/", 1)[-1]
        digest = hashlib.sha256(downloads[name].content).hexdigest()
        assert sums[name] == digest
        assert downloads[name].headers["etag"] == f'"{digest}"'
        checksum = void.value(distribution, SPDX.checksum)
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(void.value(checksum, SPDX.checksumValue)).lower() == digest
        assert str(void.value(distribution, DCAT.mediaType)).endswith(
            downloads[name].headers["content-type"].split(";")[0])
        assert value(void, distribution, DCAT.byteSize) == len(downloads[name].content)
    assert sums["context.jsonld"] == hashlib.sha256(downloads["context.jsonld"].content).hexdigest()


def test_every_dump_parses_to_the_built_graph(server, downloads, void, dataset, graph: BuiltGraph):
    quads = value(void, dataset, VOID.triples)
    distinct = len({(q.subject, q.predicate, q.object) for q in graph.store})
    for name in ("commit-kg.ttl", "commit-kg.nt"):
        assert len(Graph().parse(data=downloads[name].content, format=DUMPS[name])) == distinct
    for name in ("commit-kg.nq", "commit-kg.jsonld"):
        parsed = Dataset()
        # Each parses on its own: the JSON-LD dump carries its @context inline, nothing is fetched.
        parsed.parse(data=downloads[name].content, format=DUMPS[name])
        assert sum(1 for _ in parsed.quads((None, None, None, None))) == quads, name
        for subset in void.objects(dataset, VOID.subset):
            assert len(parsed.graph(subset)) == value(void, subset, VOID.triples), (name, subset)


def test_n_quads_dump_keeps_the_named_graphs(downloads, void):
    parsed = Dataset().parse(data=downloads["commit-kg.nq"].content, format="nquads")
    names = {g.identifier for g in parsed.graphs()}
    assert PLANS_GRAPH in names
    assert len(parsed.graph(PLANS_GRAPH)) == value(void, PLANS_GRAPH, VOID.triples) > 0


def test_context_is_published_with_the_project_prefixes(downloads):
    context = downloads["context.jsonld"].json()["@context"]
    assert {"ck", "id", "rdfs", "skos", "dcterms", "prov", "owl", "xsd", "org", "schema", "time"} <= set(context)
    assert context["ck"] == CK
    assert downloads["commit-kg.jsonld"].json()["@context"] == context


def test_if_none_match_gives_304(server, downloads, void_turtle):
    for name in ("commit-kg.nq", "SHA256SUMS"):
        tag = downloads[name].headers["etag"]
        again = httpx.get(f"{server}/dumps/{name}", headers={"If-None-Match": tag}, timeout=60)
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
        weak = httpx.get(f"{server}/dumps/{name}", headers={"If-None-Match": f'"other", W/{tag}'}, timeout=60)
        assert weak.status_code == 304
        other = httpx.get(f"{server}/dumps/{name}", headers={"If-None-Match": '"other"'}, timeout=60)
        assert other.status_code == 200
    tag = void_turtle[0].headers["etag"]
    again = httpx.get(f"{server}/.well-known/void", headers={"Accept": "text/turtle", "If-None-Match": tag}, timeout=60)
    assert again.status_code == 304


def test_void_refuses_what_it_cannot_give(server):
    refused = httpx.get(f"{server}/.well-known/void", headers={"Accept": "image/png"}, timeout=60)
    assert refused.status_code == 406
    assert refused.json()["error"] == "not_acceptable"
    missing = httpx.get(f"{server}/dumps/../settings.py", timeout=60)
    assert missing.status_code == 404
    assert httpx.get(f"{server}/dumps/nothing.ttl", timeout=60).json()["error"] == "not_found"
