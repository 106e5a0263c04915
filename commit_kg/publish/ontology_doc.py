"""The ontology's HTML documentation (/ontology for a browser), generated from its triples alone, in
English or Thai: the interface words (headings, field names, the words of class expressions) come from
the web catalogue (marked N_ here, extracted with commit_kg/web), the names and definitions from the
ontology's own labels."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from ..namespaces import CK, ONTOLOGY, PREFIXES
from ..web.html import (
    Terms,
    Translate,
    curie,
    document,
    esc,
    formats_nav,
    labels_of,
    link,
    text,
)
from ..web.i18n import gettext_for
from .describe import LABEL, RDF_TYPE, Index, ns


def N_(message: str) -> str:
    """Marks a message for extraction (pybabel extract -k N_); it is translated where it is shown."""
    return message


OWL = PREFIXES["owl"]
SECTIONS = (  # (anchor, heading, the types whose ck: instances the section documents)
    ("classes", N_("Classes"), {OWL + "Class", ns("rdfs", "Class")}),
    ("object-properties", N_("Object properties"), {OWL + "ObjectProperty"}),
    ("datatype-properties", N_("Datatype properties"), {OWL + "DatatypeProperty"}),
    ("annotation-properties", N_("Annotation properties"), {OWL + "AnnotationProperty"}),
    ("other-properties", N_("Other properties"), {ns("rdf", "Property")}),
)
TERM_FIELDS = (  # (what a reader sees, predicate, inverse?)
    (N_("Definition"), ns("skos", "definition"), False),
    (N_("Comment"), ns("rdfs", "comment"), False),
    (N_("Also called"), ns("skos", "altLabel"), False),
    (N_("Type"), RDF_TYPE, False),
    (N_("Subclass of"), ns("rdfs", "subClassOf"), False),
    (N_("Subclasses"), ns("rdfs", "subClassOf"), True),
    (N_("Subproperty of"), ns("rdfs", "subPropertyOf"), False),
    (N_("Subproperties"), ns("rdfs", "subPropertyOf"), True),
    (N_("Domain"), ns("rdfs", "domain"), False),
    (N_("Range"), ns("rdfs", "range"), False),
    (N_("Inverse of"), OWL + "inverseOf", False),
    (N_("Equivalent to"), OWL + "equivalentClass", False),
    (N_("Disjoint with"), OWL + "disjointWith", False),
    (N_("Scope note"), ns("skos", "scopeNote"), False),
    (N_("Example"), ns("skos", "example"), False),
    (N_("Editorial note"), ns("skos", "editorialNote"), False),
    (N_("Change note"), ns("skos", "changeNote"), False),
)
VANN = "http://purl.org/vocab/vann/"
HEADER_FIELDS = (  # (what a reader sees, predicate, inverse?) of the ontology itself
    (N_("Version IRI"), OWL + "versionIRI", False), (N_("Version"), OWL + "versionInfo", False),
    (N_("Prior version"), OWL + "priorVersion", False), (N_("Licence"), ns("dcterms", "license"), False),
    (N_("Created"), ns("dcterms", "created"), False), (N_("Modified"), ns("dcterms", "modified"), False),
    (N_("Preferred prefix"), VANN + "preferredNamespacePrefix", False),
    (N_("Namespace"), VANN + "preferredNamespaceUri", False),
)
# Types a section already says, not repeated in a term's "Type" line.
SECTION_TYPES = set().union(*(types for _, _, types in SECTIONS)) | {OWL + "NamedIndividual"}
RESTRICTIONS = (  # OWL restriction property → the word a reader sees
    ("someValuesFrom", N_("some")), ("allValuesFrom", N_("only")), ("hasValue", N_("value")),
    ("cardinality", N_("exactly")), ("qualifiedCardinality", N_("exactly")),
    ("minCardinality", N_("at least")), ("minQualifiedCardinality", N_("at least")),
    ("maxCardinality", N_("at most")), ("maxQualifiedCardinality", N_("at most")),
)


def ontology_page(triples: list[ox.Triple], base: str, others: list[tuple[str, str, str]], lang: str = "en",
                  switch: Sequence[tuple[str, str]] = ()) -> str:
    """Documentation generated from the ontology in `lang` (en or th; `switch` links the page in each):
    its header, then classes, properties and individuals, each sorted by local name with the anchor id =
    its local name (so /ontology#Plan finds ck:Plan)."""
    return OntologyPage(triples, base, lang).render(others, switch)


class OntologyPage:
    """The ontology's HTML documentation, from its triples alone."""

    def __init__(self, triples: list[ox.Triple], base: str, lang: str = "en") -> None:
        self.base = base
        self.lang = lang
        self._: Translate = gettext_for(lang)
        self.terms = Terms(base, labels_of(triples), lang, self._)
        self.index = Index(triples)

    def anchor(self, local: str) -> str:
        return f"{self.base}/ontology#{local}"

    def prose(self, term: ox.Term) -> str:
        """A text in its language (tagged when not the page's), a class expression, or a term."""
        if isinstance(term, ox.Literal) and (term.language or term.datatype.value == ns("xsd", "string")):
            tag = f' <span class="tag">@{esc(term.language)}</span>' if term.language not in (None, self.lang) else ""
            return text(term.value, term.language) + tag
        if isinstance(term, ox.BlankNode):
            return self.expression(term)
        return self.terms.term(term)

    def expression(self, node: ox.Term, depth: int = 0) -> str:
        """A class expression in words: unions, intersections, complements, enumerations, restrictions."""
        index, terms, _ = self.index, self.terms, self._
        if not isinstance(node, ox.BlankNode) or depth > 4:
            return terms.term(node)
        for predicate, word in ((OWL + "unionOf", N_("or")), (OWL + "intersectionOf", N_("and"))):
            if (head := index.first(node, predicate)) is not None:
                joint = f" {esc(_(word))} "
                return "(" + joint.join(self.expression(m, depth + 1) for m in index.items(head)) + ")"
        if (inner := index.first(node, OWL + "complementOf")) is not None:
            return esc(_("not")) + " " + self.expression(inner, depth + 1)
        if (members := index.first(node, OWL + "oneOf")) is not None:
            return esc(_("one of")) + " {" + ", ".join(terms.term(m) for m in index.items(members)) + "}"
        if (on := index.first(node, OWL + "onProperty")) is not None:
            for local, word in RESTRICTIONS:
                if (filler := index.first(node, OWL + local)) is not None:
                    qualified = index.first(node, OWL + "onClass")
                    tail = f" {self.expression(qualified, depth + 1)}" if qualified is not None else ""
                    return f"({terms.term(on)} {esc(_(word))} {self.expression(filler, depth + 1)}{tail})"
        return '<span class="tag">' + esc(_("(anonymous class)")) + "</span>"

    def order(self, term: ox.Term) -> tuple[int, str, str]:
        """Texts in the page's language first, then English (or untagged) ones, then by language; then
        alphabetically."""
        value = term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else ""
        language = (term.language or "") if isinstance(term, ox.Literal) else ""
        first = 0 if language == self.lang != "en" else 1
        return (first, language if language != "en" else "", value.casefold())

    def fields(self, subject: ox.Term, fields: Iterable[tuple[str, str, bool]]) -> str:
        """A definition list of the fields `subject` has; empty when it has none."""
        parts = []
        for name, predicate, inverse in fields:
            found = self.index.subjects(predicate, subject) if inverse else self.index.objects(subject, predicate)
            if predicate == RDF_TYPE:
                found = [t for t in found if t.value not in SECTION_TYPES]
            if found:
                items = "".join(f"<dd>{self.prose(t)}</dd>" for t in sorted(set(found), key=self.order))
                parts.append(f"<dt>{esc(self._(name))}</dt>{items}")
        return f"<dl>{''.join(parts)}</dl>" if parts else ""

    def term_section(self, term: ox.NamedNode) -> str:
        local = term.value[len(CK):]
        other_lang = "th" if self.lang == "en" else "en"
        other = self.terms.label(term.value, other_lang)
        shown = self.terms.label(term.value, self.lang) or self.terms.label(term.value) or local
        title = esc(shown) + (f' <span lang="{other_lang}">{esc(other)}</span>' if other and other != shown else "")
        return (f'<section class="term" id="{esc(local)}"><h3>{title}</h3>'
                f"<p><code>{esc(curie(term.value))}</code></p>{self.fields(term, TERM_FIELDS)}</section>")

    def sections(self) -> list[tuple[str, str, str]]:
        """(anchor, heading, HTML) of each non-empty section; each ck: term in the first that fits."""
        index = self.index
        documented: set[ox.Term] = set()
        found = []
        for anchor, heading, types in (*SECTIONS, ("individuals", N_("Individuals"), None)):
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
            found.append((anchor, self._(heading), f'<section id="{anchor}"><h2>{esc(self._(heading))}</h2><p>{contents}</p>'
                          + "".join(self.term_section(t) for t in ordered) + "</section>"))
        return found

    def render(self, others: list[tuple[str, str, str]], switch: Sequence[tuple[str, str]] = ()) -> str:
        index, me, _ = self.index, ox.NamedNode(ONTOLOGY), self._
        titles = index.objects(me, ns("dcterms", "title")) or index.objects(me, LABEL)
        title_in = {getattr(t, "language", None): t.value for t in titles}
        other_lang = "th" if self.lang == "en" else "en"
        shown = title_in.get(self.lang) or title_in.get("en") or "commit-kg ontology"
        other = title_in.get(other_lang) if title_in.get(other_lang) != shown else None
        descriptions = "".join(f"<p>{self.prose(t)}</p>" for t in index.objects(me, ns("dcterms", "description")))
        changes = sorted(set(index.objects(me, ns("skos", "changeNote"))), key=self.order)
        notes = "".join(f"<li>{self.prose(t)}</li>" for t in changes)
        modules = "".join(f'<li>{self.terms.term(m)} <code class="iri">{esc(m.value)}</code></li>'
                          for m in sorted(index.objects(me, OWL + "imports"), key=self.order))
        sections = self.sections()
        contents = "".join(f"<li>{link(self.anchor(a), esc(h))}</li>" for a, h, _html in sections)
        body = [
            f"<header><h1>{esc(shown)}" + (f' <span lang="{other_lang}">{esc(other)}</span>' if other else "") + "</h1>",
            f'<p class="iri"><code>{esc(ONTOLOGY)}</code></p>', formats_nav(others, _), "</header>", "<main>",
            f"<dl><dt>IRI</dt><dd><code>{esc(ONTOLOGY)}</code></dd></dl>{self.fields(me, HEADER_FIELDS)}",
            "<h2>" + esc(_("Description")) + f"</h2>{descriptions}" if descriptions else "",
            "<h2>" + esc(_("Change notes")) + f"</h2><ul>{notes}</ul>" if notes else "",
            "<h2>" + esc(_("Modules")) + f"</h2><ul>{modules}</ul>" if modules else "",
            "<nav><h2>" + esc(_("Contents")) + f"</h2><ul>{contents}</ul></nav>",
            *(html for _a, _h, html in sections),
            "</main>",
        ]
        return document(title=shown, body="\n".join(part for part in body if part), alternates=others,
                        lang=self.lang, switch=switch, _=_)
