"""The embedded store behind every query: pyoxigraph, queried over the union of the named graphs."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod

import pyoxigraph as ox

from .errors import QuerySyntaxError
from .namespaces import PREFIXES
from .sparql_text import substitute

# A remote store answers CONSTRUCT / DESCRIBE as a list of triples.
QueryAnswer = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list[ox.Triple]
POSITION = re.compile(r"error at (\d+):(\d+): ")
# The prefixed name the parser stopped after (SPARQL PNAME_NS + local part), read back from its position.
PREFIXED_NAME = re.compile(r"([^\s:{}()<>\[\];,\"'^|?$*+!=/&]*):[^\s:]*$")


def syntax_error(sparql: str, error: SyntaxError) -> QuerySyntaxError:
    """The parser's message with its line:column; for a prefix that is not declared, one line naming it
    (the parser reports the position just after the prefixed name) and the predeclared prefixes."""
    text = str(error)
    position = POSITION.match(text)
    if position and "Prefix not found" in text:
        line, column = int(position[1]), int(position[2])
        lines = sparql.splitlines()
        before = lines[line - 1][: column - 1] if 0 < line <= len(lines) else ""
        name = PREFIXED_NAME.search(before)
        if name:
            prefix = name[1][:60]
            return QuerySyntaxError(
                f"SPARQL syntax error at {line}:{column}: undeclared prefix '{prefix}:'; declare it with "
                f"PREFIX {prefix}: <namespace IRI>, or use a predeclared prefix ({', '.join(PREFIXES)})")
    return QuerySyntaxError(f"SPARQL syntax error: {text}")


class Store(ABC):
    """What every view reads the graph through: a SPARQL query with bound terms, over the union of
    the named graphs. Two kinds: the embedded pyoxigraph store (here) and a remote SPARQL 1.1 store
    (commit_kg/remote_store.py); answers are pyoxigraph's types either way."""

    @abstractmethod
    def query(self, sparql: str, *, substitutions: dict[ox.Variable, ox.Term] | None = None,
              base_iri: str | None = None, dataset: dict | None = None) -> QueryAnswer:
        """Run a SPARQL query; values in `substitutions` are bound as RDF terms, never spliced in."""

    def select(self, sparql: str, **bound: ox.Term) -> list[dict[str, ox.Term]]:
        """A SELECT answer as dicts of variable name to term (unbound names left out); `bound`
        values are substituted as RDF terms."""
        solutions = self.query(sparql, substitutions={ox.Variable(k): v for k, v in bound.items()} or None)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in solutions]


class EmbeddedStore(Store):
    """A read-only view of a built pyoxigraph store; the default graph is the union of all graphs."""

    def __init__(self, store: ox.Store) -> None:
        self._store = store

    def query(self, sparql: str, *, substitutions: dict[ox.Variable, ox.Term] | None = None,
              base_iri: str | None = None, dataset: dict | None = None) -> QueryAnswer:
        """Run a SPARQL query; values in `substitutions` are bound as RDF terms, written into the text
        by pyoxigraph's own serialiser (`sparql_text.substitute`), never from request text: the planner
        then sees them as constants. Given as pyoxigraph's `substitutions`, they are not: `pair-instruments`
        took 3-4 times as long on the 1M-triple synthetic world (bench/README.md, "Parameters as constants").
        `dataset` (pyoxigraph's default_graph / named_graphs arguments) replaces the union default graph;
        an empty one leaves the dataset to the query's FROM / FROM NAMED.

        Raises QuerySyntaxError with the parser's line:column when the text does not parse.
        """
        if substitutions:
            sparql = substitute(sparql, {variable.value: str(term) for variable, term in substitutions.items()})
        try:
            return self._store.query(
                sparql,
                prefixes=PREFIXES,
                base_iri=base_iri,
                **({"use_default_graph_as_union": True} if dataset is None else dataset),
            )
        except SyntaxError as error:
            raise syntax_error(sparql, error) from None
