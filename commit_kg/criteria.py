"""Where each country's legal framework stands on the five criteria on a date (design section 5).

An assessment holds for the law it judges (ck:assessesLaw): from that law's entry into force until the
next assessment of the same country and criterion takes over. The rule, applied to each cell's
assessments in the order they were made (ck:assessedOn):

1. it holds from the judged law's entry into force (the end of the month or year when that is all
   that is known), when that is later than the start of the assessment before it;
2. otherwise, and when it judges no single law, it holds from its own date (a re-reading of a law
   already judged, or a status resting on policy);
3. when the judged law's entry into force is unknown, the start is unknown too: not before the law's
   adoption or promulgation (nor the previous assessment's start), no later than its own date; on the
   days in between no assessment is known to hold.

A cell with no valid assessment on a date, or whose valid assessment is "unknown", is a data gap, and
the answer says why. The validity is also written to graph/derived/assessment-validity so that SPARQL
(queries/criteria-table.rq) picks the same assessment."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pyoxigraph as ox

from .dates import window_of
from .namespaces import CK, GRAPH, ID, XSD
from .store import EmbeddedStore

STATUS_GRAPH = ox.NamedNode(GRAPH + "derived/criterion-status")
VALIDITY_GRAPH = ox.NamedNode(GRAPH + "derived/assessment-validity")

ASSESSMENTS = f"""PREFIX ck: <{CK}> PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?a ?iso ?n ?status ?on ?law_label ?article ?doc ?rationale ?confidence WHERE {{
  ?a a ck:CriterionAssessment ; ck:assessedCountry/ck:iso3166Alpha3 ?iso ; ck:criterion/skos:notation ?n ;
     ck:assessmentStatus ?st ; ck:assessedOn ?on .
  BIND (STRAFTER(STR(?st), "/assessment-status/") AS ?status)
  OPTIONAL {{ ?a ck:evidenceLaw/rdfs:label ?law_label FILTER (lang(?law_label) = "en") }}
  OPTIONAL {{ ?a ck:evidenceArticle ?article }}
  OPTIONAL {{ ?a ck:rationale ?rationale FILTER (lang(?rationale) = "en") }}
  OPTIONAL {{ ?a ck:confidence ?c BIND (STRAFTER(STR(?c), "/confidence/") AS ?confidence) }}
  OPTIONAL {{ ?a dcterms:source ?s . OPTIONAL {{ ?s ck:inDocument ?doc }} }}
}}"""
JUDGED = f"""PREFIX ck: <{CK}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?a ?law ?label ?eif ?adopted ?promulgated WHERE {{
  ?a a ck:CriterionAssessment ; ck:assessesLaw ?law .
  OPTIONAL {{ ?law rdfs:label ?label FILTER (lang(?label) = "en") }}
  OPTIONAL {{ ?law ck:entryIntoForceOn ?eif }}
  OPTIONAL {{ ?law ck:adoptedOn ?adopted }}
  OPTIONAL {{ ?law ck:promulgatedOn ?promulgated }}
}}"""
CRITERIA = f"""PREFIX ck: <{CK}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?n ?label WHERE {{ ?c a ck:LegalFrameworkCriterion ; skos:notation ?n ; rdfs:label ?label }}"""
JudgedLaw = tuple[str, str, ox.Literal | None, list[ox.Literal]]  # IRI, label, entry into force, adoption/promulgation
Judged = dict[str, JudgedLaw]  # by assessment IRI
MEMBERS = f"SELECT ?iso WHERE {{ <{ID}process/commit> <{CK}memberCountry>/<{CK}iso3166Alpha3> ?iso }}"


@dataclass(frozen=True)
class Law:
    """The law an assessment judges, with its entry into force as the source gives it (or None)."""

    iri: str
    label: str
    entry_into_force: str | None


@dataclass(frozen=True)
class Validity:
    """From when an assessment holds. `start` is the first day it is known to hold; when the judged
    law's entry into force is unknown, `known` is False, `start` is only an upper bound (the
    assessment's own date) and `not_before` the lower one (None: unbounded). `reason` says why, naming
    the law."""

    start: datetime.date
    known: bool
    not_before: datetime.date | None
    reason: str


@dataclass(frozen=True)
class Assessment:
    iri: str
    country: str
    criterion: int
    status: str
    assessed_on: datetime.date
    rationale: str
    confidence: str | None
    law: Law | None
    evidence: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CriterionCell:
    """One country × criterion answer on a date; `assessment` is None where no assessment is known to
    hold on that date, and `gap_reason` says why a cell is a data gap (no valid assessment, or an
    unknown one)."""

    country: str
    criterion: int
    status: str
    evidence: list[str]
    source: list[str]
    assessed_on: datetime.date | None
    assessment: str | None
    rationale: str = ""
    criterion_label: str = ""
    criterion_label_th: str = ""
    law: Law | None = None
    validity: Validity | None = None
    confidence: str | None = None
    gap_reason: str | None = None

    @property
    def data_gap(self) -> bool:
        return self.gap_reason is not None

    def record(self) -> dict:
        return {"country": self.country, "criterion": self.criterion, "status": self.status,
                "evidence": self.evidence, "source": self.source,
                "assessed_on": self.assessed_on.isoformat() if self.assessed_on else None,
                "assessment": self.assessment, "rationale": self.rationale,
                "criterion_label": self.criterion_label, "criterion_label_th": self.criterion_label_th,
                "law": self.law.iri if self.law else None, "law_label": self.law.label if self.law else None,
                "law_entry_into_force": self.law.entry_into_force if self.law else None,
                "valid_from": self.validity.start.isoformat() if self.validity else None,
                "validity": self.validity.reason if self.validity else None,
                "confidence": self.confidence, "data_gap": self.data_gap, "gap_reason": self.gap_reason}


def criterion_labels(store: EmbeddedStore) -> dict[int, dict[str, str]]:
    """Each criterion's labels by language, e.g. {4: {"en": "Witness support", "th": "…"}}."""
    labels: dict[int, dict[str, str]] = {}
    for row in store.select(CRITERIA):
        labels.setdefault(int(row["n"].value), {})[row["label"].language or ""] = row["label"].value
    return labels


def assessments(store: EmbeddedStore) -> tuple[list[Assessment], Judged]:
    """Every assessment in the graph with its judged law, evidence (laws, then articles) and sources;
    and, by assessment, the judged law's IRI, label, entry into force and adoption/promulgation dates."""
    judged: Judged = {}
    for row in store.select(JUDGED):
        judged[row["a"].value] = (row["law"].value, row["label"].value if "label" in row else row["law"].value,
                                  row.get("eif"), [row[k] for k in ("adopted", "promulgated") if k in row])
    found: dict[str, dict] = {}
    for row in store.select(ASSESSMENTS):
        item = found.setdefault(row["a"].value, {
            "row": row, "laws": set(), "articles": set(), "docs": set()})
        if "law_label" in row:
            item["laws"].add(row["law_label"].value)
        if "article" in row:
            item["articles"].add(row["article"].value)
        if "doc" in row:
            item["docs"].add(row["doc"].value)
    out = []
    for iri, item in found.items():
        row = item["row"]
        law = None
        if iri in judged:
            law_iri, label, eif, _ = judged[iri]
            law = Law(law_iri, label, eif.value if eif is not None else None)
        articles = [f"articles: {', '.join(sorted(item['articles']))}"] if item["articles"] else []
        out.append(Assessment(iri, row["iso"].value, int(row["n"].value), row["status"].value,
                              datetime.date.fromisoformat(row["on"].value),
                              row["rationale"].value if "rationale" in row else "",
                              row["confidence"].value if "confidence" in row else None, law,
                              sorted(item["laws"]) + articles, sorted(item["docs"])))
    return out, judged


def validities(items: list[Assessment], judged: Judged) -> dict[str, Validity]:
    """The validity of every assessment, by the rule in this module's docstring."""
    cells: dict[tuple[str, int], list[Assessment]] = {}
    for a in items:
        cells.setdefault((a.country, a.criterion), []).append(a)
    out: dict[str, Validity] = {}
    for cell in cells.values():
        previous: datetime.date | None = None
        seen: set[str] = set()
        for a in sorted(cell, key=lambda x: (x.assessed_on, x.iri)):
            law = judged.get(a.iri)
            if law and law[0] in seen:
                out[a.iri] = Validity(a.assessed_on, True, None,
                                      f"holds from its own date, {a.assessed_on}: a later reading of {law[1]}, "
                                      "already judged by an earlier assessment")
            else:
                out[a.iri] = _validity(a, law, previous)
            previous = out[a.iri].start
            seen |= {law[0]} if law else set()
    return out


def _validity(a: Assessment, judged: JudgedLaw | None, previous: datetime.date | None) -> Validity:
    own = a.assessed_on
    if judged is None:
        return Validity(own, True, None, f"holds from its own date, {own}: it judges no single law")
    _, label, eif, bounds = judged
    if eif is not None:
        window = window_of(eif)
        start = window.latest
        if previous is not None and start <= previous:
            return Validity(own, True, None,
                            f"holds from its own date, {own}: a later reading of {label}, which entered into "
                            f"force on {eif.value}, before the previous assessment's start ({previous})")
        approximate = not window.exact
        return Validity(start, True, None,
                        f"holds from {start}, the entry into force of {label}"
                        + (f" (known only as {eif.value}: counted from the end of that period)" if approximate else ""))
    lower = [window_of(b).earliest for b in bounds]
    not_before = max([d for d in lower if d is not None] + ([previous] if previous else []), default=None)
    return Validity(own, False, not_before,
                    f"the entry into force of {label} is unknown: not before "
                    f"{not_before or 'any known date'}, and in force by {own}, the assessment's own date")


def table(store: EmbeddedStore, as_of: datetime.date) -> list[CriterionCell]:
    """All 6 × 5 cells for `as_of`, ordered by country then criterion."""
    items, judged = assessments(store)
    valid = validities(items, judged)
    labels = criterion_labels(store)
    members = sorted(r["iso"].value for r in store.select(MEMBERS))
    cells = []
    for iso in members:
        for number in range(1, 6):
            cell = [a for a in items if a.country == iso and a.criterion == number]
            cells.append(_cell(iso, number, cell, valid, labels.get(number, {}), as_of))
    return cells


def _cell(iso: str, number: int, cell: list[Assessment], valid: dict[str, Validity],
          labels: dict[str, str], as_of: datetime.date) -> CriterionCell:
    named = {"criterion_label": labels.get("en", ""), "criterion_label_th": labels.get("th", "")}
    undecided = sorted((a for a in cell if not valid[a.iri].known and as_of < valid[a.iri].start
                        and (valid[a.iri].not_before is None or valid[a.iri].not_before <= as_of)),
                       key=lambda a: valid[a.iri].start)
    if undecided:
        u = undecided[0]
        reason = (f"no assessment valid on this date: {u.iri.rsplit('/assessment/', 1)[-1]} judges "
                  f"{u.law.label if u.law else 'a law'}, whose entry into force is unknown (not before "
                  f"{valid[u.iri].not_before or 'any known date'}, in force by {u.assessed_on})")
        return CriterionCell(iso, number, "unknown", [], [], None, None, gap_reason=reason, **named)
    held = [a for a in cell if valid[a.iri].start <= as_of]
    if not held:
        first = min(cell, key=lambda a: valid[a.iri].start, default=None)
        reason = ("no assessment valid on this date: the earliest "
                  f"({first.iri.rsplit('/assessment/', 1)[-1]}) {valid[first.iri].reason}" if first
                  else "no assessment of this criterion in the graph")
        return CriterionCell(iso, number, "unknown", [], [], None, None, gap_reason=reason, **named)
    a = max(held, key=lambda x: (valid[x.iri].start, x.assessed_on))
    reason = None
    if a.status == "unknown":
        reason = f"assessment of {a.assessed_on}: status unknown — {a.rationale.split('; ')[0].rstrip('.')}"
    return CriterionCell(iso, number, a.status, a.evidence, a.source, a.assessed_on, a.iri, a.rationale,
                         law=a.law, validity=valid[a.iri], confidence=a.confidence, gap_reason=reason, **named)


def materialise_validity(store: EmbeddedStore) -> list[ox.Quad]:
    """ck:validFrom (known start) or ck:validNotBefore / ck:validNoLaterThan (unknown start) and
    ck:validityReason on each assessment, in graph/derived/assessment-validity."""
    quads = []
    day = lambda d: ox.Literal(d.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    for iri, v in validities(*assessments(store)).items():
        node = ox.NamedNode(iri)
        facts = [("validFrom" if v.known else "validNoLaterThan", day(v.start)),
                 ("validityReason", ox.Literal(v.reason, language="en"))]
        if v.not_before and not v.known:
            facts.append(("validNotBefore", day(v.not_before)))
        quads += [ox.Quad(node, ox.NamedNode(CK + p), o, VALIDITY_GRAPH) for p, o in facts]
    return quads


def materialise_status(store: EmbeddedStore, days: list[datetime.date]) -> list[ox.Quad]:
    """One ck:CriterionStatus per member, criterion and reference day (graph/derived/criterion-status):
    the status of the assessment valid on that day, or unknown where none is, with the reason when the
    cell is a data gap; and the validity of every assessment (graph/derived/assessment-validity)."""
    quads: list[ox.Quad] = materialise_validity(store)

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
            if cell.gap_reason:
                add(node, "gapReason", ox.Literal(cell.gap_reason, language="en"))
    return quads
