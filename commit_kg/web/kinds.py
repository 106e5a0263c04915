"""What the designed pages of the other kinds show, beyond country and instrument (resources.py): a
national law, a criterion assessment, a plan, a PPC, a plan activity, a criterion, a meeting, a source
citation and a source document.

Each kind's context is read with the service's internal queries (queries/internal/*.rq); the page's
words come from the templates in templates/kinds/. A criterion's statuses come from criteria.table,
the same answer as the dashboard and /api/criteria."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pyoxigraph as ox

from .. import criteria
from ..catalogue import Catalogue
from ..namespaces import CK, ID, PREFIXES
from .dashboard import GraphView

DCT, SKOS, PROV, RDFS = PREFIXES["dcterms"], PREFIXES["skos"], PREFIXES["prov"], PREFIXES["rdfs"]
RDF_TYPE = PREFIXES["rdf"] + "type"
# Kinds whose page depends on the date (?as_of=): the language switch keeps the date.
DATED = frozenset({"country", "criterion"})


class Facts:
    """What a resource states, by property IRI, read once; literals picked by language."""

    def __init__(self, rows: list[dict[str, ox.Term]]) -> None:
        self.by: dict[str, list[ox.Term]] = {}
        for row in rows:
            self.by.setdefault(row["property"].value, []).append(row["value"])

    def all(self, prop: str) -> list[ox.Term]:
        return sorted(self.by.get(prop, []), key=lambda t: (getattr(t, "language", "") or "", t.value))

    def one(self, prop: str) -> ox.Term | None:
        found = self.all(prop)
        return found[0] if found else None

    def text(self, prop: str, lang: str) -> ox.Literal | None:
        """The literal in `lang`, else in English, else one without a language, else any."""
        found = [t for t in self.all(prop) if isinstance(t, ox.Literal)]
        for wanted in (lang, "en", None):
            for term in found:
                if (term.language or None) == wanted:
                    return term
        return found[0] if found else None

    def texts(self, prop: str) -> dict[str, ox.Literal]:
        """Each language's literal (key "" for one without a language)."""
        return {t.language or "": t for t in self.all(prop) if isinstance(t, ox.Literal)}


def facts_of(store, catalogue: Catalogue, iri: str) -> Facts:
    return Facts(catalogue.own("resource-values").select(store, r=ox.NamedNode(iri)))


def incoming(store, catalogue: Catalogue, iri: str, prop: str) -> list[str]:
    """The resources that point at `iri` by `prop`, in notation order."""
    rows = catalogue.own("resource-incoming").select(store, r=ox.NamedNode(iri))
    return list(dict.fromkeys(r["subject"].value for r in rows if r["property"].value == prop))


def kind_context(kind: str, view: GraphView, catalogue: Catalogue, iri: str, day: datetime.date,
                 label: Callable[[str], str]) -> dict:
    """The context of one kind's template: its facts (`f`), its sources, what the kind lists, and
    `thing`, the name of a linked resource (`label`, or its kind and number when it has no label)."""
    store = view.store
    facts = facts_of(store, catalogue, iri)

    def thing(other: str) -> str:
        if other in view.labels or not other.startswith(ID):
            return label(other)
        rows = catalogue.own("resource-kind-name").select(store, r=ox.NamedNode(other))
        if not rows:
            return label(other)
        return " ".join(filter(None, (label(rows[0]["type"].value), rows[0].get("notation") and rows[0]["notation"].value)))

    context = {"f": facts, "CK": CK, "DCT": DCT, "SKOS": SKOS, "PROV": PROV, "RDFS": RDFS, "thing": thing,
               "sources": catalogue.own("resource-sources").select(store, r=ox.NamedNode(iri)),
               "types": [t.value for t in facts.all(RDF_TYPE) if t.value.startswith(CK)]}
    builders: dict[str, Callable[[], dict]] = {
        "law": lambda: law(view, catalogue, iri),
        "plan": lambda: plan(view, catalogue, iri),
        "ppc": lambda: ppc(view, catalogue, iri),
        "activity": lambda: activity(facts),
        "criterion": lambda: criterion(view, facts, day),
        "meeting": lambda: {"adopted": incoming(store, catalogue, iri, CK + "adoptedAt")},
        "citation": lambda: {"cited_by": incoming(store, catalogue, iri, DCT + "source")},
        "document": lambda: document(view, catalogue, iri),
    }
    context.update(builders.get(kind, dict)())
    return context


def law(view: GraphView, catalogue: Catalogue, iri: str) -> dict:
    """The assessments that judge it (or cite it), the claims of its sources (which was chosen and why),
    and the laws that amend or repeal it."""
    store = view.store
    return {"assessments": catalogue.own("law-assessments").select(store, law=ox.NamedNode(iri)),
            "claims": catalogue.own("resource-claims").select(store, r=ox.NamedNode(iri)),
            "amended_by": incoming(store, catalogue, iri, CK + "amends"),
            "repealed_by": incoming(store, catalogue, iri, CK + "repeals")}


def plan(view: GraphView, catalogue: Catalogue, iri: str) -> dict:
    """Its PPCs in order, and the plans before and after it."""
    store = view.store
    return {"ppcs": catalogue.own("plan-ppc-list").select(store, plan=ox.NamedNode(iri)),
            "followed_by": incoming(store, catalogue, iri, CK + "followsPlan"),
            "revised_by": incoming(store, catalogue, iri, PROV + "wasRevisionOf")}


def ppc(view: GraphView, catalogue: Catalogue, iri: str) -> dict:
    """Its activities in order and its direct predecessors and successors, each with how and whether
    the source states it."""
    store = view.store
    steps = catalogue.own("ppc-steps").select(store, ppc=ox.NamedNode(iri))
    return {"activities": catalogue.own("ppc-activity-list").select(store, ppc=ox.NamedNode(iri)),
            "predecessors": [s for s in steps if s["direction"].value == "from"],
            "successors": [s for s in steps if s["direction"].value == "to"]}


def activity(facts: Facts) -> dict:
    """Its title, steps and the two roles, in English and Thai side by side."""
    rows = [(key, facts.texts(CK + prop)) for key, prop in (
        ("steps", "implementationSteps"), ("regional", "regionalRole"), ("national", "nationalRole"))]
    return {"texts": [(key, texts) for key, texts in rows if texts]}


def criterion(view: GraphView, facts: Facts, day: datetime.date) -> dict:
    """Each member's cell for this criterion on `day` (criteria.table: the dashboard's answer)."""
    number = facts.one(SKOS + "notation")
    cells = [c for c in criteria.table(view.store, day) if number is not None and str(c.criterion) == number.value]
    by_iso = {c.iso: c for c in view.countries}
    return {"cells": [(by_iso.get(c.country), c) for c in cells], "confidence_space": f"{ID}confidence/"}


def document(view: GraphView, catalogue: Catalogue, iri: str) -> dict:
    """Its citations in line order, each with the resources it supports."""
    rows = catalogue.own("document-citations").select(view.store, doc=ox.NamedNode(iri))
    citations: dict[str, dict] = {}
    for row in rows:
        entry = citations.setdefault(row["source"].value, {"row": row, "cited_by": []})
        if "cited_by" in row:
            entry["cited_by"].append(row["cited_by"].value)
    return {"citations": list(citations.values())}
