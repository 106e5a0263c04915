"""The SPARQL 1.1 Protocol test cases the runner sends, as our own table.

Each case re-expresses one test of the W3C SPARQL 1.1 Protocol test suite (same id, requests and expected
outcomes; see README.md here for where they come from): the HTTP requests to send in order and what each
response must show. Paths are relative to the endpoint under test; `params` become its query string, encoded
as the suite writes it (spaces as %20).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Expected status classes: success (a redirect to a success is also accepted), or refusal.
SUCCESS = ("2xx", "3xx")
REFUSED = ("4xx",)

# The named graphs of the dataset fixture (protocol_fixture.nq); DATA0 is named but never present.
DATA0, DATA1, DATA2, DATA3 = (f"http://kasei.us/2009/09/sparql/data/data{n}.rdf" for n in range(4))


@dataclass(frozen=True)
class Step:
    """One request and what its response must show.

    `update` sends it to the update endpoint; `format` is the kind of answer expected ("boolean": SPARQL
    results of an ASK, "tabular": SPARQL results of a SELECT, "RDF": an RDF graph); `boolean` the ASK answer.
    """

    method: str
    params: list[tuple[str, str]] = field(default_factory=list)
    content_type: str | None = None
    body: str | None = None
    charset: str = "UTF-8"
    update: bool = False
    status: tuple[str, ...] = SUCCESS
    format: str | None = None
    boolean: bool | None = None


@dataclass(frozen=True)
class Case:
    """A test: its id in the W3C suite, the fixture graphs it needs present, its requests in order."""

    id: str
    steps: list[Step]
    graphs: list[str] = field(default_factory=list)

    def needs_successful_update(self) -> bool:
        """True when a request must change the store: a read-only endpoint cannot pass it."""
        return any(step.update and step.status != REFUSED for step in self.steps)


CASES = [
    Case("query_post_form", steps=[
        Step("POST",
             params=[("default-graph-uri", DATA0)],
             content_type="application/x-www-form-urlencoded",
             body="query=ASK%20%7B%7D",
             format="boolean",
             boolean=True)]),
    Case("query_dataset_default_graphs_get", graphs=[DATA1, DATA2], steps=[
        Step("GET",
             params=[("query", "ASK { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type . <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type . }"), ("default-graph-uri", DATA1), ("default-graph-uri", DATA2)],
             format="boolean",
             boolean=True)]),
    Case("query_dataset_default_graphs_post", graphs=[DATA1, DATA2], steps=[
        Step("POST",
             params=[("default-graph-uri", DATA1), ("default-graph-uri", DATA2)],
             content_type="application/sparql-query",
             body="ASK { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type . <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type . }",
             format="boolean",
             boolean=True)]),
    Case("query_dataset_named_graphs_post", graphs=[DATA1, DATA2], steps=[
        Step("POST",
             params=[("named-graph-uri", DATA1), ("named-graph-uri", DATA2)],
             content_type="application/sparql-query",
             body="ASK { GRAPH ?g1 { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type } GRAPH ?g2 { <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type } }",
             format="boolean",
             boolean=True)]),
    Case("query_dataset_named_graphs_get", graphs=[DATA1, DATA2], steps=[
        Step("GET",
             params=[("query", "ASK { GRAPH ?g1 { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type } GRAPH ?g2 { <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type } }"), ("named-graph-uri", DATA1), ("named-graph-uri", DATA2)],
             format="boolean",
             boolean=True)]),
    Case("query_dataset_full", graphs=[DATA1, DATA2, DATA3], steps=[
        Step("POST",
             params=[("default-graph-uri", DATA3), ("named-graph-uri", DATA1), ("named-graph-uri", DATA2)],
             content_type="application/sparql-query",
             body="""ASK {
  <http://kasei.us/2009/09/sparql/data/data3.rdf> a ?type
  GRAPH ?g1 { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type }
  GRAPH ?g2 { <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type }
}""",
             format="boolean",
             boolean=True)]),
    Case("query_multiple_dataset", graphs=[DATA1, DATA2, DATA3], steps=[
        Step("POST",
             params=[("named-graph-uri", DATA1), ("named-graph-uri", DATA2)],
             content_type="application/sparql-query",
             body="ASK FROM <http://kasei.us/2009/09/sparql/data/data3.rdf> { GRAPH ?g1 { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type } GRAPH ?g2 { <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type } }",
             format="boolean",
             boolean=True)]),
    Case("query_get", steps=[
        Step("GET", params=[("query", "ASK {}"), ("default-graph-uri", DATA0)], format="boolean", boolean=True)]),
    Case("query_content_type_select", steps=[
        Step("POST",
             params=[("default-graph-uri", DATA0)],
             content_type="application/sparql-query",
             body="SELECT (1 AS ?value) {}",
             format="tabular")]),
    Case("query_content_type_ask", steps=[
        Step("POST",
             params=[("default-graph-uri", DATA0)],
             content_type="application/sparql-query",
             body="ASK {}",
             format="boolean")]),
    Case("query_content_type_describe", steps=[
        Step("POST",
             params=[("default-graph-uri", DATA0)],
             content_type="application/sparql-query",
             body="DESCRIBE <http://example.org/>",
             format="RDF")]),
    Case("query_content_type_construct", steps=[
        Step("POST",
             params=[("default-graph-uri", DATA0)],
             content_type="application/sparql-query",
             body="CONSTRUCT { <s> <p> 1 } WHERE {}",
             format="RDF")]),
    Case("update_dataset_default_graph", steps=[
        Step("POST",
             params=[("using-graph-uri", DATA1)],
             content_type="application/sparql-update",
             body="""PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
CLEAR ALL ;
INSERT DATA {
    GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a foaf:Document
    }
} ;
INSERT {
    GRAPH <http://example.org/protocol-update-dataset-test/> {
        ?s a dc:BibliographicResource
    }
}
WHERE {
    ?s a foaf:Document
}""",
             update=True),
        Step("POST",
             content_type="application/sparql-query",
             body="""ASK {
    GRAPH <http://example.org/protocol-update-dataset-test/> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a <http://purl.org/dc/terms/BibliographicResource>
    }
}""",
             format="boolean",
             boolean=True)]),
    Case("update_dataset_default_graphs", steps=[
        Step("POST",
             params=[("using-graph-uri", DATA1), ("using-graph-uri", DATA2)],
             content_type="application/sparql-update",
             body="""PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
DROP ALL ;
INSERT DATA {
    GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> { <http://kasei.us/2009/09/sparql/data/data1.rdf> a foaf:Document }
    GRAPH <http://kasei.us/2009/09/sparql/data/data2.rdf> { <http://kasei.us/2009/09/sparql/data/data2.rdf> a foaf:Document }
    GRAPH <http://kasei.us/2009/09/sparql/data/data3.rdf> { <http://kasei.us/2009/09/sparql/data/data3.rdf> a foaf:Document }
} ;
INSERT {
    GRAPH <http://example.org/protocol-update-dataset-graphs-test/> {
        ?s a dc:BibliographicResource
    }
}
WHERE {
    ?s a foaf:Document
}""",
             update=True),
        Step("POST",
             content_type="application/sparql-query",
             body="""ASK {
    GRAPH <http://example.org/protocol-update-dataset-graphs-test/> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
        <http://kasei.us/2009/09/sparql/data/data2.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
    }
    FILTER NOT EXISTS {
        GRAPH <http://example.org/protocol-update-dataset-graphs-test/> {
            <http://kasei.us/2009/09/sparql/data/data3.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
        }
    }
}""",
             format="boolean",
             boolean=True)]),
    Case("update_dataset_named_graphs", steps=[
        Step("POST",
             params=[("using-named-graph-uri", DATA1), ("using-named-graph-uri", DATA2)],
             content_type="application/sparql-update",
             body="""PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
DROP ALL ;
INSERT DATA {
    GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> { <http://kasei.us/2009/09/sparql/data/data1.rdf> a foaf:Document }
    GRAPH <http://kasei.us/2009/09/sparql/data/data2.rdf> { <http://kasei.us/2009/09/sparql/data/data2.rdf> a foaf:Document }
    GRAPH <http://kasei.us/2009/09/sparql/data/data3.rdf> { <http://kasei.us/2009/09/sparql/data/data3.rdf> a foaf:Document }
} ;
INSERT {
    GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> {
        ?s a dc:BibliographicResource
    }
}
WHERE {
    GRAPH ?g {
        ?s a foaf:Document
    }
}""",
             update=True),
        Step("POST",
             content_type="application/sparql-query",
             body="""ASK {
    GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
        <http://kasei.us/2009/09/sparql/data/data2.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
    }
    FILTER NOT EXISTS {
        GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> {
            <http://kasei.us/2009/09/sparql/data/data3.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
        }
    }
}""",
             format="boolean",
             boolean=True)]),
    Case("update_dataset_full", steps=[
        Step("POST",
             params=[("using-graph-uri", DATA1), ("using-named-graph-uri", DATA2)],
             content_type="application/sparql-update",
             body="""PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
DROP ALL ;
INSERT DATA {
    GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> { <http://kasei.us/2009/09/sparql/data/data1.rdf> a foaf:Document }
    GRAPH <http://kasei.us/2009/09/sparql/data/data2.rdf> { <http://kasei.us/2009/09/sparql/data/data2.rdf> a foaf:Document }
    GRAPH <http://kasei.us/2009/09/sparql/data/data3.rdf> { <http://kasei.us/2009/09/sparql/data/data3.rdf> a foaf:Document }
} ;
INSERT {
    GRAPH <http://example.org/protocol-update-dataset-full-test/> {
        ?s <http://example.org/in> ?in
    }
}
WHERE {
    {
        GRAPH ?g { ?s a foaf:Document }
        BIND(?g AS ?in)
    }
    UNION
    {
        ?s a foaf:Document .
        BIND("default" AS ?in)
    }
}""",
             update=True),
        Step("POST",
             content_type="application/sparql-query",
             body="""ASK {
    GRAPH <http://example.org/protocol-update-dataset-full-test/> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> <http://example.org/in> "default" .
        <http://kasei.us/2009/09/sparql/data/data2.rdf> <http://example.org/in> <http://kasei.us/2009/09/sparql/data/data2.rdf> .
    }
    FILTER NOT EXISTS {
        GRAPH <http://example.org/protocol-update-dataset-full-test/> {
            <http://kasei.us/2009/09/sparql/data/data3.rdf> ?p ?o
        }
    }
}""",
             format="boolean",
             boolean=True)]),
    Case("update_post_form", steps=[
        Step("POST", content_type="application/x-www-form-urlencoded", body="update=CLEAR+ALL", update=True)]),
    Case("update_post_direct", steps=[Step("POST", content_type="application/sparql-update", body="CLEAR ALL", update=True)]),
    Case("update_base_uri", steps=[
        Step("POST",
             content_type="application/sparql-update",
             body="""CLEAR SILENT GRAPH <http://example.org/protocol-base-test/> ;
INSERT DATA { GRAPH <http://example.org/protocol-base-test/> { <http://example.org/s> <http://example.org/p> <test> } }""",
             update=True),
        Step("POST",
             content_type="application/sparql-query",
             body="""ASK {
    GRAPH <http://example.org/protocol-base-test/> {
        <http://example.org/s> <http://example.org/p> ?o
        FILTER (isIRI(?o) && STR(?o) != "test")
    }
}""",
             format="boolean",
             boolean=True)]),
    Case("query_post_direct", steps=[
        Step("POST", content_type="application/sparql-query", body="ASK {}", format="boolean", boolean=True)]),
    Case("bad_query_method", steps=[
        Step("PUT",
             params=[("query", "ASK {}"), ("default-graph-uri", DATA0)],
             content_type="application/x-www-form-urlencoded",
             status=REFUSED)]),
    Case("bad_multiple_queries", steps=[Step("GET", params=[("query", "ASK {}"), ("query", "SELECT * {}")], status=REFUSED)]),
    Case("bad_query_wrong_media_type", steps=[Step("POST", content_type="text/plain", body="ASK {}", status=REFUSED)]),
    Case("bad_query_missing_form_type", steps=[Step("POST", body="query=ASK%20%7B%7D", status=REFUSED)]),
    Case("bad_query_missing_direct_type", steps=[Step("POST", body="ASK {}", status=REFUSED)]),
    Case("bad_query_non_utf8", steps=[
        Step("POST",
             content_type="application/sparql-query; charset=UTF-16",
             body="ASK {}",
             charset="UTF-16",
             status=REFUSED)]),
    Case("bad_query_syntax", steps=[Step("GET", params=[("query", "ASK {")], status=REFUSED)]),
    Case("bad_update_get", steps=[Step("GET", params=[("update", "CLEAR ALL")], update=True, status=REFUSED)]),
    Case("bad_multiple_updates", steps=[
        Step("POST",
             content_type="application/x-www-form-urlencoded",
             body="update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
             update=True,
             status=REFUSED)]),
    Case("bad_update_wrong_media_type", steps=[
        Step("POST", content_type="text/plain", body="CLEAR NAMED", update=True, status=REFUSED)]),
    Case("bad_update_missing_form_type", steps=[Step("POST", body="update=CLEAR%20NAMED", update=True, status=REFUSED)]),
    Case("bad_update_non_utf8", steps=[
        Step("POST",
             content_type="application/sparql-update; charset=UTF-16",
             body="CLEAR NAMED",
             charset="UTF-16",
             update=True,
             status=REFUSED)]),
    Case("bad_update_syntax", steps=[
        Step("POST",
             content_type="application/x-www-form-urlencoded",
             body="update=CLEAR%20XYZ",
             update=True,
             status=REFUSED)]),
    Case("bad_update_dataset_conflict", steps=[
        Step("POST",
             params=[("using-named-graph-uri", "http://example/people")],
             content_type="application/sparql-update",
             body="""PREFIX foaf:  <http://xmlns.com/foaf/0.1/>
WITH <http://example/addresses>
DELETE { ?person foaf:givenName 'Bill' }
INSERT { ?person foaf:givenName 'William' }
WHERE {
    ?person foaf:givenName 'Bill'
}""",
             update=True,
             status=REFUSED)]),
]
