"""Linked-data resources: every IRI under https://w3id.org/commit-kg/id/ resolves at /id/..., and the
ontology IRI at /ontology.

Each is served as HTML for browsers and as Turtle, JSON-LD, N-Triples or RDF/XML by negotiation
(`?format=` wins over Accept), with `Vary: Accept`, `Content-Location` naming the representation sent
and a `Link: rel="alternate"` for each other one. A resource's description holds what it says (with
one level of its blank nodes), what points at it (the instruments a country is party to), and the
labels of every IRI mentioned, so that a page can name them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Header, Query, Response

from ..errors import NotFoundError
from ..namespaces import CK, GRAPH, ID, ONTOLOGY, PREFIXES
from ..publish.jsonld import CONTEXT_PREFIXES, to_jsonld
from ..store import EmbeddedStore
from .deps import BaseDep, StoreDep
from .negotiation import parse_accept, requested_format
from .pages import (
    Terms,
    curie,
    document,
    esc,
    formats_nav,
    labels_of,
    link,
    public_url,
    table,
    text,
    values_list,
)

router = APIRouter()

HTML = "text/html"
JSON_LD = "application/ld+json"
RDF_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
# The `format` name of each representation, in the order the Link header and the pages list them.
FORMAT_OF = {
    "text/turtle": "ttl", "application/ld+json": "jsonld", "application/n-triples": "nt",
    "application/rdf+xml": "rdfxml", HTML: "html",
}
FORMAT_TITLES = {"ttl": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples", "rdfxml": "RDF/XML", "html": "HTML"}

FormatParam = Annotated[
    str | None, Query(alias="format", description="ttl, jsonld, nt, rdfxml or html; wins over Accept")
]

# ?r is bound to the resource (a substitution, never spliced in). Three parts: what it says, with one
# level of its blank nodes; what points at it; and the labels of every IRI met in those.
DESCRIPTION = """
CONSTRUCT {
  ?r ?p ?o . ?o ?bp ?bo . ?s ?ip ?r . ?x rdfs:label ?label . ?x skos:prefLabel ?pref .
} WHERE {
  { ?r ?p ?o OPTIONAL { FILTER(isBlank(?o)) ?o ?bp ?bo } }
  UNION { ?s ?ip ?r }
  UNION {
    { ?r ?x ?any } UNION { ?r ?any ?x } UNION { ?x ?any ?r } UNION { ?any ?x ?r }
    UNION { ?r ?any ?b FILTER(isBlank(?b)) ?b ?x ?y } UNION { ?r ?any ?b FILTER(isBlank(?b)) ?b ?y ?x }
    FILTER(isIRI(?x))
    { ?x rdfs:label ?label } UNION { ?x skos:prefLabel ?pref }
  }
}
"""

# Every triple of the ontology's named graphs (one per file of ontology/); the prefix is a constant.
ONTOLOGY_GRAPHS = f"""
CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH}ontology/")) }}
"""


def ns(prefix: str, local: str) -> str:
    return PREFIXES[prefix] + local


RDF_TYPE, RDF_FIRST, RDF_REST = ns("rdf", "type"), ns("rdf", "first"), ns("rdf", "rest")
RDF_NIL = ox.NamedNode(ns("rdf", "nil"))
LABEL, PREF_LABEL = ns("rdfs", "label"), ns("skos", "prefLabel")
# Properties a description lists first, in this order; the rest follow by name.
FIRST = {RDF_TYPE: 0, LABEL: 1, PREF_LABEL: 2}


# ---------------------------------------------------------------- negotiation and responses

def offered_types(accept: str | None) -> list[str]:
    """HTML first when the client names text/html itself (a browser), so it wins ties with the RDF
    types its wildcards reach; otherwise the RDF types first and HTML last."""
    names_html = any(r.type == "text" and r.subtype == "html" and r.q > 0 for r in parse_accept(accept or ""))
    rdf = list(RDF_TYPES)
    return [HTML, *rdf] if names_html else [*rdf, HTML]


def alternates(url: str, sent: str | None = None) -> list[tuple[str, str, str]]:
    """(href, media type, title) of each representation but the one sent."""
    return [(f"{url}?format={name}", media, FORMAT_TITLES[name])
            for media, name in FORMAT_OF.items() if media != sent]


def used_prefixes(triples: Iterable[ox.Triple]) -> dict[str, str]:
    """The project's prefixes that some IRI (or datatype) in `triples` starts with."""
    iris = set()
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {name: space for name, space in PREFIXES.items() if any(iri.startswith(space) for iri in iris)}


def represent(*, url: str, media: str, triples: list[ox.Triple], page: Callable[[], str]) -> Response:
    """The chosen representation of `triples` (the page is rendered only when HTML is chosen)."""
    if media == HTML:
        body = page().encode("utf-8")
    elif media == JSON_LD:
        body = to_jsonld([ox.Quad(t.subject, t.predicate, t.object) for t in triples], CONTEXT_PREFIXES, CONTEXT_PREFIXES)
    else:
        body = ox.serialize(triples, format=RDF_TYPES[media], prefixes=used_prefixes(triples))
    links = ", ".join(f'<{href}>; rel="alternate"; type="{other}"' for href, other, _ in alternates(url, media))
    headers = {"Vary": "Accept", "Link": links, "Content-Location": f"{url}?format={FORMAT_OF[media]}"}
    return Response(body, media_type=media, headers=headers)


# ---------------------------------------------------------------- reading the graph

def description(store: EmbeddedStore, iri: str) -> list[ox.Triple]:
    """The resource's description, sorted so that each subject's triples are together; [] if the IRI
    is in no triple."""
    answer = store.query(DESCRIPTION, substitutions={ox.Variable("r"): ox.NamedNode(iri)})
    assert isinstance(answer, ox.QueryTriples)
    return sorted(set(answer), key=str)


def ontology_triples(store: EmbeddedStore) -> list[ox.Triple]:
    answer = store.query(ONTOLOGY_GRAPHS)
    assert isinstance(answer, ox.QueryTriples)
    return sorted(set(answer), key=str)


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


# ---------------------------------------------------------------- /id/...

AcceptHeader = Annotated[str | None, Header(include_in_schema=False)]


@router.api_route("/id/{path:path}", methods=["GET", "HEAD"], summary="A resource of the graph, by negotiation")
def resource(path: str, store: StoreDep, base: BaseDep, accept: AcceptHeader = None,
             format_: FormatParam = None) -> Response:
    """The description of https://w3id.org/commit-kg/id/{path}: 404 when the IRI is in no triple,
    406 when no offered representation is acceptable."""
    iri = ID + path
    try:
        triples = description(store, iri)
    except ValueError:  # not an IRI at all (a space, an angle bracket...): nothing can describe it
        triples = []
    if not triples:
        raise NotFoundError(f"no resource <{iri}> in the graph")
    media = requested_format(format_, accept, offered_types(accept))
    url = public_url(iri, base) or iri
    return represent(url=url, media=media, triples=triples,
                     page=lambda: resource_page(iri, triples, base, alternates(url, HTML)))


def resource_page(iri: str, triples: list[ox.Triple], base: str, others: list[tuple[str, str, str]]) -> str:
    """A plain description: what the resource says, then what refers to it, then the other formats."""
    terms = Terms(base, labels_of(triples))
    index = Index(triples)
    me = ox.NamedNode(iri)
    title, heading = terms.heading(iri)
    types = [terms.term(t) for t in index.objects(me, RDF_TYPE)]

    def value(term: ox.Term, depth: int) -> str:
        """A term; a blank node the description holds, as a nested table (to a bounded depth)."""
        if isinstance(term, ox.BlankNode) and term in index.out and depth < 3:
            return property_table(term, depth + 1)
        return terms.term(term)

    def value_key(term: ox.Term) -> tuple[str, str]:
        if isinstance(term, ox.Literal):
            return (term.language or "", term.value)
        return ("", terms.name(term.value) if isinstance(term, ox.NamedNode) else "")

    def property_table(subject: ox.Term, depth: int = 0) -> str:
        rows = []
        for predicate in sorted(index.out[subject], key=lambda p: (p not in FIRST, FIRST.get(p, 0), terms.name(p))):
            objects = sorted(set(index.objects(subject, predicate)), key=value_key)
            rows.append((terms.iri(predicate), values_list([value(o, depth) for o in objects])))
        return table(("property", "value"), rows)

    incoming = sorted({(t.predicate.value, t.subject) for t in triples if t.object == me},
                      key=lambda ps: (terms.name(ps[0]), value_key(ps[1])))
    body = [
        f"<header><h1>{heading}</h1>",
        f'<p class="iri"><code>{esc(iri)}</code></p>',
        f"<p>{', '.join(types)}</p>" if types else "",
        formats_nav(others), "</header>",
        "<main>", "<h2>Description</h2>",
        property_table(me) if me in index.out else "<p>This resource states nothing itself.</p>",
        "<h2>Referenced by</h2>",
        table(("resource", "property"), ((terms.term(s), terms.iri(p)) for p, s in incoming))
        if incoming else "<p>Nothing in the graph refers to this resource.</p>",
        "</main>",
    ]
    return document(title=title, body="\n".join(part for part in body if part), alternates=others)


# ---------------------------------------------------------------- /ontology

@router.api_route("/ontology", methods=["GET", "HEAD"], summary="The commit-kg ontology, by negotiation")
def ontology(store: StoreDep, base: BaseDep, accept: AcceptHeader = None, format_: FormatParam = None) -> Response:
    """Every triple of the ontology's named graphs, or its HTML documentation; 406 when no offered
    representation is acceptable."""
    media = requested_format(format_, accept, offered_types(accept))
    triples = ontology_triples(store)
    if not triples:
        raise NotFoundError("the graph holds no ontology")
    url = f"{base}/ontology"
    return represent(url=url, media=media, triples=triples,
                     page=lambda: ontology_page(triples, base, alternates(url, HTML)))


OWL = PREFIXES["owl"]
SECTIONS = (  # (anchor, heading, the types whose ck: instances the section documents)
    ("classes", "Classes", {OWL + "Class", ns("rdfs", "Class")}),
    ("object-properties", "Object properties", {OWL + "ObjectProperty"}),
    ("datatype-properties", "Datatype properties", {OWL + "DatatypeProperty"}),
    ("annotation-properties", "Annotation properties", {OWL + "AnnotationProperty"}),
    ("other-properties", "Other properties", {ns("rdf", "Property")}),
)
TERM_FIELDS = (  # (what a reader sees, predicate, inverse?)
    ("Definition", ns("skos", "definition"), False),
    ("Comment", ns("rdfs", "comment"), False),
    ("Also called", ns("skos", "altLabel"), False),
    ("Type", RDF_TYPE, False),
    ("Subclass of", ns("rdfs", "subClassOf"), False),
    ("Subclasses", ns("rdfs", "subClassOf"), True),
    ("Subproperty of", ns("rdfs", "subPropertyOf"), False),
    ("Subproperties", ns("rdfs", "subPropertyOf"), True),
    ("Domain", ns("rdfs", "domain"), False),
    ("Range", ns("rdfs", "range"), False),
    ("Inverse of", OWL + "inverseOf", False),
    ("Equivalent to", OWL + "equivalentClass", False),
    ("Disjoint with", OWL + "disjointWith", False),
    ("Scope note", ns("skos", "scopeNote"), False),
    ("Example", ns("skos", "example"), False),
    ("Editorial note", ns("skos", "editorialNote"), False),
    ("Change note", ns("skos", "changeNote"), False),
)
VANN = "http://purl.org/vocab/vann/"
HEADER_FIELDS = (  # (what a reader sees, predicate, inverse?) of the ontology itself
    ("Version IRI", OWL + "versionIRI", False), ("Version", OWL + "versionInfo", False),
    ("Prior version", OWL + "priorVersion", False), ("Licence", ns("dcterms", "license"), False),
    ("Created", ns("dcterms", "created"), False), ("Modified", ns("dcterms", "modified"), False),
    ("Preferred prefix", VANN + "preferredNamespacePrefix", False),
    ("Namespace", VANN + "preferredNamespaceUri", False),
)
# Types a section already says, not repeated in a term's "Type" line.
SECTION_TYPES = set().union(*(types for _, _, types in SECTIONS)) | {OWL + "NamedIndividual"}
RESTRICTIONS = (  # OWL restriction property → the word a reader sees
    ("someValuesFrom", "some"), ("allValuesFrom", "only"), ("hasValue", "value"),
    ("cardinality", "exactly"), ("qualifiedCardinality", "exactly"),
    ("minCardinality", "at least"), ("minQualifiedCardinality", "at least"),
    ("maxCardinality", "at most"), ("maxQualifiedCardinality", "at most"),
)


def ontology_page(triples: list[ox.Triple], base: str, others: list[tuple[str, str, str]]) -> str:
    """Documentation generated from the ontology: its header, then classes, properties and individuals,
    each sorted by local name with the anchor id = its local name (so /ontology#Plan finds ck:Plan)."""
    return OntologyPage(triples, base).render(others)


class OntologyPage:
    """The ontology's HTML documentation, from its triples alone."""

    def __init__(self, triples: list[ox.Triple], base: str) -> None:
        self.base = base
        self.terms = Terms(base, labels_of(triples))
        self.index = Index(triples)

    def anchor(self, local: str) -> str:
        return f"{self.base}/ontology#{local}"

    def prose(self, term: ox.Term) -> str:
        """A text in its language (tagged when not English), a class expression, or a term."""
        if isinstance(term, ox.Literal) and (term.language or term.datatype.value == ns("xsd", "string")):
            tag = f' <span class="tag">@{esc(term.language)}</span>' if term.language not in (None, "en") else ""
            return text(term.value, term.language) + tag
        if isinstance(term, ox.BlankNode):
            return self.expression(term)
        return self.terms.term(term)

    def expression(self, node: ox.Term, depth: int = 0) -> str:
        """A class expression in words: unions, intersections, complements, enumerations, restrictions."""
        index, terms = self.index, self.terms
        if not isinstance(node, ox.BlankNode) or depth > 4:
            return terms.term(node)
        for predicate, word in ((OWL + "unionOf", " or "), (OWL + "intersectionOf", " and ")):
            if (head := index.first(node, predicate)) is not None:
                return "(" + word.join(self.expression(m, depth + 1) for m in index.items(head)) + ")"
        if (inner := index.first(node, OWL + "complementOf")) is not None:
            return "not " + self.expression(inner, depth + 1)
        if (members := index.first(node, OWL + "oneOf")) is not None:
            return "one of {" + ", ".join(terms.term(m) for m in index.items(members)) + "}"
        if (on := index.first(node, OWL + "onProperty")) is not None:
            for local, word in RESTRICTIONS:
                if (filler := index.first(node, OWL + local)) is not None:
                    qualified = index.first(node, OWL + "onClass")
                    tail = f" {self.expression(qualified, depth + 1)}" if qualified is not None else ""
                    return f"({terms.term(on)} {word} {self.expression(filler, depth + 1)}{tail})"
        return '<span class="tag">(anonymous class)</span>'

    @staticmethod
    def order(term: ox.Term) -> tuple[str, str]:
        """English (or untagged) texts first, then by language; then alphabetically."""
        value = term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else ""
        language = (term.language or "") if isinstance(term, ox.Literal) else ""
        return (language if language != "en" else "", value.casefold())

    def fields(self, subject: ox.Term, fields: Iterable[tuple[str, str, bool]]) -> str:
        """A definition list of the fields `subject` has; empty when it has none."""
        parts = []
        for name, predicate, inverse in fields:
            found = self.index.subjects(predicate, subject) if inverse else self.index.objects(subject, predicate)
            if predicate == RDF_TYPE:
                found = [t for t in found if t.value not in SECTION_TYPES]
            if found:
                items = "".join(f"<dd>{self.prose(t)}</dd>" for t in sorted(set(found), key=self.order))
                parts.append(f"<dt>{esc(name)}</dt>{items}")
        return f"<dl>{''.join(parts)}</dl>" if parts else ""

    def term_section(self, term: ox.NamedNode) -> str:
        local = term.value[len(CK):]
        thai = self.terms.label(term.value, "th")
        title = esc(self.terms.label(term.value) or local) + (f' <span lang="th">{esc(thai)}</span>' if thai else "")
        return (f'<section class="term" id="{esc(local)}"><h3>{title}</h3>'
                f"<p><code>{esc(curie(term.value))}</code></p>{self.fields(term, TERM_FIELDS)}</section>")

    def sections(self) -> list[tuple[str, str, str]]:
        """(anchor, heading, HTML) of each non-empty section; each ck: term in the first that fits."""
        index = self.index
        documented: set[ox.Term] = set()
        found = []
        for anchor, heading, types in (*SECTIONS, ("individuals", "Individuals", None)):
            if types is None:  # every other typed ck: term: named individuals, values of code lists
                members = {s for s in index.out if index.objects(s, RDF_TYPE)}
            else:
                members = {s for t in types for s in index.subjects(RDF_TYPE, ox.NamedNode(t))}
            members = {m for m in members if isinstance(m, ox.NamedNode) and m.value.startswith(CK)} - documented
            if not members:
                continue
            documented |= members
            ordered = sorted(members, key=lambda t: t.value[len(CK):].casefold())
            contents = ", ".join(link(self.anchor(t.value[len(CK):]), esc(t.value[len(CK):])) for t in ordered)
            found.append((anchor, heading, f'<section id="{anchor}"><h2>{esc(heading)}</h2><p>{contents}</p>'
                          + "".join(self.term_section(t) for t in ordered) + "</section>"))
        return found

    def render(self, others: list[tuple[str, str, str]]) -> str:
        index, me = self.index, ox.NamedNode(ONTOLOGY)
        titles = index.objects(me, ns("dcterms", "title")) or index.objects(me, LABEL)
        english = next((t.value for t in titles if getattr(t, "language", None) == "en"), "commit-kg ontology")
        thai = next((t.value for t in titles if getattr(t, "language", None) == "th"), None)
        descriptions = "".join(f"<p>{self.prose(t)}</p>" for t in index.objects(me, ns("dcterms", "description")))
        changes = sorted(set(index.objects(me, ns("skos", "changeNote"))), key=self.order)
        notes = "".join(f"<li>{self.prose(t)}</li>" for t in changes)
        modules = "".join(f'<li>{self.terms.term(m)} <code class="iri">{esc(m.value)}</code></li>'
                          for m in sorted(index.objects(me, OWL + "imports"), key=self.order))
        sections = self.sections()
        contents = "".join(f"<li>{link(self.anchor(a), esc(h))}</li>" for a, h, _ in sections)
        body = [
            f"<header><h1>{esc(english)}" + (f' <span lang="th">{esc(thai)}</span>' if thai else "") + "</h1>",
            f'<p class="iri"><code>{esc(ONTOLOGY)}</code></p>', formats_nav(others), "</header>", "<main>",
            f"<dl><dt>IRI</dt><dd><code>{esc(ONTOLOGY)}</code></dd></dl>{self.fields(me, HEADER_FIELDS)}",
            f"<h2>Description</h2>{descriptions}" if descriptions else "",
            f"<h2>Change notes</h2><ul>{notes}</ul>" if notes else "",
            f"<h2>Modules</h2><ul>{modules}</ul>" if modules else "",
            f"<nav><h2>Contents</h2><ul>{contents}</ul></nav>",
            *(html for _, _, html in sections),
            "</main>",
        ]
        return document(title=english, body="\n".join(part for part in body if part), alternates=others)
