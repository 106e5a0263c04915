"""Linked-data resources: every IRI under https://w3id.org/commit-kg/id/ resolves at /id/..., and the
ontology IRI at /ontology.

Each is served as HTML for browsers and as Turtle, JSON-LD, N-Triples or RDF/XML by negotiation
(`?format=` wins over Accept), with `Vary: Accept`, `Content-Location` naming the representation sent
and a `Link: rel="alternate"` for each other one. A resource's description holds what it says (with
one level of its blank nodes), what points at it (the instruments a country is party to), and the
labels of every IRI mentioned, so that a page can name them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Header, Query, Request, Response

from ..errors import NotFoundError
from ..namespaces import ID, PREFIXES
from ..publish.describe import FIRST, RDF_TYPE, Index, description, ontology_triples
from ..publish.jsonld import CONTEXT_PREFIXES, to_jsonld
from ..publish.ontology_doc import ontology_page
from ..web.resources import page_kind, remember_language, resource_html
from .deps import BaseDep, CatalogueDep, StoreDep
from .negotiation import parse_accept, requested_format
from .pages import (
    Terms,
    document,
    esc,
    formats_nav,
    labels_of,
    public_url,
    table,
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


# ---------------------------------------------------------------- /id/...

AcceptHeader = Annotated[str | None, Header(include_in_schema=False)]


@router.api_route("/id/{path:path}", methods=["GET", "HEAD"], summary="A resource of the graph, by negotiation")
def resource(path: str, request: Request, store: StoreDep, catalogue: CatalogueDep, base: BaseDep, accept: AcceptHeader = None,
             format_: FormatParam = None) -> Response:
    """The description of https://w3id.org/commit-kg/id/{path}: 404 when the IRI is in no triple,
    406 when no offered representation is acceptable."""
    iri = ID + path
    try:
        triples = description(store, catalogue, iri)
    except ValueError:  # not an IRI at all (a space, an angle bracket...): nothing can describe it
        triples = []
    if not triples:
        raise NotFoundError(f"no resource <{iri}> in the graph")
    media = requested_format(format_, accept, offered_types(accept))
    url = public_url(iri, base) or iri
    kind = page_kind(store, iri, catalogue) if media == HTML else None  # a designed page for its kind
    if kind:
        return remember_language(request, represent(url=url, media=media, triples=triples, page=lambda: resource_html(
            request, kind, iri, catalogue, base, statements_html(iri, triples, base))))
    return represent(url=url, media=media, triples=triples,
                     page=lambda: resource_page(iri, triples, base, alternates(url, HTML)))


def resource_page(iri: str, triples: list[ox.Triple], base: str, others: list[tuple[str, str, str]]) -> str:
    """A plain description: what the resource says, then what refers to it, then the other formats."""
    title, heading = Terms(base, labels_of(triples)).heading(iri)
    body = [f"<header><h1>{heading}</h1>", f'<p class="iri"><code>{esc(iri)}</code></p>', formats_nav(others),
            "</header>", "<main>", statements_html(iri, triples, base), "</main>"]
    return document(title=title, body="\n".join(body), alternates=others)


def statements_html(iri: str, triples: list[ox.Triple], base: str) -> str:
    """Every statement of the description as HTML: its types, what it says (its blank nodes nested), then
    what refers to it. The generic page is made of it; a designed page (web/resources.py) ends with it."""
    terms = Terms(base, labels_of(triples))
    index = Index(triples)
    me = ox.NamedNode(iri)
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
        f"<p>{', '.join(types)}</p>" if types else "",
        "<h2>Description</h2>",
        property_table(me) if me in index.out else "<p>This resource states nothing itself.</p>",
        "<h2>Referenced by</h2>",
        table(("resource", "property"), ((terms.term(s), terms.iri(p)) for p, s in incoming))
        if incoming else "<p>Nothing in the graph refers to this resource.</p>",
    ]
    return "\n".join(part for part in body if part)


# ---------------------------------------------------------------- /ontology

@router.api_route("/ontology", methods=["GET", "HEAD"], summary="The commit-kg ontology, by negotiation")
def ontology(store: StoreDep, catalogue: CatalogueDep, base: BaseDep, accept: AcceptHeader = None, format_: FormatParam = None) -> Response:
    """Every triple of the ontology's named graphs, or its HTML documentation; 406 when no offered
    representation is acceptable."""
    media = requested_format(format_, accept, offered_types(accept))
    triples = ontology_triples(store, catalogue)
    if not triples:
        raise NotFoundError("the graph holds no ontology")
    url = f"{base}/ontology"
    return represent(url=url, media=media, triples=triples,
                     page=lambda: ontology_page(triples, base, alternates(url, HTML)))


