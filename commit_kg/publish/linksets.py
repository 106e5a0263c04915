"""VoID linksets: the links from our resources to each other dataset (Wikidata, the UN Treaty Collection,
the UN SDG knowledge organisation system), one void:Linkset per target dataset and link predicate, with
its triples counted from the graph of the build, so the VoID description can never disagree with it.

A link is a triple whose subject is one of our resources (under `id/`), whose predicate is owl:sameAs,
schema:sameAs or a SKOS mapping property, and whose object is an IRI in a target's IRI space; a triple
stated in two named graphs counts once. UN M49 has no target here: the UN publishes no IRI per code
(data/alignments/countries.ttl says what was searched), so the graph holds no M49 link to count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pyoxigraph as ox

from ..namespaces import ID, PREFIXES

SKOS = PREFIXES["skos"]
LINK_PREDICATES = (
    PREFIXES["owl"] + "sameAs", PREFIXES["schema"] + "sameAs",
    SKOS + "exactMatch", SKOS + "closeMatch", SKOS + "relatedMatch", SKOS + "broadMatch", SKOS + "narrowMatch",
)


@dataclass(frozen=True)
class Target:
    """Another dataset our resources link to: its IRI spaces say which objects belong to it."""

    slug: str
    title: str
    homepage: str
    uri_spaces: tuple[str, ...]

    def holds(self, iri: str) -> bool:
        return iri.startswith(self.uri_spaces)


TARGETS = (
    Target("wikidata", "Wikidata", "https://www.wikidata.org/", ("http://www.wikidata.org/entity/",)),
    # The Collection's pages are served over http and https; both are its IRIs.
    Target("untc", "United Nations Treaty Collection", "https://treaties.un.org/",
           ("https://treaties.un.org/", "http://treaties.un.org/")),
    Target("sdg", "United Nations Sustainable Development Goals knowledge organisation system",
           "http://metadata.un.org/sdg", ("http://metadata.un.org/sdg/",)),
)


@dataclass(frozen=True)
class Linkset:
    target: Target
    predicate: str
    triples: int


_LINKS = f"""SELECT DISTINCT ?s ?p ?o WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  VALUES ?p {{ {' '.join(f'<{p}>' for p in LINK_PREDICATES)} }}
  FILTER(isIRI(?s) && isIRI(?o) && STRSTARTS(STR(?s), "{ID}"))
}}"""


def count_linksets(store: ox.Store) -> list[Linkset]:
    """One Linkset per (target, predicate) that has at least one link, in the order of TARGETS then predicate."""
    counts: Counter[tuple[str, str]] = Counter()
    for row in store.query(_LINKS):  # type: ignore[union-attr]
        target = next((t for t in TARGETS if t.holds(row["o"].value)), None)
        if target is not None:
            counts[(target.slug, row["p"].value)] += 1
    return [Linkset(t, p, counts[(t.slug, p)]) for t in TARGETS for p in LINK_PREDICATES if counts[(t.slug, p)]]


def linkset_quads(linksets: list[Linkset], dataset: ox.NamedNode, base: str) -> list[ox.Quad]:
    """The VoID description of each linkset (subjects: our `dataset`) and of each target dataset."""
    void, rdf, dcterms = "http://rdfs.org/ns/void#", PREFIXES["rdf"], PREFIXES["dcterms"]
    out: list[ox.Quad] = []

    def add(s: ox.NamedNode, p: str, o: ox.Term) -> None:
        out.append(ox.Quad(s, ox.NamedNode(p), o))

    for linkset in linksets:
        target = ox.NamedNode(f"{base}/.well-known/void#target-{linkset.target.slug}")
        add(target, rdf + "type", ox.NamedNode(void + "Dataset"))
        add(target, dcterms + "title", ox.Literal(linkset.target.title, language="en"))
        add(target, "http://xmlns.com/foaf/0.1/homepage", ox.NamedNode(linkset.target.homepage))
        for space in linkset.target.uri_spaces:
            add(target, void + "uriSpace", ox.Literal(space))
        local = linkset.predicate.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        node = ox.NamedNode(f"{base}/.well-known/void#linkset-{linkset.target.slug}-{local}")
        add(node, rdf + "type", ox.NamedNode(void + "Linkset"))
        add(node, void + "subjectsTarget", dataset)
        add(node, void + "objectsTarget", target)
        add(node, void + "linkPredicate", ox.NamedNode(linkset.predicate))
        add(node, void + "triples", ox.Literal(str(linkset.triples), datatype=ox.NamedNode(PREFIXES["xsd"] + "integer")))
    return out
