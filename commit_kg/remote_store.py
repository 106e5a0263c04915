"""A remote SPARQL 1.1 server as the store: the same `query` / `select` as the embedded store, through
SPARQLWrapper, with answers parsed back into pyoxigraph's types; and `push`, which writes a built,
validated graph into such a server.

The server must answer queries over the union of the named graphs as its default graph, as the
embedded store does (Oxigraph: `serve --union-default-graph`; Jena Fuseki/TDB2: `tdb2:unionDefaultGraph
true`; GraphDB and Virtuoso do so by default). Bound parameters become terms in the query text through
`sparql_text.substitute` (the terms serialised by pyoxigraph), since the protocol has no substitution
argument.
"""

from __future__ import annotations

import ast
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

VERSION_INFO = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
PROLOGUE = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())


class StoreSyntaxError(QuerySyntaxError):
    """The store's parser refused the text; `message` is its own words ("error at L:C: ...")."""


def engine_words(said: str) -> str:
    """The store's answer body as SPARQLWrapper quotes it (a bytes literal), read back as text."""
    if said[:2] in ("b'", 'b"'):
        try:
            return ast.literal_eval(said).decode("utf-8", "replace")
        except (ValueError, SyntaxError):
            pass
    return said


class RemoteStore(Store):
    """A SPARQL 1.1 query endpoint read as the store (see the module docstring)."""

    def __init__(self, endpoint: str, timeout: float = 60.0) -> None:
        self.endpoint, self.timeout = endpoint, timeout

    def query(self, sparql: str, *, substitutions: dict[ox.Variable, ox.Term] | None = None,
              base_iri: str | None = None, dataset: dict | None = None) -> QueryAnswer:
        text = substitute(sparql, {v.value: str(t) for v, t in substitutions.items()}) if substitutions else sparql
        # The predeclared prefixes first: a query's own PREFIX, later in the prologue, wins.
        text = (f"BASE <{base_iri}>\n" if base_iri else "") + PROLOGUE + text
        graph_form = inspect(text).form in ("CONSTRUCT", "DESCRIBE")
        try:
            body = self.request(text, "application/n-triples" if graph_form else "application/sparql-results+json",
                                dataset)
        except StoreSyntaxError as error:
            raise syntax_error(text, SyntaxError(error.message)) from None
        if graph_form:
            return [quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)

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


def push(store: ox.Store, version: str, update_endpoint: str, timeout: float = 600.0) -> int:
    """Write every named graph of a built store into a SPARQL 1.1 server through its Update endpoint,
    in one request: the graphs this project wrote before are dropped, the new ones inserted and the
    version graph written last. Servers that run one Update request as one transaction (Oxigraph,
    Jena Fuseki/TDB2, GraphDB) never show a reader half a version. Returns the quads written."""
    from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper

    quads = [q for q in store if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value != VERSION_GRAPH]
    drop_ours = (f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                 f'FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }} ;')
    lines = [drop_ours, "INSERT DATA {"]
    by_graph: dict[str, list[str]] = {}
    for quad in quads:
        by_graph.setdefault(str(quad.graph_name), []).append(f"{quad.subject} {quad.predicate} {quad.object} .")
    for graph, triples in sorted(by_graph.items()):
        lines += [f"GRAPH {graph} {{", *triples, "}"]
    lines += [f"GRAPH <{VERSION_GRAPH}> {{ <{GRAPH}> <{VERSION_INFO.value}> {ox.Literal(version)} . }}", "}"]
    client = SPARQLWrapper(update_endpoint, updateEndpoint=update_endpoint)
    client.setMethod(POST)
    client.setRequestMethod(URLENCODED)
    client.setQuery("\n".join(lines))
    client.setTimeout(max(1, round(timeout)))
    try:
        client.query()
    except urllib.error.URLError as error:
        raise QueryFailedError(f"the store at {update_endpoint} could not be reached ({error.reason})") from None
    except Exception as error:  # noqa: BLE001 - SPARQLWrapper's HTTP errors carry the server's words
        words = str(error).splitlines()[0][:300] if str(error) else "no answer"
        raise QueryFailedError(f"the store at {update_endpoint} refused the update: {words}") from None
    return len(quads) + 1  # and the version


# ---------------------------------------------------------------- serving from a remote store

FIRST_LINE_POSITION = re.compile(r"at 1:(\d+)")
JSON_PER_CSV = 4  # a SELECT in SPARQL JSON is some 2-4 times its CSV: the bound on the JSON read for a CSV answer
ONE_LINE_PROLOGUE = " ".join(f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in PREFIXES.items()) + " "


class RemoteQueries:
    """What the worker pool is to the embedded store, for a remote one: /sparql's checked queries sent
    to the store's endpoint (the predeclared prefixes on the text's first line, so the store's error
    positions keep their line numbers), each within the time left of the query's limit, the answer
    capped and XML answers checked as the pool checks them."""

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

        from .well_formed import XML_MEDIA, checked

        left = self.timeout - (asyncio.get_running_loop().time() - arrival)
        if left <= 0:
            raise QueryTimeoutError(f"the query ran longer than {self.timeout:g} s and was stopped")
        prologue = (f"BASE <{job.base_iri}> " if job.base_iri else "") + ONE_LINE_PROLOGUE
        text = prologue + job.query
        dataset = {"default_graph": [ox.NamedNode(g) for g in job.dataset.default_graphs],
                   "named_graphs": [ox.NamedNode(g) for g in job.dataset.named_graphs]}
        # The store's CSV leaves an IRI with a comma in it unquoted (oxigraph 0.5), as pyoxigraph's does: CSV
        # is written here from its JSON, as the embedded store's workers write it (execution.csv_results).
        csv = job.media == "text/csv"
        media, cap = ("application/sparql-results+json", JSON_PER_CSV * self.result_bytes) if csv else \
            (job.media, self.result_bytes)
        self.in_flight += 1
        try:
            # wait_for answers at the limit; the thread behind it stops at its next read (read_within).
            body = await asyncio.wait_for(asyncio.to_thread(self.store.request, text, media, dataset, left, cap),
                                          left + 1)
        except TimeoutError:
            raise QueryTimeoutError(f"the query ran longer than {self.timeout:g} s and was stopped") from None
        except StoreSyntaxError as error:  # as the embedded engine says it; line 1 counted the prologue too
            words = FIRST_LINE_POSITION.sub(lambda m: f"at 1:{max(1, int(m[1]) - len(prologue))}", error.message,
                                            count=1)
            raise syntax_error(job.query, SyntaxError(words)) from None
        finally:
            self.in_flight -= 1
        if csv:
            body = as_csv(body)
            if len(body) > self.result_bytes:
                raise too_large(self.result_bytes)
        return checked(body, job.media) if job.media in XML_MEDIA else body


def as_csv(json_body: bytes) -> bytes:
    """A SPARQL JSON answer (SELECT or ASK) in SPARQL CSV, written as the embedded store's workers write it."""
    from .execution import csv_results

    answer = ox.parse_query_results(json_body, format=ox.QueryResultsFormat.JSON)
    if isinstance(answer, ox.QuerySolutions):
        return csv_results(answer, None) or b""
    return answer.serialize(format=ox.QueryResultsFormat.CSV)


def mirror(store: RemoteStore, settings: Settings) -> BuiltGraph:
    """The graph a remote store holds, read once into memory for what needs every quad (the dumps, the
    VoID statistics, the SHACL report), as a build: its version is the one `push` wrote, and its SHACL
    report is made again from the quads with this installation's shapes."""
    from .build import BuiltGraph, quads_of
    from .loading import parse_folder
    from .validation import to_rdflib, validate

    version = store.version()
    if version is None:
        raise QueryFailedError(f"the store at {store.endpoint} holds no commit-kg graph (no version graph "
                               f"<{VERSION_GRAPH}>): write one with `commit-kg load --into`")
    local = ox.Store()
    found = store.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(found, ox.QuerySolutions)
    local.extend(ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in found)
    by_kind: dict[str, list[ox.Quad]] = {"ontology": [], "data": []}
    for quad in local:
        kind = str(quad.graph_name.value).removeprefix(GRAPH).split("/", 1)[0]
        if kind != "version":  # what the build validates: ontology, data and derived graphs
            by_kind["ontology" if kind == "ontology" else "data"].append(quad)
    shapes = quads_of(parse_folder("shapes", settings.shapes_dir))
    result = validate(to_rdflib(by_kind["data"]), to_rdflib(shapes), to_rdflib(by_kind["ontology"]))
    return BuiltGraph(local, result, tuple(settings.reference_days()), (), version)
