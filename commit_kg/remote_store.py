"""A remote SPARQL 1.1 server as the store: the same `query` / `select` as the embedded store, through
SPARQLWrapper, with answers parsed back into pyoxigraph's types; and `push`, which writes a built,
validated graph into such a server.

The server must answer queries over the union of the named graphs as its default graph, as the
embedded store does (Oxigraph: `serve --union-default-graph`; Jena Fuseki/TDB2: `tdb2:unionDefaultGraph
true`; GraphDB and Virtuoso do so by default, Virtuoso with its own system graphs in that union: naming
our graphs as each query's dataset would hide them, but Virtuoso 7.2 then evaluates property paths
wrongly, openlink/virtuoso-opensource issue 127). Bound parameters become terms in the query text through
`sparql_text.substitute` (the terms serialised by pyoxigraph), since the protocol has no substitution
argument.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import time
import urllib.error
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .errors import (
    QueryFailedError,
    QuerySyntaxError,
    QueryTimeoutError,
    ResultTooLargeError,
)
from .namespaces import GRAPH, PREFIXES, VERSION_GRAPH
from .sparql_text import inspect, substitute
from .store import QueryAnswer, Store, syntax_error

if TYPE_CHECKING:
    from .build import BuiltGraph
    from .query_pool import Job
    from .settings import Settings

JSON_RESULTS, N_TRIPLES = "application/sparql-results+json", "application/n-triples"
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")
VERSION_INFO = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
PROLOGUE = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())


class StoreSyntaxError(QuerySyntaxError):
    """The store's parser refused the text; `message` is its own words ("error at L:C: ...")."""


def engine_words(said: str) -> str:
    """The store's answer body as SPARQLWrapper quotes it (a bytes literal), read back as text: its first
    paragraph (Virtuoso follows its message with the whole query text it ran, the dataset included)."""
    if said[:2] in ("b'", 'b"'):
        try:
            said = ast.literal_eval(said).decode("utf-8", "replace")
        except (ValueError, SyntaxError):
            pass
    return said.strip().split("\n\n", 1)[0]


class RemoteStore(Store):
    """A SPARQL 1.1 query endpoint read as the store (see the module docstring)."""

    def __init__(self, endpoint: str, timeout: float = 60.0) -> None:
        self.endpoint, self.timeout = endpoint, timeout

    def query(self, sparql: str, *, substitutions: dict[ox.Variable, ox.Term] | None = None,
              base_iri: str | None = None, dataset: dict | None = None) -> QueryAnswer:
        text = substitute(sparql, {v.value: str(t) for v, t in substitutions.items()}) if substitutions else sparql
        # The predeclared prefixes first: a query's own PREFIX, later in the prologue, wins.
        text = (f"BASE <{base_iri}>\n" if base_iri else "") + PROLOGUE + text
        form = inspect(text).form
        try:
            body = self.request(text, N_TRIPLES if form in GRAPH_FORMS else JSON_RESULTS, dataset)
        except StoreSyntaxError as error:
            raise syntax_error(text, SyntaxError(error.message)) from None
        return parsed(body, form)

    def request(self, text: str, accept: str, dataset: dict | None, timeout: float | None = None,
                cap: int | None = None) -> bytes:
        """The store's answer to `text` in `accept`, within `timeout` seconds and `cap` bytes. The time
        limit is the whole answer's: the socket's timeout bounds each read only, and a store that
        streams its answer slowly would otherwise hold the request past it."""
        from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper

        limit = timeout or self.timeout
        deadline = time.monotonic() + limit

        client = SPARQLWrapper(self.endpoint)
        client.setMethod(POST)
        client.setRequestMethod(URLENCODED)
        client.setQuery(text)
        # The form as the tokenizer reads it: SPARQLWrapper guesses it with a regular expression, and a
        # word like DELETE in a string or comment would make it send the query as an update.
        client.queryType = inspect(text).form
        client.setOnlyConneg(True)
        client.addCustomHttpHeader("Accept", accept)
        client.setTimeout(max(1, round(limit)))
        for graph in (dataset or {}).get("default_graph", []):
            client.addParameter("default-graph-uri", graph.value)
        for graph in (dataset or {}).get("named_graphs", []):
            client.addParameter("named-graph-uri", graph.value)
        late = QueryTimeoutError(f"the store did not answer within {limit:g} s")
        try:
            response = client.query().response
            try:
                body = read_within(response, deadline, cap)
            finally:
                response.close()  # the store, writing to a closed connection, stops the query
        except (QueryTimeoutError, ResultTooLargeError):
            raise
        except TimeoutError:
            raise late from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise late from None
            raise QueryFailedError(f"the store at {self.endpoint} could not be reached ({error.reason})") from None
        except Exception as error:  # noqa: BLE001 - SPARQLWrapper's HTTP errors carry the server's words
            if "QueryBadFormed" in type(error).__name__:  # the store's own words follow "Response:"
                raise StoreSyntaxError(engine_words(str(error).partition("Response:")[2].strip())) from None
            words = str(error).splitlines()[0][:300] if str(error) else "no answer"
            raise QueryFailedError(f"the store at {self.endpoint} failed: {words}") from None
        return body

    def version(self) -> str | None:
        """The version `push` wrote last, or None when the store holds none."""
        rows = self.select(f"SELECT ?v WHERE {{ GRAPH <{VERSION_GRAPH}> {{ <{GRAPH}> <{VERSION_INFO.value}> ?v }} }}")
        return rows[0]["v"].value if rows else None


def too_large(cap: int) -> ResultTooLargeError:
    return ResultTooLargeError(f"the answer is larger than the {cap:,} bytes this endpoint sends; "
                               "add a LIMIT or select fewer variables")


def read_within(response, deadline: float, cap: int | None) -> bytes:
    """An HTTP answer's body, read in chunks until `deadline` (time.monotonic) and at most `cap` bytes."""
    chunks, size = [], 0
    while chunk := response.read1(1 << 16):
        chunks.append(chunk)
        size += len(chunk)
        if cap is not None and size > cap:
            raise too_large(cap)
        if time.monotonic() > deadline:
            raise QueryTimeoutError("the store did not send its whole answer within the time limit")
    return b"".join(chunks)


def push(store: ox.Store, version: str, update_endpoint: str, timeout: float = 600.0,
         credentials: tuple[str, str] | None = None) -> int:
    """Write every named graph of a built store into a SPARQL 1.1 server through its Update endpoint,
    in one request: the graphs this project wrote before are dropped, the new ones inserted and the
    version graph written last. Servers that run one Update request as one transaction (Oxigraph,
    Jena Fuseki/TDB2, GraphDB) never show a reader half a version. `credentials` (user, password) answer
    the server's HTTP challenge, Basic or Digest (Virtuoso's /sparql-auth asks Digest). Returns the
    quads written."""
    from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper

    quads = [q for q in store if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value != VERSION_GRAPH]
    client = SPARQLWrapper(update_endpoint, updateEndpoint=update_endpoint)
    client.setMethod(POST)
    client.setRequestMethod(URLENCODED)
    client.setQuery(update_text(quads, version))
    client.setTimeout(max(1, round(timeout)))
    if credentials:
        answer_challenges(update_endpoint, *credentials)
    try:
        client.query()
    except urllib.error.URLError as error:
        raise QueryFailedError(f"the store at {update_endpoint} could not be reached ({error.reason})") from None
    except Exception as error:  # noqa: BLE001 - SPARQLWrapper's HTTP errors carry the server's words
        words = str(error).splitlines()[0][:300] if str(error) else "no answer"
        said = engine_words(str(error).partition("Response:")[2].strip())[:300]
        raise QueryFailedError(f"the store at {update_endpoint} refused the update: {words} {said}".strip()) from None
    return len(quads) + 1  # and the version


def update_text(quads: list[ox.Quad], version: str) -> str:
    """The one Update request `push` sends: ours dropped, the triples without blank nodes in one INSERT
    DATA, those with blank nodes in INSERT { ... } WHERE {} (one fresh node per label in each, as INSERT
    DATA makes; Virtuoso 7 refuses blank nodes in INSERT DATA, "not allowed in a constant clause"), one
    such operation for each set of graphs sharing blank nodes (Virtuoso 7 fails on a template over
    several graphs), and the version graph last."""
    drop_ours = (f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                 f'FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }}')
    ground = [q for q in quads if not blank_nodes(q)]
    operations = [drop_ours, f"INSERT DATA {{\n{graph_blocks(ground)}\n}}"] if ground else [drop_ours]
    operations += [f"INSERT {{\n{graph_blocks(group)}\n}} WHERE {{}}"
                   for group in sharing_blank_nodes([q for q in quads if blank_nodes(q)])]
    operations.append(f"INSERT DATA {{ GRAPH <{VERSION_GRAPH}> {{ <{GRAPH}> <{VERSION_INFO.value}> {ox.Literal(version)} . }} }}")
    return " ;\n".join(operations)


def blank_nodes(quad: ox.Quad) -> list[ox.BlankNode]:
    return [t for t in (quad.subject, quad.object) if isinstance(t, ox.BlankNode)]


def sharing_blank_nodes(quads: list[ox.Quad]) -> list[list[ox.Quad]]:
    """The quads split by graph, graphs that share a blank node kept together (a union-find over graphs),
    so that each part can be one INSERT template without splitting a node in two."""
    parent: dict[str, str] = {}

    def root(graph: str) -> str:
        while parent.setdefault(graph, graph) != graph:
            graph = parent[graph]
        return graph

    first_graph: dict[ox.BlankNode, str] = {}
    for quad in quads:
        for node in blank_nodes(quad):
            parent[root(quad.graph_name.value)] = root(first_graph.setdefault(node, quad.graph_name.value))
    parts: dict[str, list[ox.Quad]] = {}
    for quad in quads:
        parts.setdefault(root(quad.graph_name.value), []).append(quad)
    return [parts[key] for key in sorted(parts)]


def graph_blocks(quads: list[ox.Quad]) -> str:
    """`GRAPH <g> { s p o . ... }` for each graph of the quads, in graph order."""
    by_graph: dict[str, list[str]] = {}
    for quad in quads:
        by_graph.setdefault(str(quad.graph_name), []).append(f"{quad.subject} {quad.predicate} {quad.object} .")
    return "\n".join(f"GRAPH {graph} {{\n" + "\n".join(lines) + "\n}" for graph, lines in sorted(by_graph.items()))


def answer_challenges(endpoint: str, user: str, password: str) -> None:
    """Let urllib (SPARQLWrapper's transport) answer the endpoint's 401 with these credentials in the
    scheme the server names, Digest or Basic; SPARQLWrapper itself must be told one scheme up front."""
    import urllib.request

    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, endpoint, user, password)
    urllib.request.install_opener(urllib.request.build_opener(
        urllib.request.HTTPDigestAuthHandler(passwords), urllib.request.HTTPBasicAuthHandler(passwords)))


BLANK_LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?<!\.)")
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
CANONICAL_BOOLEAN = {"1": "true", "0": "false"}


def readable_json(body: bytes) -> bytes:
    """A JSON result set as pyoxigraph reads it and as the embedded store would answer: blank node
    labels that parse (the JSON format lets a server label its blank nodes with any string: Virtuoso
    sends "nodeID://b10000"; each other label becomes one derived from it, the same in every answer),
    and booleans in their canonical form (Virtuoso writes a stored `true` as "1"^^xsd:boolean, a form
    the datatype allows but that code comparing with "true" would miss)."""
    if b'"bnode"' not in body and XSD_BOOLEAN.encode() not in body:
        return body
    answer = json.loads(body)
    for row in answer.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "bnode" and not BLANK_LABEL.fullmatch(term["value"]):
                term["value"] = "x" + hashlib.sha256(term["value"].encode()).hexdigest()[:32]
            elif term.get("datatype") == XSD_BOOLEAN:
                term["value"] = CANONICAL_BOOLEAN.get(term["value"], term["value"])
    return json.dumps(answer).encode()


def canonical_triple(triple: ox.Triple) -> ox.Triple:
    """The triple with a boolean object in its canonical form (see readable_json)."""
    value = triple.object
    if isinstance(value, ox.Literal) and value.datatype.value == XSD_BOOLEAN and value.value in CANONICAL_BOOLEAN:
        return ox.Triple(triple.subject, triple.predicate,
                         ox.Literal(CANONICAL_BOOLEAN[value.value], datatype=value.datatype))
    return triple


def parsed(body: bytes, form: str) -> QueryAnswer:
    """The store's answer (N-Triples for CONSTRUCT and DESCRIBE, else SPARQL JSON) as pyoxigraph's
    types, whatever its server's own ways of writing it (see boolean_answer, readable_json)."""
    if form in GRAPH_FORMS:
        return [canonical_triple(quad.triple) for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
    if form == "ASK":
        body = boolean_answer(body)
    return ox.parse_query_results(readable_json(body), format=ox.QueryResultsFormat.JSON)


def boolean_answer(body: bytes) -> bytes:
    """An ASK answer as the SPARQL JSON boolean form. Virtuoso 7.2 answers ASK over HTTP with a result
    set instead, one row (`__ASK_RETVAL` 1) for true and none for false, in every result format."""
    answer = json.loads(body)
    if "boolean" in answer:
        return body
    return json.dumps({"head": {}, "boolean": bool(answer.get("results", {}).get("bindings"))}).encode()


# ---------------------------------------------------------------- serving from a remote store

FIRST_LINE_POSITION = re.compile(r"at 1:(\d+)")
JSON_PER_CSV = 4  # a SELECT in SPARQL JSON is some 2-4 times its CSV: the bound on the JSON read of a result set
ONE_LINE_PROLOGUE = " ".join(f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in PREFIXES.items()) + " "


class RemoteQueries:
    """What the worker pool is to the embedded store, for a remote one: /sparql's checked queries sent
    to the store's endpoint (the predeclared prefixes on the text's first line, so the store's error
    positions keep their line numbers), each within the time left of the query's limit, the answer
    capped, read and written again as the pool writes it (XML checked the same way)."""

    def __init__(self, store: RemoteStore, timeout: float, result_bytes: int) -> None:
        self.store, self.timeout, self.result_bytes = store, timeout, result_bytes
        self.in_flight = 0

    async def start(self) -> None:
        """Nothing to start: the store is another server."""

    async def close(self) -> None:
        """Nothing to stop."""

    async def drain(self, limit: float) -> None:
        """Queries in flight are the other server's; nothing to wait for here."""

    async def run(self, job: Job, arrival: float) -> bytes:
        import asyncio

        from .execution import written

        left = self.timeout - (asyncio.get_running_loop().time() - arrival)
        if left <= 0:
            raise QueryTimeoutError(f"the query ran longer than {self.timeout:g} s and was stopped")
        prologue = (f"BASE <{job.base_iri}> " if job.base_iri else "") + ONE_LINE_PROLOGUE
        text = prologue + job.query
        dataset = {"default_graph": [ox.NamedNode(g) for g in job.dataset.default_graphs],
                   "named_graphs": [ox.NamedNode(g) for g in job.dataset.named_graphs]}
        shape = inspect(job.query)
        if shape.undeclared_at is not None:  # said as the embedded engine says it, before a store with
            raise undeclared_prefix(job.query, shape.undeclared_at)  # prefixes of its own (Virtuoso) answers
        form = shape.form
        # Read in JSON or N-Triples and written here (below): a CSV or TSV answer is smaller than that JSON.
        accept, cap = (N_TRIPLES, self.result_bytes) if form in GRAPH_FORMS else \
            (JSON_RESULTS, JSON_PER_CSV * self.result_bytes)
        self.in_flight += 1
        try:
            # wait_for answers at the limit; the thread behind it stops at its next read (read_within).
            body = await asyncio.wait_for(asyncio.to_thread(self.store.request, text, accept, dataset, left, cap),
                                          left + 1)
        except TimeoutError:
            raise QueryTimeoutError(f"the query ran longer than {self.timeout:g} s and was stopped") from None
        except StoreSyntaxError as error:  # as the embedded engine says it; line 1 counted the prologue too
            words = FIRST_LINE_POSITION.sub(lambda m: f"at 1:{max(1, int(m[1]) - len(prologue))}", error.message,
                                            count=1)
            raise syntax_error(job.query, SyntaxError(words)) from None
        finally:
            self.in_flight -= 1
        # Written here as the embedded store writes it: the same bytes from every store, whatever its own
        # serialisers do (Virtuoso: extra JSON members, every CSV value quoted, ASK as a result set).
        answer = await asyncio.to_thread(lambda: written(parsed(body, form), job.media))
        assert answer is not None
        if len(answer) > self.result_bytes:
            raise too_large(self.result_bytes)
        return answer


def undeclared_prefix(query: str, end: int) -> QuerySyntaxError:
    """The embedded engine's error for the prefixed name ending at offset `end` (its line:column is
    the position just after the name), through the same wording (store.syntax_error)."""
    line, column = query.count("\n", 0, end) + 1, end - query.rfind("\n", 0, end)
    return syntax_error(query, SyntaxError(f"error at {line}:{column}: Prefix not found"))


COPY_TIMEOUT = 600.0  # seconds for the copy at start: a build's work (as push's), not bound by /sparql's limit


def mirror(endpoint: str, settings: Settings) -> BuiltGraph:
    """The graph a remote store holds, read once into memory for what needs every quad (the dumps, the
    VoID statistics, the SHACL report), as a build: its version is the one `push` wrote, and its SHACL
    report is made again from the quads with this installation's shapes."""
    from .build import BuiltGraph, quads_of
    from .loading import parse_folder
    from .validation import to_rdflib, validate

    store = RemoteStore(endpoint, COPY_TIMEOUT)
    version = store.version()
    if version is None:
        raise QueryFailedError(f"the store at {store.endpoint} holds no commit-kg graph (no version graph "
                               f"<{VERSION_GRAPH}>): write one with `commit-kg load --into`")
    local = ox.Store()
    ours = f'FILTER(STRSTARTS(STR(?g), "{GRAPH}"))'  # a store may hold other graphs (Virtuoso's own)
    found = store.query(f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {ours} }}")
    assert isinstance(found, ox.QuerySolutions)
    local.extend(ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in found)
    held = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {ours} }}")[0]["n"].value
    if len(local) != int(held):
        raise QueryFailedError(f"the store at {store.endpoint} holds {held} quads of this graph but answered "
                               f"{len(local)}: raise its limit on result rows (Virtuoso: [SPARQL] ResultSetMaxRows)")
    by_kind: dict[str, list[ox.Quad]] = {"ontology": [], "data": []}
    for quad in local:
        kind = str(quad.graph_name.value).removeprefix(GRAPH).split("/", 1)[0]
        if kind != "version":  # what the build validates: ontology, data and derived graphs
            by_kind["ontology" if kind == "ontology" else "data"].append(quad)
    shapes = quads_of(parse_folder("shapes", settings.shapes_dir))
    result = validate(to_rdflib(by_kind["data"]), to_rdflib(shapes), to_rdflib(by_kind["ontology"]))
    return BuiltGraph(local, result, tuple(settings.reference_days()), (), version)
