"""Every serialised form the service sends parses with a second parser, on a graph built to break them
(tests/nasty_data: control characters, a non-character, markup characters, predicates that do not end
in an XML name). What a format cannot carry (XML 1.0: U+0001, U+FFFE; RDF/XML: such predicates) is
refused with 406 `not_representable` saying why; nothing malformed is ever sent."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib
from conftest import running_server
from lxml import etree

NASTY_DIR = Path(__file__).parent / "nasty_data"
NASTY = "https://w3id.org/commit-kg/id/test/nasty"
EX = "http://example.org/nasty/"
XML_SAFE = f"FILTER (?p IN (<{EX}markup>))"  # the one statement XML can carry: markup and Thai, no control
RESULTS = {"application/sparql-results+json", "text/csv", "text/tab-separated-values",
           "application/sparql-results+xml"}
GRAPHS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/n-quads": "nquads",
          "application/trig": "trig", "application/ld+json": "json-ld", "application/rdf+xml": "xml"}


@pytest.fixture(scope="module")
def nasty_server(tmp_path_factory: pytest.TempPathFactory, backend) -> Iterator[str]:
    cache = tmp_path_factory.mktemp("cache")
    with backend("--data-dir", str(NASTY_DIR)) as arguments, \
            running_server(*arguments, "--workers", "1", env={"COMMIT_KG_CACHE_DIR": str(cache)}) as url:
        yield url


@pytest.fixture(scope="module")
def expected() -> set[tuple[str, str, str | None]]:
    """The statements about the nasty resource as rdflib reads the data file: (predicate, value, language)."""
    graph = rdflib.Graph().parse(NASTY_DIR / "nasty.ttl")
    return {(str(p), str(o), getattr(o, "language", None)) for p, o in graph.predicate_objects(rdflib.URIRef(NASTY))}


def ask(url: str, query: str, media: str) -> httpx.Response:
    return httpx.post(f"{url}/sparql", data={"query": query}, headers={"Accept": media}, timeout=30)


def select_rows(body: bytes, media: str) -> set[tuple[str, str, str | None]]:
    """(p, o, language) of a SELECT ?p ?o answer, read by a parser that is not the engine's."""
    if media == "application/sparql-results+json":
        rows = json.loads(body)["results"]["bindings"]
        return {(r["p"]["value"], r["o"]["value"], r["o"].get("xml:lang")) for r in rows}
    if media == "application/sparql-results+xml":
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        found = set()
        for result in etree.fromstring(body).iterfind(".//r:result", ns):
            p = result.find("r:binding[@name='p']/r:uri", ns).text
            literal = result.find("r:binding[@name='o']/r:literal", ns)
            found.add((p, literal.text or "", literal.get("{http://www.w3.org/XML/1998/namespace}lang")))
        return found
    text = body.decode("utf-8")
    if media == "text/csv":  # CSV has no language tags
        return {(row["p"], row["o"], None) for row in csv.DictReader(io.StringIO(text, newline=""))}
    # TSV writes terms as in Turtle: read each row as the object of a Turtle statement
    lines = text.split("\n")[1:]
    graph = rdflib.Graph().parse(data="".join(f"<s:> {line.split(chr(9))[0]} {line.split(chr(9))[1]} .\n"
                                               for line in lines if line), format="turtle")
    return {(str(p), str(o), o.language) for _, p, o in graph}


@pytest.mark.parametrize("media", sorted(RESULTS))
def test_select_answers_parse_or_are_refused_saying_why(nasty_server, expected, media):
    answer = ask(nasty_server, f"SELECT ?p ?o WHERE {{ <{NASTY}> ?p ?o }}", media)
    if media == "application/sparql-results+xml":
        assert answer.status_code == 406, answer.text
        error = answer.json()
        assert error["error"] == "not_representable"
        assert "XML 1.0 cannot carry" in error["message"] and "U+" in error["message"]
        answer = ask(nasty_server, f"SELECT ?p ?o WHERE {{ <{NASTY}> ?p ?o {XML_SAFE} }}", media)
        assert answer.status_code == 200, answer.text
        assert select_rows(answer.content, media) == {e for e in expected if e[0] == f"{EX}markup"}
        return
    assert answer.status_code == 200, answer.text
    rows = select_rows(answer.content, media)
    assert rows == ({(p, o, None) for p, o, _ in expected} if media == "text/csv" else expected)


@pytest.mark.parametrize("media", sorted(GRAPHS))
def test_construct_answers_parse_or_are_refused_saying_why(nasty_server, expected, media):
    answer = ask(nasty_server, f"CONSTRUCT WHERE {{ <{NASTY}> ?p ?o }}", media)
    if media == "application/rdf+xml":
        assert answer.status_code == 406, answer.text
        assert answer.json()["error"] == "not_representable"
        for query, why in ((f"CONSTRUCT WHERE {{ <{NASTY}> <urn:nasty:> ?o }}", "'urn:nasty:'"),
                           (f"CONSTRUCT WHERE {{ <{NASTY}> <{EX}123> ?o }}", f"'{EX}123'"),
                           (f"CONSTRUCT WHERE {{ <{NASTY}> <{EX}control> ?o }}", "U+0007")):
            refused = ask(nasty_server, query, media)
            assert refused.status_code == 406 and why in refused.json()["message"], refused.text
        answer = ask(nasty_server, f"CONSTRUCT {{ <{NASTY}> ?p ?o }} WHERE {{ <{NASTY}> ?p ?o {XML_SAFE} }}", media)
        assert answer.status_code == 200, answer.text
        etree.fromstring(answer.content)  # well-formed for libxml2, not only for the engine
        expected = {e for e in expected if e[0] == f"{EX}markup"}
    assert answer.status_code == 200, answer.text
    graph = rdflib.Dataset()
    graph.parse(data=answer.content, format=GRAPHS[media])
    assert {(str(p), str(o), getattr(o, "language", None)) for _, p, o, _ in graph.quads()} == expected


@pytest.mark.parametrize("name", ["ttl", "nt", "jsonld", "rdfxml"])
def test_resource_descriptions_parse_or_are_refused(nasty_server, expected, name):
    answer = httpx.get(f"{nasty_server}/id/test/nasty", params={"format": name}, timeout=30)
    if name == "rdfxml":
        assert answer.status_code == 406, answer.text
        assert answer.json()["error"] == "not_representable"
        return
    assert answer.status_code == 200, answer.text
    graph = rdflib.Graph().parse(data=answer.content, format={"ttl": "turtle", "jsonld": "json-ld"}.get(name, name))
    assert {(str(p), str(o), getattr(o, "language", None))
            for p, o in graph.predicate_objects(rdflib.URIRef(NASTY))} == expected
