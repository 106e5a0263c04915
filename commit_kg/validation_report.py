"""The SHACL report for people and programs: results sorted into integrity violations, data gaps and
legal gaps by country, and coverage gaps by pair, each with its English and Thai message."""

from __future__ import annotations

import pyoxigraph as ox

from .errors import Violation
from .namespaces import CK, ID
from .store import EmbeddedStore
from .validation import ValidationResult

ORDER = {"violation": 0, "warning": 1, "info": 2}
RDFS = "http://www.w3.org/2000/01/rdf-schema#"

CONTEXT = f"""SELECT ?node ?country ?criterion ?criterion_label ?criterion_label_th ?reason ?date ?kind ?level WHERE {{
  {{ ?node a <{CK}CriterionStatus> ; <{CK}assessedCountry>/<{CK}iso3166Alpha3> ?country ;
          <{CK}criterion> ?c ; <{CK}statusDate> ?date .
     ?c <http://www.w3.org/2004/02/skos/core#notation> ?criterion .
     OPTIONAL {{ ?c <{RDFS}label> ?criterion_label FILTER (lang(?criterion_label) = "en") }}
     OPTIONAL {{ ?c <{RDFS}label> ?criterion_label_th FILTER (lang(?criterion_label_th) = "th") }}
     OPTIONAL {{ ?node <{CK}gapReason> ?reason }} }}
  UNION
  {{ ?node a <{CK}CoverageStatus> ; <{CK}cooperationKind> ?kind ; <{CK}coverageLevel> ?level ; <{CK}statusDate> ?date }}
}}"""
COVERAGE_REASONS = f"""SELECT ?node (GROUP_CONCAT(?r; separator="; ") AS ?reason) WHERE {{
  ?node a <{CK}CoverageStatus> ; <{CK}statusReason> ?r }} GROUP BY ?node"""
KEYS = ("country", "criterion", "criterion_label", "criterion_label_th", "reason", "date", "kind", "level")


def classify(result: Violation) -> str:
    if result.severity == "violation":
        return "integrity"
    if result.focus_node.startswith(ID + "criterion-status/"):
        return "data-gap" if result.name.startswith("Data gap") else "legal-gap"
    if result.focus_node.startswith(ID + "pair/"):
        return "coverage-gap"
    return "other"


def records(result: ValidationResult, store: EmbeddedStore, minimum: str) -> list[dict]:
    """One record per SHACL result at or above `minimum` severity, with the country, criterion (number
    and labels), pair, kind, level and date it concerns, and the reason of a data gap or of an unknown
    coverage level (from the derived status records)."""
    solutions = store.query(CONTEXT)
    assert isinstance(solutions, ox.QuerySolutions)
    context = {row["node"].value: {k: row[k].value for k in KEYS if row[k]} for row in solutions}
    for row in store.select(COVERAGE_REASONS):
        context.setdefault(row["node"].value, {})["reason"] = row["reason"].value
    out = []
    for r in result.results:
        if ORDER[r.severity] > ORDER[minimum]:
            continue
        about = context.get(r.value or "", {}) | context.get(r.focus_node, {})
        record = {"severity": r.severity, "category": classify(r), "focus_node": r.focus_node, "path": r.path,
                  "value": r.value, "shape": r.name or r.shape, "message_en": r.message, "message_th": r.message_th}
        if record["category"] == "coverage-gap":
            about |= {"pair": r.focus_node.rsplit("/", 1)[-1]}
        record |= {k: (v.rsplit("/", 1)[-1] if k in ("kind", "level") else v) for k, v in about.items()
                   if k != "reason" or record["category"] in ("data-gap", "coverage-gap")}
        out.append(record)
    # A total order (every field that can differ), so that the report reads the same whatever order the
    # validator or the store gave the results in.
    return sorted(out, key=lambda x: (ORDER[x["severity"]], x["category"], x.get("country") or "",
                                      x.get("pair") or "", x.get("date") or "", x["focus_node"] or "",
                                      x.get("kind") or "", x.get("criterion") or "", x["path"] or "",
                                      x["value"] or "", x["shape"] or "", x["message_en"] or "",
                                      x.get("level") or "", x.get("reason") or ""))


def text(items: list[dict], counts: dict[str, int]) -> str:
    lines = [f"{counts['violation']} violations, {counts['warning']} warnings, {counts['info']} infos"]
    sections = (("integrity", "Integrity violations (the build refuses these)", "focus_node"),
                ("data-gap", "Data gaps, by country (no valid assessment of a criterion on the date, or status unknown)",
                 "country"),
                ("legal-gap", "Legal gaps, by country (criterion not met or partly met)", "country"),
                ("coverage-gap", "Coverage gaps, by pair (MLA and extradition)", "pair"))
    for category, title, key in sections:
        chosen = [i for i in items if i["category"] == category]
        if not chosen:
            continue
        lines += ["", f"{title}:"]
        current = None
        for item in chosen:
            if item.get(key) != current:
                current = item.get(key)
                lines.append(f"  {current}")
            when = f" [{item['date']}]" if item.get("date") else ""
            lines.append(f"    {item['severity']}{when}: {item['message_en']}")
            if item["message_th"]:
                lines.append(f"      {item['message_th']}")
            if item.get("reason"):
                lines.append(f"      reason: {item['reason']}")
            if category == "integrity" and item.get("value"):
                lines.append(f"      path {item['path']} value {item['value']}")
    return "\n".join(lines)
