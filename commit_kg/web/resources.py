"""Resource pages designed per kind: a country (its names, its instruments over time, its coverage with
each partner, its five criteria) and a legal instrument (its parties with their own dates, kinds
covered, status, sources with quotes, claims) here; a law, an assessment, a plan, a PPC, an activity, a
criterion, a meeting, a source citation and a source document in kinds.py. Every other kind keeps the
generic property table of generic.py; the RDF answers are not touched.

The instrument lists come from the named queries people can run themselves (country-instruments,
country-multilateral, instrument-parties), so the page and the query never disagree."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import Request
from markupsafe import Markup

from ..catalogue import Catalogue
from ..namespaces import ID
from ..service.deps import pinned
from .dashboard import GraphView, answers
from .html import public_url
from .i18n import negotiate
from .kinds import DATED, kind_context
from .routes import COOKIE, TEMPLATES, common, parse_day, view_of

CK = "https://w3id.org/commit-kg/ontology#"
NAMES = """SELECT DISTINCT ?resource ?name WHERE { ?resource <http://www.w3.org/2000/01/rdf-schema#label>
  |<http://www.w3.org/2004/02/skos/core#prefLabel>|<http://www.w3.org/2004/02/skos/core#altLabel> ?name }
  ORDER BY LANG(?name) ?name"""
FACTS = f"""SELECT ?resource ?status ?confidence ?signed ?in_force ?in_force_by ?note WHERE {{
  OPTIONAL {{ ?resource <{CK}status> ?status }} OPTIONAL {{ ?resource <{CK}confidence> ?confidence }}
  OPTIONAL {{ ?resource <{CK}signedOn> ?signed }} OPTIONAL {{ ?resource <{CK}entryIntoForceOn> ?in_force }}
  OPTIONAL {{ ?resource <{CK}inForceNoLaterThan> ?in_force_by }} }} LIMIT 1"""
KINDS = f"SELECT ?resource ?kind WHERE {{ ?resource <{CK}covers> ?kind }} ORDER BY ?kind"
PARTIES = f"SELECT ?resource ?party WHERE {{ ?resource <{CK}party> ?party }} ORDER BY ?party"
SOURCES = f"""SELECT DISTINCT ?resource ?source ?doc ?quote WHERE {{
  {{ ?resource <http://purl.org/dc/terms/source> ?source }}
  UNION {{ ?resource <{CK}hasParticipation>/<http://purl.org/dc/terms/source> ?source }}
  OPTIONAL {{ ?source <{CK}inDocument> ?doc }} OPTIONAL {{ ?source <{CK}quote> ?quote }} }} ORDER BY ?source ?quote"""
CLAIMS = f"""SELECT ?resource ?claim ?property ?value ?chosen ?reason ?confidence WHERE {{
  ?resource <{CK}hasClaim> ?claim .
  OPTIONAL {{ ?claim <{CK}claimedProperty> ?property }} OPTIONAL {{ ?claim <{CK}claimedValue> ?value }}
  OPTIONAL {{ ?claim <{CK}chosen> ?chosen }} OPTIONAL {{ ?claim <{CK}reason> ?reason }}
  OPTIONAL {{ ?claim <{CK}confidence> ?confidence }} }} ORDER BY ?claim"""
TERM_LABEL = """SELECT ?resource ?label WHERE { ?resource <http://www.w3.org/2000/01/rdf-schema#label> ?label }"""
RDF_FORMATS = (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"), ("rdfxml", "RDF/XML"))


def page_kind(store, iri: str, catalogue: Catalogue) -> str | None:
    """The kind of the resource's designed page ("country", "instrument", "law", "ppc" …, from the
    internal query page-kind), or None when it keeps the generic page."""
    rows = catalogue.own("page-kind").select(store, r=ox.NamedNode(iri))
    return rows[0]["kind"].value if rows else None


def term_label(view: GraphView, iri: str, lang: str) -> str:
    """The label of an IRI in `lang` (else English): from the view's labels, else the graph (ontology terms)."""
    if iri in view.labels:
        return view.label(iri, lang)
    labels = {t["label"].language: t["label"].value for t in view.store.select(TERM_LABEL, resource=ox.NamedNode(iri))}
    return labels.get(lang) or labels.get("en") or iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def text(row: dict[str, ox.Term], key: str) -> str:
    term = row.get(key)
    return term.value if term is not None else ""


def resource_html(request: Request, kind: str, iri: str, catalogue: Catalogue, base: str, statements: str) -> str:
    """The page of a country or an instrument, in the language asked (?lang=, cookie, Accept-Language),
    ending with every statement of its description (`statements`, HTML made by the generic page's code)."""
    state = pinned(request)
    view = view_of(state.graph, state.store, state.coverage_index())
    asked = request.query_params.get("lang")
    lang = negotiate(asked, request.cookies.get(COOKIE), request.headers.get("accept-language"))
    day = parse_day(request.query_params.get("as_of"))
    url = public_url(iri, base) or iri
    query = {"lang": lang, "as_of": day.isoformat()} if kind in DATED else {"lang": lang}
    context = common(lang, base, url, {k: v for k, v in query.items() if k != "lang"})
    me = ox.NamedNode(iri)

    def label(term: ox.Term | str) -> str:
        """The graph's label; an outside URL without one (a cited page) shows itself."""
        value = term if isinstance(term, str) else term.value
        if value.startswith(CK):  # an ontology term (a class, a kind of date or step): its own label
            return term_label(view, value, lang)
        return view.label(value, lang, "" if value.startswith(ID) else value)

    def named(listed: str, space: str) -> str:
        """A query's comma-separated names (cooperation kinds, date kinds) as the graph's labels."""
        return ", ".join(term_label(view, space + name.strip(), lang) for name in listed.split(",") if name.strip())

    sparql = f"SELECT ?property ?value WHERE {{ <{iri}> ?property ?value }}"
    context.update(
        iri=iri, title=view.label(iri, lang), label=label, statements=Markup(statements),
        title_text=" · ".join(dict.fromkeys(n for n in (view.label(iri, "en"), view.label(iri, "th")) if n)), day=day, named=named, kind_space=f"{ID}cooperation-kind/",
        ck=CK,
        name=lambda c: c.label.get(lang) or c.label.get("en") or c.iso,
        names=[(n.value, n.language or "") for n in (r["name"] for r in view.store.select(NAMES, resource=me))],
        downloads=[(f"{url}?format={name}", title) for name, title in RDF_FORMATS],
        sparql_href=f"{base}/query?{urlencode({'query': sparql})}", href=lambda t: public_url(t, base) or t,
        query_href=lambda name, **values: f"{base}/api/queries/{name}?{urlencode(values)}")
    if kind == "country":
        context.update(country_context(view, catalogue, iri, day, base))
    elif kind == "instrument":
        context.update(instrument_context(view, catalogue, iri))
    else:
        context.update(kind_context(kind, view, catalogue, iri, day, label), kind=kind)
        return TEMPLATES.get_template(f"kinds/{kind}.html").render(context)
    return TEMPLATES.get_template(f"{kind}.html").render(context)


def country_context(view: GraphView, catalogue: Catalogue, iri: str, day: datetime.date, base: str) -> dict:
    """Its instruments (bilateral from country-instruments, multilateral from country-multilateral with
    its own dates), its coverage with each partner on `day`, and its criteria cells on `day`."""
    me = ox.NamedNode(iri)
    all_rows = catalogue.get("country-instruments").select(view.store, country=me)
    bilateral = [r for r in all_rows if text(r, "scope") == "bilateral"]
    multilateral = catalogue.get("country-multilateral").select(view.store, country=me)

    def first_date(row: dict) -> str:
        return min((text(row, k) for k in ("signed", "ratified", "acceded", "approved", "in_force", "in_force_by")
                    if text(row, k)), default="9999")

    timeline = sorted([("bilateral", r) for r in bilateral] + [("multilateral", r) for r in multilateral],
                      key=lambda sr: (first_date(sr[1]), sr[1]["instrument"].value))
    me_country = next(c for c in view.countries if c.iri == iri) if any(c.iri == iri for c in view.countries) else None
    made = answers(view, day)
    coverage = []
    if me_country is not None:
        for kind, by_pair in made["coverage"].items():
            cells = [{"partner": other, "answer": by_pair.get(frozenset((me_country.iso, other.iso))),
                      "href": f"{base}/coverage/{kind}/{me_country.iso}/{other.iso}?as_of={day}"}
                     for other in view.countries if other.iso != me_country.iso]
            coverage.append({"kind": kind, "cells": cells})
    criteria = [c for c in made["criteria"] if me_country is not None and c.country == me_country.iso]
    return {"timeline": timeline, "instrument_count": len({r["instrument"].value for r in all_rows}),
            "coverage": coverage, "criteria": criteria, "country": me_country, "text": text,
            "criterion_label": lambda c, lang: c.criterion_label_th if lang == "th" and c.criterion_label_th
            else c.criterion_label}


def instrument_context(view: GraphView, catalogue: Catalogue, iri: str) -> dict:
    """Its facts, the kinds it covers, its parties (bilateral: the instrument's own dates; multilateral:
    each participation's from instrument-parties), its sources with quotes and its claims."""
    me = ox.NamedNode(iri)
    store = view.store
    facts = (store.select(FACTS, resource=me) or [{}])[0]
    return {"facts": facts, "text": text,
            "kinds": [r["kind"].value for r in store.select(KINDS, resource=me)],
            "parties": [r["party"].value for r in store.select(PARTIES, resource=me)],
            "participations": catalogue.get("instrument-parties").select(store, instrument=me),
            "sources": store.select(SOURCES, resource=me),
            "claims": store.select(CLAIMS, resource=me)}
