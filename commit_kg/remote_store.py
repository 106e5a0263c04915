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

import urllib.error

import pyoxigraph as ox

from .errors import QueryFailedError, QuerySyntaxError
from .namespaces import GRAPH, PREFIXES
from .sparql_text import inspect, substitute
from .store import QueryAnswer, Store

VERSION_GRAPH = GRAPH + "version"  # written last by `push`: the version the server holds
VERSION_SUBJECT = ox.NamedNode(GRAPH)
VERSION_INFO = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
PROLOGUE = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())


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
        body = self.request(text, "application/n-triples" if graph_form else "application/sparql-results+json",
                            dataset)
        if graph_form:
            return [quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)

    def request(self, text: str, accept: str, dataset: dict | None) -> bytes:
        from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper

        client = SPARQLWrapper(self.endpoint)
        client.setMethod(POST)
        client.setRequestMethod(URLENCODED)
        client.setQuery(text)
        client.setOnlyConneg(True)
        client.addCustomHttpHeader("Accept", accept)
        client.setTimeout(max(1, round(self.timeout)))
        for graph in (dataset or {}).get("default_graph", []):
            client.addParameter("default-graph-uri", graph.value)
        for graph in (dataset or {}).get("named_graphs", []):
            client.addParameter("named-graph-uri", graph.value)
        try:
            return client.query().response.read()
        except urllib.error.URLError as error:
            raise QueryFailedError(f"the store at {self.endpoint} could not be reached ({error.reason})") from None
        except Exception as error:  # noqa: BLE001 - SPARQLWrapper's HTTP errors carry the server's words
            words = str(error).splitlines()[0][:300] if str(error) else "no answer"
            if "QueryBadFormed" in type(error).__name__:
                raise QuerySyntaxError(f"SPARQL syntax error (from the store): {words}") from None
            raise QueryFailedError(f"the store at {self.endpoint} failed: {words}") from None

    def version(self) -> str | None:
        """The version `push` wrote last, or None when the store holds none."""
        rows = self.select(f"SELECT ?v WHERE {{ GRAPH <{VERSION_GRAPH}> {{ <{GRAPH}> <{VERSION_INFO.value}> ?v }} }}")
        return rows[0]["v"].value if rows else None


def push(store: ox.Store, version: str, update_endpoint: str, timeout: float = 600.0) -> int:
    """Write every named graph of a built store into a SPARQL 1.1 server through its Update endpoint,
    in one request: the graphs this project wrote before are dropped, the new ones inserted and the
    version graph written last. Servers that run one Update request as one transaction (Oxigraph,
    Jena Fuseki/TDB2, GraphDB) never show a reader half a version. Returns the quads written."""
    from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper

    quads = [q for q in store if isinstance(q.graph_name, ox.NamedNode)]
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
    return len(quads) + 1
