"""Linked-data resources: every IRI under https://w3id.org/commit-kg/id/ resolves at /id/..., and the
ontology IRI at /ontology.

Each is served as HTML for browsers and as Turtle, JSON-LD, N-Triples or RDF/XML by negotiation
(`?format=` wins over Accept), with `Vary: Accept`, `Content-Location` naming the representation sent
and a `Link: rel="alternate"` for each other one. A resource's description holds what it says (with
one level of its blank nodes), what points at it (the instruments a country is party to), and the
labels of every IRI mentioned, so that a page can name them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Header, Query, Request, Response

from ..errors import NotFoundError, excerpt
from ..namespaces import ID, PREFIXES
from ..publish.describe import description, ontology_triples
from ..publish.jsonld import CONTEXT_PREFIXES, to_jsonld
from ..publish.ontology_doc import ontology_page
from ..web.generic import language_of, localised, resource_page, statements_html
from ..web.html import public_url
from ..web.resources import page_kind, resource_html
from ..well_formed import checked
from .deps import BaseDep, CatalogueDep, StoreDep
from .negotiation import parse_accept, requested_format

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


def rdf_body(triples: list[ox.Triple], media: str) -> bytes:
    """`triples` in one of the RDF media types."""
    if media == JSON_LD:
        return to_jsonld([ox.Quad(t.subject, t.predicate, t.object) for t in triples], CONTEXT_PREFIXES, CONTEXT_PREFIXES)
    return checked(ox.serialize(triples, format=RDF_TYPES[media], prefixes=used_prefixes(triples)), media)


def represent(*, url: str, media: str, body: bytes) -> Response:
    """One representation, with the links to the others and what it is."""
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
        raise NotFoundError(f"no resource {excerpt(iri, 100)} in the graph")
    media = requested_format(format_, accept, offered_types(accept))
    url = public_url(iri, base) or iri
    if media != HTML:
        return represent(url=url, media=media, body=rdf_body(triples, media))
    language = language_of(request)
    kind = page_kind(store, iri, catalogue)  # a designed page for its kind
    if kind:
        page = resource_html(request, kind, iri, catalogue, base, statements_html(iri, triples, base, language.code))
    else:
        page = resource_page(iri, triples, base, alternates(url, HTML), language, url)
    return localised(represent(url=url, media=media, body=page.encode("utf-8")), language)


# ---------------------------------------------------------------- /ontology

@router.api_route("/ontology", methods=["GET", "HEAD"], summary="The commit-kg ontology, by negotiation")
def ontology(request: Request, store: StoreDep, catalogue: CatalogueDep, base: BaseDep, accept: AcceptHeader = None,
             format_: FormatParam = None) -> Response:
    """Every triple of the ontology's named graphs, or its HTML documentation (in the page's language);
    406 when no offered representation is acceptable."""
    media = requested_format(format_, accept, offered_types(accept))
    triples = ontology_triples(store, catalogue)
    if not triples:
        raise NotFoundError("the graph holds no ontology")
    url = f"{base}/ontology"
    if media != HTML:
        return represent(url=url, media=media, body=rdf_body(triples, media))
    language = language_of(request)
    page = ontology_page(triples, base, alternates(url, HTML), language.code, language.switch(url))
    return localised(represent(url=url, media=media, body=page.encode("utf-8")), language)


