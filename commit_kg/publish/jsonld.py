"""A small JSON-LD writer: compacted with the project's prefixes, named graphs kept, in the order of
sorted quads (so that the same quads give the same bytes); no JSON-LD processor needed to write it."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from ..namespaces import PREFIXES

RDF = PREFIXES["rdf"]
XSD = PREFIXES["xsd"]

# The published @context (/dumps/context.jsonld): the project's prefixes. The JSON-LD dump and every
# JSON-LD description carry it inline, so that each parses on its own, offline.
CONTEXT_PREFIXES = {name: PREFIXES[name] for name in (
    "ck", "id", "rdf", "rdfs", "skos", "dcterms", "prov", "owl", "xsd", "org", "schema", "time")}


def compact(iri: str, prefixes: dict[str, str]) -> str:
    """A JSON-LD compact IRI (prefix:suffix) when a prefix fits and the result cannot be misread."""
    best = None
    for name, namespace in prefixes.items():
        if iri.startswith(namespace) and len(iri) > len(namespace) and (best is None or len(namespace) > len(best[1])):
            best = (name, namespace)
    if best is None:
        return iri
    suffix = iri[len(best[1]):]
    if suffix.startswith("//"):
        return iri
    return f"{best[0]}:{suffix}"


def jsonld_term(term: ox.Term, prefixes: dict[str, str]) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return compact(term.value, prefixes)


def jsonld_value(term: ox.Term, prefixes: dict[str, str]) -> object:
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == XSD + "string":
            return term.value
        return {"@value": term.value, "@type": compact(term.datatype.value, prefixes)}
    return {"@id": jsonld_term(term, prefixes)}


def jsonld_nodes(quads: Iterable[ox.Quad], prefixes: dict[str, str]) -> list[dict]:
    """Node objects, one per subject, in the order the quads come (sorted quads: sorted nodes)."""
    nodes: dict[ox.Term, dict] = {}
    for q in quads:
        node = nodes.setdefault(q.subject, {"@id": jsonld_term(q.subject, prefixes)})
        if q.predicate.value == RDF + "type" and isinstance(q.object, ox.NamedNode | ox.BlankNode):
            node.setdefault("@type", []).append(jsonld_term(q.object, prefixes))
        else:
            node.setdefault(compact(q.predicate.value, prefixes), []).append(jsonld_value(q.object, prefixes))
    return list(nodes.values())


def to_jsonld(quads: list[ox.Quad], context: object, prefixes: dict[str, str]) -> bytes:
    """JSON-LD (compacted with the prefixes of `context`) keeping named graphs; quads must be sorted."""
    by_graph: dict[ox.Term, list[ox.Quad]] = defaultdict(list)
    for q in quads:
        by_graph[q.graph_name].append(q)
    top: list[dict] = jsonld_nodes(by_graph.pop(ox.DefaultGraph(), []), prefixes)
    for graph, members in by_graph.items():
        top.append({"@id": jsonld_term(graph, prefixes), "@graph": jsonld_nodes(members, prefixes)})
    return (json.dumps({"@context": context, "@graph": top}, ensure_ascii=False, indent=1) + "\n").encode()


def context_document() -> bytes:
    """The published @context (/dumps/context.jsonld)."""
    return (json.dumps({"@context": CONTEXT_PREFIXES}, indent=2) + "\n").encode()
