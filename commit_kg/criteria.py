"""Where each country's legal framework stands on the five criteria on a date (design section 5):
the latest assessment on or before that date; no assessment means the status is unknown (a data gap)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pyoxigraph as ox

from .namespaces import CK, GRAPH, ID, XSD
from .store import EmbeddedStore

STATUS_GRAPH = ox.NamedNode(GRAPH + "derived/criterion-status")

ASSESSMENTS = f"""PREFIX ck: <{CK}> PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?a ?iso ?n ?status ?on ?law_label ?article ?doc ?rationale WHERE {{
  ?a a ck:CriterionAssessment ; ck:assessedCountry/ck:iso3166Alpha3 ?iso ; ck:criterion/skos:notation ?n ;
     ck:assessmentStatus ?st ; ck:assessedOn ?on .
  BIND (STRAFTER(STR(?st), "/assessment-status/") AS ?status)
  OPTIONAL {{ ?a ck:evidenceLaw/rdfs:label ?law_label FILTER (lang(?law_label) = "en") }}
  OPTIONAL {{ ?a ck:evidenceArticle ?article }}
  OPTIONAL {{ ?a ck:rationale ?rationale FILTER (lang(?rationale) = "en") }}
  OPTIONAL {{ ?a dcterms:source ?s . OPTIONAL {{ ?s ck:inDocument ?doc }} }}
}}"""
MEMBERS = f"SELECT ?iso WHERE {{ <{ID}process/commit> <{CK}memberCountry>/<{CK}iso3166Alpha3> ?iso }}"


@dataclass(frozen=True)
class CriterionCell:
    """One country × criterion answer; `assessment` is None where the graph has no assessment yet."""

    country: str
    criterion: int
    status: str
    evidence: list[str]
    source: list[str]
    assessed_on: datetime.date | None
    assessment: str | None
    rationale: str = ""

    def record(self) -> dict:
        return {"country": self.country, "criterion": self.criterion, "status": self.status,
                "evidence": self.evidence, "source": self.source,
                "assessed_on": self.assessed_on.isoformat() if self.assessed_on else None,
                "assessment": self.assessment, "rationale": self.rationale}


def table(store: EmbeddedStore, as_of: datetime.date) -> list[CriterionCell]:
    """All 6 × 5 cells for `as_of`, ordered by country then criterion."""
    found: dict[str, dict] = {}
    solutions = store.query(ASSESSMENTS)
    assert isinstance(solutions, ox.QuerySolutions)
    for row in solutions:
        item = found.setdefault(row["a"].value, {
            "iso": row["iso"].value, "n": int(row["n"].value), "status": row["status"].value,
            "on": datetime.date.fromisoformat(row["on"].value), "evidence": set(), "source": set(),
            "rationale": row["rationale"].value if row["rationale"] else "", "articles": set()})
        if row["law_label"]:
            item["evidence"].add(row["law_label"].value)
        if row["article"]:
            item["articles"].add(row["article"].value)
        if row["doc"]:
            item["source"].add(row["doc"].value)
    members = store.query(MEMBERS)
    assert isinstance(members, ox.QuerySolutions)
    cells = []
    for iso in sorted(r["iso"].value for r in members):
        for number in range(1, 6):
            dated = [(v["on"], iri, v) for iri, v in found.items()
                     if v["iso"] == iso and v["n"] == number and v["on"] <= as_of]
            if not dated:
                cells.append(CriterionCell(iso, number, "unknown", [], [], None, None))
                continue
            on, iri, v = max(dated)
            evidence = sorted(v["evidence"]) + ([f"articles: {', '.join(sorted(v['articles']))}"] if v["articles"] else [])
            cells.append(CriterionCell(iso, number, v["status"], evidence, sorted(v["source"]), on, iri, v["rationale"]))
    return cells


def materialise_status(store: EmbeddedStore, days: list[datetime.date]) -> list[ox.Quad]:
    """One ck:CriterionStatus per member, criterion and reference day (graph/derived/criterion-status):
    the status of the latest assessment on or before that day, or unknown where there is none."""
    quads: list[ox.Quad] = []

    def add(subject: ox.NamedNode, predicate: str, obj: ox.Term) -> None:
        quads.append(ox.Quad(subject, ox.NamedNode(CK + predicate), obj, STATUS_GRAPH))

    for day in days:
        for cell in table(store, day):
            node = ox.NamedNode(f"{ID}criterion-status/{cell.country}/{cell.criterion}/{day.isoformat()}")
            quads.append(ox.Quad(node, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                 ox.NamedNode(CK + "CriterionStatus"), STATUS_GRAPH))
            add(node, "assessedCountry", ox.NamedNode(f"{ID}country/{cell.country}"))
            add(node, "criterion", ox.NamedNode(f"{ID}criterion/{cell.criterion}"))
            add(node, "statusDate", ox.Literal(day.isoformat(), datatype=ox.NamedNode(XSD + "date")))
            add(node, "assessmentStatus", ox.NamedNode(f"{ID}assessment-status/{cell.status}"))
            if cell.assessment:
                add(node, "basedOnAssessment", ox.NamedNode(cell.assessment))
    return quads
