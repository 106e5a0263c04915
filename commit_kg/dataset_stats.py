"""Dataset statistics for VoID: triple, subject and object counts, class and property partitions,
for the whole dataset and for each named graph, computed with a few grouped SPARQL queries.

The whole dataset is the set of quads of the store: its `triples` is the number of quads (what
`SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }` returns, plus any quad in the default
graph), so it equals `len(store)`; subjects, objects and class instances are counted distinct across
graphs.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass(frozen=True)
class GraphStats:
    """Counts for one graph, or for the whole dataset when `graph` is None."""

    graph: str | None
    triples: int
    subjects: int
    objects: int
    classes: dict[str, int]  # class IRI → distinct instances
    properties: dict[str, int]  # property IRI → triples


# Each query reads every quad of the store, named graphs and the default graph alike; `?g` is unbound
# for the default graph (the OPTIONAL-free UNION keeps the two apart).
_QUADS = "{ GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o }"
_TYPED = f"{{ GRAPH ?g {{ ?s <{RDF_TYPE}> ?c }} }} UNION {{ ?s <{RDF_TYPE}> ?c }}"

_PER_GRAPH = f"""SELECT ?g (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?ns) (COUNT(DISTINCT ?o) AS ?no)
WHERE {{ {_QUADS} }} GROUP BY ?g"""
_WHOLE = f"""SELECT (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?ns) (COUNT(DISTINCT ?o) AS ?no)
WHERE {{ {_QUADS} }}"""
_PROPERTIES = f"SELECT ?g ?p (COUNT(*) AS ?t) WHERE {{ {_QUADS} }} GROUP BY ?g ?p"
_CLASSES_PER_GRAPH = f"SELECT ?g ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {_TYPED} }} GROUP BY ?g ?c"
_CLASSES_WHOLE = f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {_TYPED} }} GROUP BY ?c"


def _int(term: ox.Term | None) -> int:
    return int(term.value) if term is not None else 0


def _graph(term: ox.Term | None) -> str | None:
    return term.value if isinstance(term, ox.NamedNode) else None


def _sorted(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items()))


def statistics(store: ox.Store) -> list[GraphStats]:
    """One GraphStats for the whole dataset (graph None) first, then one per named graph sorted by IRI.

    Only IRIs are reported as classes and properties (a blank-node class has no partition to name).
    A quad in the default graph counts towards the whole dataset but has no GraphStats of its own.
    """
    # With use_default_graph_as_union=False the default graph is the real default graph, so each
    # quad is seen once: in the GRAPH ?g branch if it is in a named graph, else in the other.
    def rows(query: str) -> ox.QuerySolutions:
        result = store.query(query, use_default_graph_as_union=False)
        assert isinstance(result, ox.QuerySolutions)
        return result

    whole_row = next(iter(rows(_WHOLE)))
    counts: dict[str | None, tuple[int, int, int]] = {}
    for row in rows(_PER_GRAPH):
        counts[_graph(row["g"])] = (_int(row["t"]), _int(row["ns"]), _int(row["no"]))

    properties: dict[str | None, dict[str, int]] = {}
    whole_properties: dict[str, int] = {}
    for row in rows(_PROPERTIES):
        prop, n = row["p"].value, _int(row["t"])
        graph = _graph(row["g"])
        properties.setdefault(graph, {})[prop] = n
        whole_properties[prop] = whole_properties.get(prop, 0) + n

    classes: dict[str | None, dict[str, int]] = {}
    for row in rows(_CLASSES_PER_GRAPH):
        if isinstance(row["c"], ox.NamedNode):
            classes.setdefault(_graph(row["g"]), {})[row["c"].value] = _int(row["n"])
    whole_classes = {row["c"].value: _int(row["n"])
                     for row in rows(_CLASSES_WHOLE) if isinstance(row["c"], ox.NamedNode)}

    result = [GraphStats(None, _int(whole_row["t"]), _int(whole_row["ns"]), _int(whole_row["no"]),
                         _sorted(whole_classes), _sorted(whole_properties))]
    # Named graphs without any quad do not exist in a pyoxigraph store, so the grouped rows list them all.
    for graph in sorted(g for g in counts if g is not None):
        triples, subjects, objects = counts[graph]
        result.append(GraphStats(graph, triples, subjects, objects,
                                 _sorted(classes.get(graph, {})), _sorted(properties.get(graph, {}))))
    return result
