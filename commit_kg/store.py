"""The embedded store behind every query: pyoxigraph, queried over the union of the named graphs."""

from __future__ import annotations

import pyoxigraph as ox

from .errors import QuerySyntaxError
from .namespaces import PREFIXES

QueryAnswer = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


class EmbeddedStore:
    """A read-only view of a built pyoxigraph store; the default graph is the union of all graphs."""

    def __init__(self, store: ox.Store) -> None:
        self._store = store

    def query(self, sparql: str, *, substitutions: dict[ox.Variable, ox.Term] | None = None) -> QueryAnswer:
        """Run a SPARQL query; values in `substitutions` are bound as RDF terms, never spliced in.

        Raises QuerySyntaxError with the parser's line:column when the text does not parse.
        """
        try:
            return self._store.query(
                sparql,
                prefixes=PREFIXES,
                use_default_graph_as_union=True,
                substitutions=substitutions,
            )
        except SyntaxError as error:
            raise QuerySyntaxError(f"SPARQL syntax error: {error}") from None
