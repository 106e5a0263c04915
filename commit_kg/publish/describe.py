"""Reading a resource's description (and the ontology) from the graph, and indexing its triples for
rendering: what /id/... and /ontology represent. The queries are the service's internal ones
(queries/internal/)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from ..catalogue import Catalogue
from ..namespaces import PREFIXES
from ..store import EmbeddedStore


def ns(prefix: str, local: str) -> str:
    return PREFIXES[prefix] + local


RDF_TYPE, RDF_FIRST, RDF_REST = ns("rdf", "type"), ns("rdf", "first"), ns("rdf", "rest")
RDF_NIL = ox.NamedNode(ns("rdf", "nil"))
LABEL, PREF_LABEL = ns("rdfs", "label"), ns("skos", "prefLabel")
# Properties a description lists first, in this order; the rest follow by name.
FIRST = {RDF_TYPE: 0, LABEL: 1, PREF_LABEL: 2}


def description(store: EmbeddedStore, catalogue: Catalogue, iri: str) -> list[ox.Triple]:
    """What the resource says (one level of its blank nodes), what points at it and the labels of every
    IRI met, sorted so that each subject's triples are together; [] if the IRI is in no triple."""
    return catalogue.own("resource-description").triples(store, r=ox.NamedNode(iri))


def ontology_triples(store: EmbeddedStore, catalogue: Catalogue) -> list[ox.Triple]:
    """Every triple of the ontology's named graphs (one per file of ontology/)."""
    return catalogue.own("ontology-triples").triples(store)


class Index:
    """Triples by subject and predicate, and by object and predicate, for rendering."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.out: dict[ox.Term, dict[str, list[ox.Term]]] = defaultdict(lambda: defaultdict(list))
        self.into: dict[ox.Term, dict[str, list[ox.Term]]] = defaultdict(lambda: defaultdict(list))
        for t in triples:
            self.out[t.subject][t.predicate.value].append(t.object)
            self.into[t.object][t.predicate.value].append(t.subject)

    def objects(self, subject: ox.Term, predicate: str) -> list[ox.Term]:
        return self.out.get(subject, {}).get(predicate, [])

    def subjects(self, predicate: str, obj: ox.Term) -> list[ox.Term]:
        return self.into.get(obj, {}).get(predicate, [])

    def first(self, subject: ox.Term, predicate: str) -> ox.Term | None:
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def items(self, head: ox.Term) -> list[ox.Term]:
        """The members of an RDF list (stops at a cycle or a malformed cell)."""
        members, seen = [], set()
        while head != RDF_NIL and head not in seen and (first := self.first(head, RDF_FIRST)) is not None:
            seen.add(head)
            members.append(first)
            head = self.first(head, RDF_REST) or RDF_NIL
        return members
