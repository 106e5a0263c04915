"""The SPARQL tokenizer behind the SERVICE allow-list, the answer formats and the depth limit.

Two oracles judge it: Oxigraph itself (the engine behind /sparql) and rdflib's SPARQL parser. The
engine is asked without any request leaving the machine: a SERVICE to port 9 (discard) is refused
by its HTTP client before it connects ("The port 9 is not allowed"), so that error proves the engine
read a SERVICE clause and tried to call it. Every IRI a SERVICE could name in these texts (targets,
decoys, the store's terms, the base) is on that port."""

from __future__ import annotations

import sys
import time
from collections import Counter

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import URIRef, Variable
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.algebra import traverse

from commit_kg.namespaces import PREFIXES
from commit_kg.sparql_text import QueryShape, ServiceTarget, inspect, resolve

CANARY = "http://127.0.0.1:9/"  # port 9: refused by the engine's HTTP client before any connection
ENDPOINT = CANARY + "sparql"  # relative SERVICE IRIs resolve to the canary port too
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


@pytest.fixture(scope="module")
def engine() -> ox.Store:
    """An empty store but for one triple whose object is `true`, so that patterns before a SERVICE match."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://127.0.0.1:9/s"), ox.NamedNode("http://127.0.0.1:9/p"), ox.Literal(True)))
    return store


def engine_calls_service(store: ox.Store, text: str, base_iri: str | None = ENDPOINT) -> bool:
    """Whether the engine, running the text, tried to call a SERVICE on the canary port."""
    try:
        result = store.query(text, base_iri=base_iri, prefixes=PREFIXES)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except OSError as error:
        assert "port 9" in str(error), error
        return True
    except RuntimeError as error:  # SERVICE ?v: the engine calls nothing with an unbound variable
        assert "unbound" in str(error), error
    return False


def targets(text: str, **options: object) -> list[tuple[str | None, bool]]:
    return [(s.iri, s.silent) for s in inspect(text, base_iri=ENDPOINT, **options).services]


# -- every spelling in the issue, and the engine's own ways of gluing keywords ------------------

CALLED = [  # (text, the SERVICE targets inspect must report); the engine calls the first of them
    ("SELECT * { SERVICE<http://127.0.0.1:9/x>{} }", [(CANARY + "x", False)]),
    (f"PREFIX rdf: <{RDF}> SELECT * {{ ?s rdf:type ?o }} ", []),
    (f"PREFIX rdf: <{RDF}> SELECT * {{ SERVICE <{CANARY}a> {{}} }}", [(CANARY + "a", False)]),
    (f"SELECT * {{ OPTIONAL {{ ?s <{CANARY}a/#it> ?o }} SERVICE <{CANARY}b> {{}} }}", [(CANARY + "b", False)]),
    (f"SELECT * {{ OPTIONAL {{ ?s <{CANARY}a/it's> ?o }} SERVICE <{CANARY}c> {{}} }}", [(CANARY + "c", False)]),
    (f"SELECT * {{\nSERVICE\n<{CANARY}d>\n{{\n}}\n}}", [(CANARY + "d", False)]),
    (f"SELECT * {{ SERVICE # a comment\n  <{CANARY}e> # another\n {{}} }}", [(CANARY + "e", False)]),
    (f"PREFIX c: <{CANARY}> SELECT * {{ SERVICE c:f {{}} }}", [(CANARY + "f", False)]),
    (f"BASE <{CANARY}dir/> SELECT * {{ SERVICE <../g> {{}} }}", [(CANARY + "g", False)]),
    (f"select * {{ sErViCe <{CANARY}h> {{}} }}", [(CANARY + "h", False)]),
    (f"PREFIX : <{CANARY}> SELECT * {{ SERVICE:i{{}} }}", [(CANARY + "i", False)]),
    (f"PREFIX e: <{CANARY}> SELECT * {{ SERVICEe:j{{}} }}", [(CANARY + "j", False)]),
    (f"PREFIX : <{CANARY}> SELECT * {{ BIND(1 AS ?a) BIND(2 AS ?b) FILTER(?a<?b)SERVICE:k#>\n{{}} }}",
     [(CANARY + "k", False)]),
    (f"SELECT * {{ ?s ?p trueSERVICE<{CANARY}l>{{}} }}", [(CANARY + "l", False)]),
    (f"SELECT * {{ ?s ?p true.SERVICE<{CANARY}m>{{}} }}", [(CANARY + "m", False)]),
    (f"PREFIX service: <{CANARY}x/> PREFIX : <{CANARY}> SELECT * {{ service:n {{}} }}", [(CANARY + "n", False)]),
    (f"PREFIXc:<{CANARY}>SELECT*{{SERVICE c:o{{}}}}", [(CANARY + "o", False)]),
    (f"SELECT * {{ {{ SELECT * {{ SERVICE <{CANARY}p> {{}} }} }} }}", [(CANARY + "p", False)]),
    (f"SELECT * {{ {{}} UNION {{ SERVICE <{CANARY}q> {{}} }} }}", [(CANARY + "q", False)]),
    (f"SELECT * {{ VALUES ?v {{ <{CANARY}r> }} SERVICE ?v {{}} }}", [(None, False)]),
    (f"PREFIX c: <{CANARY}> SELECT * {{ ?s ?p true FILTER(?s != \"SERVICE <{CANARY}x> {{}}\") SERVICE c:s\\#t {{}} }}",
     [(CANARY + "s#t", False)]),
]


@pytest.mark.parametrize(("text", "expected"), CALLED)
def test_every_spelling_the_engine_calls_is_found(engine: ox.Store, text: str, expected: list) -> None:
    assert targets(text) == expected
    # the engine agrees: it calls a SERVICE exactly when one is found (a variable one stays unbound)
    assert engine_calls_service(engine, text) == any(iri is not None for iri, _ in expected)


@pytest.mark.parametrize(("text", "expected"), [
    (f"SELECT * {{ SERVICE SILENT <{CANARY}a> {{}} }}", [(CANARY + "a", True)]),
    (f"SELECT * {{ SERVICE\nsilent\n<{CANARY}a> {{}} }}", [(CANARY + "a", True)]),
    (f"PREFIX : <{CANARY}> SELECT * {{ SERVICESILENT:b{{}} }}", [(CANARY + "b", True)]),
    (f"PREFIX : <{CANARY}> SELECT * {{ SERVICE SILENT:c{{}} }}", [(CANARY + "c", True)]),
    # SILENTe:x is SILENT + e:x when e is declared, else a name with the prefix SILENTe
    (f"PREFIX SILENTe: <{CANARY}> SELECT * {{ SERVICE SILENTe:d {{}} }}", [(CANARY + "d", False)]),
    (f"PREFIX e: <{CANARY}> SELECT * {{ SERVICE SILENTe:f {{}} }}", [(CANARY + "f", True)]),
])
def test_silent(engine: ox.Store, text: str, expected: list) -> None:
    assert targets(text) == expected
    assert engine_calls_service(engine, text) == (not expected[0][1])


@pytest.mark.parametrize("text", [
    "SELECT * { ?s ?p 'SERVICE <http://127.0.0.1:9/> {}' }",
    'SELECT * { ?s ?p """it\'s "SERVICE" <http://127.0.0.1:9/> {} "" """ }',
    "SELECT * { ?s ?p '''it's SERVICE <http://127.0.0.1:9/> {} '' ''' }",
    "SELECT * { ?s ?p ?o } # SERVICE <http://127.0.0.1:9/> {}",
    "SELECT * { ?s ?p ?o # SERVICE <http://127.0.0.1:9/> {}\n}",
    "SELECT * { ?s <http://127.0.0.1:9/a/SERVICE> ?o }",
    "SELECT * { ?s ?p 'a\\'SERVICE <http://127.0.0.1:9/> {}' }",
    "PREFIX service: <http://127.0.0.1:9/x/> SELECT * { ?s service:p ?o . GRAPH service:g { ?s ?p ?o } }",
    "PREFIX ex: <http://127.0.0.1:9/x/> SELECT * { ?s ex:service ?o }",
])
def test_service_in_strings_comments_and_names_does_not_count(engine: ox.Store, text: str) -> None:
    assert inspect(text, base_iri=ENDPOINT).services == ()
    assert not engine_calls_service(engine, text)


def test_the_engine_does_not_expand_escapes_outside_strings_and_iris(engine: ox.Store) -> None:
    """sparql_text reads `\\u0053ERVICE` as no keyword because pyoxigraph is built without SPARQL 1.1's
    escape pre-processing; if an upgrade turns it on, this fails and the tokenizer must expand them too."""
    with pytest.raises(SyntaxError):
        engine.query("\\u0053ELECT * {}")
    assert inspect(f"SELECT * {{ \\u0053ERVICE <{CANARY}> {{}} }}").services == ()


def test_position_and_written_form() -> None:
    text = f"PREFIX c: <{CANARY}>\nSELECT * {{\n  ?s ?p ?o .\n  SERVICE c:{'x' * 300} {{}}\n}}"
    (service,) = inspect(text).services
    assert (service.line, service.column) == (4, 3)
    assert service.iri == CANARY + "x" * 300
    assert len(service.written) == 200 and service.written.startswith("c:xxx")


def test_resolution_of_prefixes_and_relative_iris() -> None:
    # the query's own declarations win over the predeclared ones; `prefixes` replaces the default map
    assert targets("SELECT * { SERVICE ck:x {} }")[0][0] == PREFIXES["ck"] + "x"
    assert targets("PREFIX ck: <http://o.example/> SELECT * { SERVICE ck:x {} }")[0][0] == "http://o.example/x"
    assert targets("SELECT * { SERVICE ck:x {} }", prefixes={})[0][0] is None
    assert targets("SELECT * { SERVICE nowhere:x {} }")[0][0] is None  # undeclared: None, refused
    assert targets("SELECT * { SERVICE <other> {} }")[0][0] == CANARY + "other"
    assert inspect("SELECT * { SERVICE <other> {} }").services[0].iri is None  # relative, no base
    assert targets("BASE <http://b.example/x/y> PREFIX p: <q/> SELECT * { SERVICE p:r {} }")[0][0] == (
        "http://b.example/x/q/r")
    assert targets("SELECT * { SERVICE <http://a.example/\\u0041/../b> {} }")[0][0] == "http://a.example/A/../b"


@pytest.mark.parametrize(("reference", "resolved"), [  # RFC 3986 section 5.4.1, base http://a/b/c/d;p?q
    ("g:h", "g:h"), ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"),
    ("/g", "http://a/g"), ("//g", "http://g"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"),
    ("#s", "http://a/b/c/d;p?q#s"), ("g#s", "http://a/b/c/g#s"), ("", "http://a/b/c/d;p?q"),
    (".", "http://a/b/c/"), ("..", "http://a/b/"), ("../g", "http://a/b/g"), ("../..", "http://a/"),
    ("../../../g", "http://a/g"), ("/./g", "http://a/g"), ("g.", "http://a/b/c/g."), ("g;x=1/../y", "http://a/b/c/y"),
])
def test_resolve_follows_rfc3986(reference: str, resolved: str) -> None:
    assert resolve(reference, "http://a/b/c/d;p?q") == resolved


# -- form, update, depth, speed ----------------------------------------------------------------

@pytest.mark.parametrize(("text", "form"), [
    ("SELECT * {}", "SELECT"), ("ask {}", "ASK"), ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("DESCRIBE <http://x/>", "DESCRIBE"),
    ("PREFIX select: <http://ask.example/ASK#> BASE <http://x/CONSTRUCT> # SELECT\nASK {}", "ASK"),
    ("# CONSTRUCT\nPREFIX a: <http://x/> DESCRIBE a:b", "DESCRIBE"),
    ("BASE <http://x/> PREFIX : <y#> CONSTRUCT { ?s ?p 'SELECT' } WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("PREFIXp:<http://a/>DESCRIBEp:x", "DESCRIBE"), ("ASK{}", "ASK"), ("SELECT*{}", "SELECT"),
])
def test_form(engine: ox.Store, text: str, form: str) -> None:
    shape = inspect(text)
    assert (shape.form, shape.is_update) == (form, False)
    answer = engine.query(text, prefixes=PREFIXES)  # the engine reads the same form
    kind = {"ASK": ox.QueryBoolean, "SELECT": ox.QuerySolutions}.get(form, ox.QueryTriples)
    assert isinstance(answer, kind)


@pytest.mark.parametrize(("text", "keyword"), [
    ("INSERT DATA { <http://a/> <http://b/> <http://c/> }", "INSERT"),
    ("DELETE DATA { <http://a/> <http://b/> <http://c/> }", "DELETE"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE"),
    ("PREFIX a: <http://a/> insert { ?s a:p ?o } WHERE { ?s ?p ?o }", "INSERT"),
    ("LOAD <http://a/doc>", "LOAD"), ("CLEAR ALL", "CLEAR"), ("CREATE GRAPH <http://g/>", "CREATE"),
    ("DROP SILENT GRAPH <http://g/>", "DROP"), ("COPY DEFAULT TO <http://g/>", "COPY"),
    ("MOVE SILENT <http://g/> TO DEFAULT", "MOVE"), ("ADD SILENT <http://g/> TO <http://h/>", "ADD"),
    ("WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
    ("# SELECT\nBASE <http://x/> INSERTDATA{<a> <b> <c>}", "INSERT"),
])
def test_update(text: str, keyword: str) -> None:
    shape = inspect(text)
    assert (shape.form, shape.is_update) == (keyword, True)
    if keyword != "LOAD":  # LOAD would fetch its document
        ox.Store().update(text, base_iri="http://x/")  # the engine takes it as an update, too


def stack_depth() -> int:
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth


def test_depth_of_5000_nested_groups_without_recursion() -> None:
    texts = {
        "{": ("SELECT * " + "{" * 5000 + "}" * 5000, 5000),
        "{ ... }": ("SELECT * WHERE " + "{ ?s ?p ?o " * 5000 + "}" * 5000, 5000),
        "OPTIONAL": ("SELECT * { " + "OPTIONAL { " * 4999 + "}" * 5000, 5000),
        "(": ("SELECT * { FILTER" + "(" * 5000 + "1" + ")" * 5000 + " }", 5001),
        "[": ("SELECT * { ?s ?p " + "[ ?p " * 5000 + "1" + " ]" * 5000 + " }", 5001),
        "mixed": ("SELECT * { " + "{ ?s ?p ([ ?q " * 1667 + "1" + "]) }" * 1667 + " }", 1 + 3 * 1667),
        "<<": ("SELECT * { " + "<< " * 5000 + "?s ?p ?o >> ?p ?o" * 5000 + " }", 5001),
    }
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(stack_depth() + 50)  # a recursive reader would fail long before depth 5000
    try:
        depths = {name: inspect(text).depth for name, (text, _) in texts.items()}
    finally:
        sys.setrecursionlimit(limit)
    assert depths == {name: depth for name, (_, depth) in texts.items()}
    assert inspect("SELECT * { ?s ?p ( ) . ?s ?p [ ] FILTER(?s IN ()) }").depth == 2  # NIL, ANON: no group


def test_depth_ignores_brackets_in_strings_iris_and_comments() -> None:
    text = "SELECT * { ?s <http://a/((((> '{{{{' . # ((((\n ?s ?p \"\"\"[[[[\"\"\" }"
    assert inspect(text).depth == 1


def test_one_megabyte_is_fast() -> None:
    unit = ("  ?s ex:p ?o ; <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ex:C . # comment\n"
            "  FILTER(?o < 10 && STR(?s) != 'it''s') OPTIONAL { ?s ex:q \"\"\"long\nstring\"\"\" }\n")
    text = ("PREFIX ex: <http://example.org/ns#>\nSELECT * WHERE {\n" + unit * (1_000_000 // len(unit))
            + f"SERVICE <{CANARY}> {{}} }}")
    started = time.perf_counter()
    shape = inspect(text)
    elapsed = time.perf_counter() - started
    assert [s.iri for s in shape.services] == [CANARY]
    assert elapsed < 1.0, f"{elapsed:.2f} s for {len(text)} characters"  # about 0.1 s on one idle core
    started = time.perf_counter()
    assert inspect("{" * 500_000 + "}" * 500_000).depth == 500_000
    assert time.perf_counter() - started < 1.0


def test_unterminated_text_returns_what_was_read() -> None:
    shape = inspect(f"SELECT * {{ SERVICE <{CANARY}a> {{}} ?s ?p 'no end\n SERVICE <{CANARY}b> {{}} }}")
    assert [s.iri for s in shape.services] == [CANARY + "a"]  # the engine stops at the string, too
    assert inspect("SELECT * { ?s <http://a/").services == ()
    assert isinstance(inspect(""), QueryShape)


# -- generated queries, judged by rdflib's parser and by the engine ----------------------------

KEYWORD = st.sampled_from([str.upper, str.lower, str.title])
SPACE = st.sampled_from([" ", "\n", "\t", "  \r\n", " # SERVICE <http://127.0.0.1:9/comment> {}\n",
                         "#'\"<\n", "\n#}\n"])
DECOY = st.sampled_from([
    "?s ?p 'SERVICE <http://127.0.0.1:9/decoy> {}'",
    '?s ?p """it\'s "SERVICE" <http://127.0.0.1:9/decoy> {}"""',
    "?s <http://127.0.0.1:9/a/x#SERVICE> ?o",
    "?s <http://127.0.0.1:9/a/it's> ?o",
    "?s <http://127.0.0.1:9/ns#type> ?o",
    "FILTER(?o < 3 || STR(?s) = '#')",
    "?s ?p ?o",
])
PREFIX_POOL = {"c": CANARY + "c/", "d": CANARY + "d#", "SERVICEx": CANARY + "sx/"}


@st.composite
def queries(draw: st.DrawFn) -> str:
    """A query with SERVICE clauses in random places and spellings, between random spaces, comments
    and decoys; what it calls is left to the oracles."""
    def kw(word: str) -> str:
        return draw(KEYWORD)(word)

    def sp() -> str:
        return draw(SPACE)

    def target() -> str:
        choice = draw(st.sampled_from(["iri", "relative", "pname", "var"]))
        n = draw(st.integers(0, 99))
        if choice == "iri":
            return f"<{CANARY}t{n}>"
        if choice == "relative":
            return f"<t{n}>"
        if choice == "pname":
            return draw(st.sampled_from(sorted(PREFIX_POOL))) + f":t{n}"
        return f"?v{n}"

    def group(level: int, in_exists: bool = False) -> str:
        parts = []
        for _ in range(draw(st.integers(0, 3))):
            nested = ["optional", "union", "subquery", "minus"] + ([] if in_exists else ["exists"])
            kind = draw(st.sampled_from(["decoy", "service"] + (nested if level < 3 else [])))
            if kind == "decoy":
                parts.append(draw(DECOY) + sp() + ".")
            elif kind == "service":
                silent = kw("silent") + sp() if draw(st.booleans()) else ""
                body = "{" + sp() + draw(DECOY) + sp() + "}"  # rdflib cannot parse SERVICE inside SERVICE
                gap = sp() if draw(st.booleans()) or not silent else ""
                parts.append(kw("service") + sp() + silent + target() + gap + body)
            elif kind == "optional":
                parts.append(kw("optional") + sp() + group(level + 1, in_exists))
            elif kind == "union":
                parts.append(group(level + 1, in_exists) + sp() + kw("union") + sp() + group(level + 1, in_exists))
            elif kind == "minus":
                parts.append(kw("minus") + sp() + group(level + 1, in_exists))
            elif kind == "exists":  # rdflib loses a SERVICE in an EXISTS inside an EXISTS
                parts.append(kw("filter") + sp() + kw("exists") + sp() + group(level + 1, in_exists=True))
            else:
                parts.append("{" + sp() + kw("select") + " *" + sp() + kw("where") + sp() + group(level + 1, in_exists)
                             + sp() + "}")
        return "{" + sp() + sp().join(parts) + sp() + "}"

    prologue = kw("base") + sp() + f"<{CANARY}base/>" + sp() if draw(st.booleans()) else ""
    for name in draw(st.permutations(sorted(PREFIX_POOL))):
        # rdflib takes the rest of a line after an IRI with '#' for a comment when a SERVICE follows
        after = "\n" if "#" in PREFIX_POOL[name] else sp()
        prologue += kw("prefix") + sp() + f"{name}:" + sp() + f"<{PREFIX_POOL[name]}>" + after
    form = draw(st.sampled_from([kw("select") + " *", kw("ask"), kw("construct") + sp() + "{ ?s ?p ?o }"]))
    return prologue + form + sp() + kw("where") + sp() + group(0)


def rdflib_targets(text: str) -> list[str | None]:
    found: list[str | None] = []

    def visit(node: object) -> None:
        if getattr(node, "name", None) == "ServiceGraphPattern":
            term = node["term"]  # type: ignore[index]
            assert isinstance(term, (URIRef, Variable))
            found.append(str(term) if isinstance(term, URIRef) else None)

    traverse(prepareQuery(text, base=ENDPOINT).algebra, visitPre=visit)
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries())
def test_generated_queries_agree_with_rdflib_and_the_engine(engine: ox.Store, text: str) -> None:
    shape = inspect(text, base_iri=ENDPOINT)
    assert Counter(s.iri for s in shape.services) == Counter(rdflib_targets(text))
    # the engine accepts the text too (SyntaxError would fail the test) and calls a SERVICE only if one is found
    if engine_calls_service(engine, text):
        assert any(not s.silent and s.iri is not None for s in shape.services)


GLUE = st.sampled_from([  # ways to write a SERVICE clause the engine accepts; '{t}' is the target
    "SERVICE{s}{t}{s}{{}}", "SERVICE{t}{{}}", "{k}{s}{t}{s}{{}}",
    "BIND(1 AS ?a) BIND(2 AS ?b) FILTER(?a<?b){k}{t}#>\n{{}}",
    "?x ?y true{k}{t}{{}}", "?x ?y true.{k}{s}{t}{{}}",
    "FILTER(?a<'x')SERVICE{s}{t}{{}}",
])
TARGET = st.sampled_from(["<http://127.0.0.1:9/g>", ":g", "c:g", "c:g\\#h"])


@settings(max_examples=200, deadline=None)
@given(GLUE, TARGET, KEYWORD, SPACE, st.sampled_from(["", " ", "\n"]), DECOY)
def test_every_service_the_engine_calls_is_found(engine: ox.Store, glue: str, target: str, case, space: str,
                                                 gap: str, decoy: str) -> None:
    body = glue.format(s=gap, t=target, k=case("service"))
    text = f"PREFIX : <{CANARY}> PREFIX c: <{CANARY}>\nSELECT * {{ OPTIONAL {{ {decoy} }}{space}{body} }}"
    shape = inspect(text, base_iri=ENDPOINT)
    if engine_calls_service(engine, text):
        assert any(s.iri is None or s.iri.startswith(CANARY) for s in shape.services), text


def test_types_are_frozen() -> None:
    shape = inspect(f"SELECT * {{ SERVICE <{CANARY}> {{}} }}")
    with pytest.raises(AttributeError):
        shape.form = "ASK"  # type: ignore[misc]
    assert isinstance(shape.services[0], ServiceTarget)


SEGMENT = st.sampled_from(["", ".", "..", "..", "g", "g.", ".g", "..g", "a;b", "%41", "x=1", "é", ":"])


@st.composite
def references(draw: st.DrawFn) -> str:
    path = "/".join(draw(st.lists(SEGMENT, max_size=5)))
    start = draw(st.sampled_from(["", "/", "//127.0.0.1:9", "./", "../"]))
    query = draw(st.sampled_from(["", "?", "?y", "?a/../b"]))
    fragment = draw(st.sampled_from(["", "#", "#s", "#a/../b"]))
    return start + path + query + fragment


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([CANARY + "b/c/d;p?q", CANARY, CANARY + "b/c/", "http://127.0.0.1:9", CANARY + "b?q#f",
                        CANARY + "a/./b/../c", CANARY + "a/../../b", "http://127.0.0.1:9?q", "urn:a/b/c", "urn:a",
                        "tag:a/./b/"]), references())
def test_relative_iris_resolve_as_the_engine_resolves_them(engine: ox.Store, base: str, reference: str) -> None:
    """What the allow-list compares must be the IRI the engine would call: a BASE-relative target
    resolves here exactly as the engine resolves the same reference."""
    try:
        (row,) = engine.query(f"BASE <{base}> SELECT ?x {{ BIND(<{reference}> AS ?x) }}")
    except SyntaxError:  # the engine refuses the reference: it cannot be a SERVICE target either
        return
    assert targets(f"BASE <{base}> SELECT * {{ SERVICE <{reference}> {{}} }}") == [(row["x"].value, False)]
