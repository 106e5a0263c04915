"""Coverage and criteria answers as text for people: a pair matrix with its gaps, a country × criterion table."""

from __future__ import annotations

import csv
import io
import json

from .coverage import PairCoverage
from .criteria import CriterionCell

SHORT = {"bilateral": "BIL", "regional": "REG", "untoc": "UNTOC", "none": "-", "unknown": "?"}


def coverage_text(answers: list[PairCoverage], below: list[PairCoverage], min_level: str) -> str:
    countries = sorted({a.country_a for a in answers} | {a.country_b for a in answers})
    cell = {(a.country_a, a.country_b): SHORT[a.level] + ("~" if a.approximate else "") for a in answers}
    lines = [f"{answers[0].kind} coverage as of {answers[0].as_of} "
             "(BIL bilateral, REG regional, UNTOC, - none, ? unknown, ~ approximate)" if answers else "no pairs",
             "      " + "".join(c.ljust(8) for c in countries)]
    for row in countries:
        cells = [cell.get((row, col)) or cell.get((col, row)) or "" for col in countries]
        lines.append(row.ljust(6) + "".join(c.ljust(8) for c in cells))
    lines.append("")
    lines.append(f"pairs below {min_level} ({len(below)}):")
    for a in below:
        basis = "; ".join(b.label for b in a.basis) or "no instrument in force found"
        lines.append(f"  {a.country_a}-{a.country_b}: {a.level}{' (approximate)' if a.approximate else ''} — {basis}")
        lines += [f"      undetermined: {reason}" for reason in a.reasons]
    covered = [a for a in answers if a not in below]
    lines.append(f"pairs at or above {min_level} ({len(covered)}):")
    for a in covered:
        lines.append(f"  {a.country_a}-{a.country_b}: {a.level}{' (approximate)' if a.approximate else ''} — "
                     + "; ".join(b.label for b in a.basis))
        lines += [f"      undetermined: {reason}" for reason in a.reasons]
    return "\n".join(lines)


def criteria_text(cells: list[CriterionCell]) -> str:
    """One block per cell: status, the law judged and since when the assessment holds, the evidence; a
    data gap says why."""
    lines = []
    for c in cells:
        lines.append(f"{c.country} {c.criterion}. {c.criterion_label} / {c.criterion_label_th}: {c.status}"
                     + (" [data gap]" if c.data_gap else ""))
        if c.assessment:
            law = f"{c.law.label} (in force {c.law.entry_into_force or 'date unknown'})" if c.law else "no single law"
            lines.append(f"    judged: {law}; assessed as of {c.assessed_on}; {c.validity.reason if c.validity else ''}")
            lines.append(f"    evidence: {'; '.join(c.evidence) or '-'}; confidence: {c.confidence or '-'}")
        if c.gap_reason:
            lines.append(f"    data gap: {c.gap_reason}")
    return "\n".join(lines)


def as_json(records: list[dict] | dict) -> str:
    return json.dumps(records, ensure_ascii=False, indent=2)


def as_csv(records: list[dict]) -> str:
    """Flat CSV: lists become '; '-joined text, nested basis records their IRIs."""
    out = io.StringIO()
    if not records:
        return ""
    writer = csv.DictWriter(out, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: "; ".join(v["iri"] if isinstance(v, dict) else str(v) for v in value)
                         if isinstance(value, list) else value for k, value in record.items()})
    return out.getvalue()
