"""The ontology's HTML documentation (/ontology for a browser), generated from its triples alone."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from ..namespaces import CK, ONTOLOGY, PREFIXES
from ..service.pages import (
    Terms,
    curie,
    document,
    esc,
    formats_nav,
    labels_of,
    link,
    text,
)
from .describe import LABEL, RDF_TYPE, Index, ns

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
