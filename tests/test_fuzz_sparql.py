"""A SPARQL fuzzer against the real /sparql: queries generated from a small grammar (every query form,
triple patterns, property paths, FILTER, OPTIONAL, UNION, VALUES, BIND, subqueries, literals with odd
characters, prefixes) and the named queries of queries/ mutated byte by byte (deletions, insertions,
duplications, truncation), sent by GET, URL-encoded POST and direct POST and asked for in every result
format. Whatever comes in: no 5xx (but the documented 503 query_timeout of a query that runs past the
server's time limit), no hang (each request has a time limit), every 200 parses with a
second parser (json, xml.etree, csv, rdflib), every 4xx is the JSON error body with a documented code.

Bounded: COMMIT_KG_FUZZ_EXAMPLES generated queries per test (default 15, each sent in 10 formats); set it higher to fuzz longer."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from urllib.parse import quote_from_bytes
from xml.etree import ElementTree

import httpx
import pytest
import rdflib
from conftest import running_server
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from commit_kg.service.openapi import error_schema
from commit_kg.settings import PROJECT_ROOT

EXAMPLES = int(os.environ.get("COMMIT_KG_FUZZ_EXAMPLES", "15"))
# The default run is the same every time (a failure in the suite is reproducible); a longer run, asked
# for with COMMIT_KG_FUZZ_EXAMPLES, explores anew.
REPEATABLE = "COMMIT_KG_FUZZ_EXAMPLES" not in os.environ
QUERY_TIMEOUT = 5  # the server's time limit for one query, in seconds
HANG = QUERY_TIMEOUT + 15  # an answer later than this is a hang
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=REPEATABLE,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

SOLUTIONS = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml",
             "text/csv": "csv", "text/tab-separated-values": "tsv"}
GRAPHS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
          "application/rdf+xml": "xml", "application/n-quads": "nquads", "application/trig": "trig"}
CODES = set(error_schema()["properties"]["error"]["enum"])
SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture(scope="module")
def endpoint(backend) -> Iterator[str]:
    with backend(own=True) as arguments, \
            running_server(*arguments, env={"COMMIT_KG_QUERY_TIMEOUT": str(QUERY_TIMEOUT)}) as url:
        yield f"{url}/sparql"


# --- the grammar ------------------------------------------------------------------------------------

VARIABLES = st.sampled_from(["?s", "?p", "?o", "?x", "?label", "$y"])
IRIS = st.sampled_from([
    "rdf:type", "rdfs:label", "ck:Plan", "ck:Country", "skos:notation", "dcterms:source", "owl:sameAs",
    "<https://w3id.org/commit-kg/id/country/THA>", "id:country", "<http://example.org/ü%20>", "<>", "<#frag>",
    "ex:thing", "ex:", "<https://w3id.org/commit-kg/ontology#partyTo>", "<http://example.org/p#>",
    "<http://example.org/>"])
ODD_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


def escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


LITERALS = st.one_of(
    ODD_TEXT.map(lambda t: f'"{escaped(t)}"'),
    st.tuples(ODD_TEXT, st.sampled_from(["en", "th", "en-GB", "x-ü"])).map(lambda t: f'"{escaped(t[0])}"@{t[1]}'),
    st.tuples(ODD_TEXT, st.sampled_from(["xsd:integer", "xsd:date", "xsd:string", "xsd:boolean", "<x:y>"])).map(
        lambda t: f'"{escaped(t[0])}"^^{t[1]}'),
    st.integers(-10**20, 10**20).map(str), st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["true", "false", "'''three\nlines'''", '"\\u00e9\\U0001F600"', "'single'"]),
)
PATHS = st.one_of(
    IRIS, st.builds(lambda a, op, b: f"{a}{op}{b}", IRIS, st.sampled_from(["/", "|"]), IRIS),
    st.builds(lambda a, m: f"({a}){m}", IRIS, st.sampled_from(["*", "+", "?"])),
    IRIS.map(lambda a: f"^{a}"), st.just("a"))
SUBJECTS = st.one_of(VARIABLES, IRIS, st.just("[]"))
OBJECTS = st.one_of(VARIABLES, IRIS, LITERALS)
TRIPLES = st.builds(lambda s, p, o: f"{s} {p} {o} .", SUBJECTS, st.one_of(VARIABLES, PATHS), OBJECTS)
EXPRESSIONS = st.one_of(
    VARIABLES, LITERALS,
    st.builds(lambda f, v: f"{f}({v})", st.sampled_from(["STR", "LANG", "isIRI", "BOUND", "STRLEN", "UCASE",
                                                          "DATATYPE", "isLiteral", "ENCODE_FOR_URI"]), VARIABLES),
    st.builds(lambda v, o, l: f"{v} {o} {l}", VARIABLES, st.sampled_from(["=", "!=", "<", ">=", "+", "*", "&&"]),
              LITERALS),
    st.builds(lambda v, t: f'REGEX(STR({v}), "{escaped(t)}", "i")', VARIABLES, ODD_TEXT),
    st.builds(lambda v, t: f'CONTAINS(LCASE(STR({v})), "{escaped(t)}")', VARIABLES, ODD_TEXT),
    st.builds(lambda a, b: f"CONCAT(STR({a}), {b})", VARIABLES, LITERALS))


def groups(depth: int) -> st.SearchStrategy[str]:
    """A group graph pattern `{ ... }` nesting at most `depth` more groups."""
    inner = groups(depth - 1) if depth else st.just("{ ?s ?p ?o }")
    element = st.one_of(
        TRIPLES, TRIPLES, EXPRESSIONS.map(lambda e: f"FILTER({e})"), inner.map(lambda g: f"OPTIONAL {g}"),
        st.builds(lambda a, b: f"{a} UNION {b}", inner, inner),
        st.builds(lambda v, ts: f"VALUES {v} {{ {' '.join(ts)} }}", VARIABLES,
                  st.lists(st.one_of(IRIS, LITERALS, st.just("UNDEF")), max_size=3)),
        st.builds(lambda e, v: f"BIND({e} AS ?b{v})", EXPRESSIONS, st.integers(0, 9)),
        st.builds(lambda g, n: f"{{ SELECT * WHERE {g} LIMIT {n} }}", inner, st.integers(0, 20)),
        st.builds(lambda g: f"MINUS {g}", inner), st.builds(lambda g: f"GRAPH ?g {g}", inner))
    return st.lists(element, min_size=1, max_size=4).map(lambda parts: "{ " + " ".join(parts) + " }")


PREFIXES = st.lists(st.sampled_from([
    "PREFIX ex: <http://example.org/>", "PREFIX ck: <https://w3id.org/commit-kg/ontology#>",
    "PREFIX : <https://w3id.org/commit-kg/id/>", "BASE <http://example.org/base/>", "PREFIX ex: <ex>"]), max_size=2)
LIMITS = st.integers(0, 30).map(lambda n: f" LIMIT {n}")
QUERIES = st.builds(
    lambda prefixes, form: "\n".join([*prefixes, form]), PREFIXES, st.one_of(
        st.builds(lambda d, vs, g, o, l: f"SELECT {d}{vs} WHERE {g}{o}{l}", st.sampled_from(["", "DISTINCT ", "REDUCED "]),
                  st.one_of(st.just("*"), st.lists(VARIABLES, min_size=1, max_size=3, unique=True).map(" ".join)),
                  groups(2), st.sampled_from(["", " ORDER BY ?s", " ORDER BY DESC(?o)"]), LIMITS),
        st.builds(lambda v, g, l: f"SELECT (COUNT(DISTINCT {v}) AS ?n) WHERE {g} GROUP BY ?s{l}", VARIABLES, groups(1),
                  LIMITS),
        st.builds(lambda g: f"ASK {g}", groups(2)),
        st.builds(lambda t, g, l: f"CONSTRUCT {{ {t} }} WHERE {g}{l}", TRIPLES, groups(2), LIMITS),
        st.builds(lambda g, l: f"CONSTRUCT WHERE {{ ?s ?p ?o }}{l}", st.just(""), LIMITS),
        st.builds(lambda t, g, l: f"DESCRIBE {t} WHERE {g}{l}", st.one_of(VARIABLES, IRIS), groups(1), LIMITS),
    ))


# --- mutations of the named queries ------------------------------------------------------------------

NAMED = sorted(PROJECT_ROOT.glob("queries/**/*.rq"))
ODD_BYTES = [b"{", b"}", b"(", b")", b'"', b"'", b"<", b">", b"\\", b"\x00", b"\x01", b"#", b"?", b".", b";",
             b"\n", b"\xc3\xa9", b"\xff", b"\xe0\xb8", b"SERVICE <http://example.org/> { }", b"INSERT DATA { }"]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A named query's text with one to three byte-level mutations."""
    text = draw(st.sampled_from(NAMED)).read_bytes()
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "insert", "duplicate", "truncate"]))
        if kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif kind == "insert":
            text = text[:at] + draw(st.one_of(st.sampled_from(ODD_BYTES), st.binary(min_size=1, max_size=4))) + text[at:]
        elif kind == "duplicate":
            text = text[:at] + text[at:at + draw(st.integers(1, 200))] * 2 + text[at + 1:]
        else:
            text = text[:at]
    return text


# --- sending and judging -----------------------------------------------------------------------------

FORMS = [*SOLUTIONS, *GRAPHS]


def ask(endpoint: str, query: bytes, media: str, how: str) -> httpx.Response:
    """The query sent the way `how` names; the format by the `format` parameter, or Accept."""
    headers = {"accept": media}
    if how == "get":
        return httpx.get(f"{endpoint}?query={quote_from_bytes(query, safe='')}", headers=headers, timeout=HANG)
    if how == "form":
        body = b"query=" + quote_from_bytes(query, safe="").encode() + b"&format=" + media.encode()
        return httpx.post(endpoint, content=body, timeout=HANG,
                          headers={"content-type": "application/x-www-form-urlencoded"})
    return httpx.post(endpoint, content=query, headers={**headers, "content-type": "application/sparql-query"},
                      timeout=HANG)


def well_formed(media: str, body: bytes) -> None:
    """The answer read back by a parser other than the one that wrote it."""
    if media == "application/sparql-results+json":
        answer = json.loads(body)
        assert "head" in answer and ("boolean" in answer or isinstance(answer["results"]["bindings"], list))
    elif media == "application/sparql-results+xml":
        root = ElementTree.fromstring(body)
        assert root.tag == f"{SPARQL_RESULTS}sparql"
    elif media in ("text/csv", "text/tab-separated-values"):
        text = body.decode("utf-8")
        if text in ("true", "false"):
            return  # an ASK answer
        rows = (list(csv.reader(io.StringIO(text, newline=""))) if media == "text/csv"
                else [line.split("\t") for line in text.split("\n")[:-1]])  # each line ends in \n
        width = len(rows[0])
        odd = [row for row in rows if len(row) != width and not (row == [] and width == 1)]  # [] : one empty field
        assert not odd, (rows[0], odd[:3])
    else:
        rdflib.Dataset().parse(data=body, format=GRAPHS[media])


def judged(endpoint: str, query: bytes, how: str) -> None:
    for media in FORMS:
        answer = ask(endpoint, query, media, how)
        where = f"{how} {media} {query[:300]!r}"
        if answer.status_code == 503 and answer.json()["error"] == "query_timeout":
            continue  # a mutation that lost its filter can be heavy: stopped at the time limit, as documented
        assert answer.status_code < 500, f"{answer.status_code} {answer.text[:300]} for {where}"
        if answer.status_code == 200:
            sent = answer.headers["content-type"].split(";")[0]
            assert sent == media, where
            try:
                well_formed(media, answer.content)
            except Exception as error:  # noqa: BLE001 - whatever a second parser raises, the answer is malformed
                raise AssertionError(f"malformed {media} answer ({error}) for {where}: {answer.content[:300]!r}")
        else:
            assert 400 <= answer.status_code < 500, where
            body = answer.json()
            assert set(body) == {"error", "message"} and body["error"] in CODES, (body, where)


@FUZZ
@given(query=QUERIES, how=st.sampled_from(["get", "form", "direct"]))
# Answers the fuzzer found malformed once, kept as fixed cases: a control character in a literal (not
# allowed in XML 1.0), a predicate IRI that ends in '#' (no XML element name can be made from it), an
# IRI with a comma written unquoted in CSV (the data cites such URLs).
@example(query='SELECT * WHERE { VALUES ?x { "a\u0001b" } }', how="direct")
@example(query="SELECT ?x ?y WHERE { VALUES (?x ?y) { (<http://example.org/a,b> 1) } }", how="get")
@example(query='CONSTRUCT { <http://example.org/s> <http://example.org/p#> "o" } WHERE {}', how="form")
def test_generated_queries_get_a_well_formed_answer_or_a_clear_error(endpoint: str, query: str, how: str) -> None:
    judged(endpoint, query.encode(), how)


@FUZZ
@given(query=mutated(), how=st.sampled_from(["get", "form", "direct"]))
def test_mutated_named_queries_get_a_well_formed_answer_or_a_clear_error(endpoint: str, query: bytes, how: str) -> None:
    judged(endpoint, query, how)
