"""The secretariat's view, for any date: which countries lack what (data gaps: no assessment of a
criterion valid on that date, or one whose status is unknown, each with its reason; legal gaps: not
met or partly met) and which pairs lack MLA or extradition coverage
(none: warning; only UNTOC or unknown: info). On the reference dates it says what the SHACL
completeness, legal-gap and coverage-gap shapes report."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from . import criteria
from .coverage import CoverageIndex
from .store import EmbeddedStore

GAP_KINDS = ("mla", "extradition")
SEVERITY_OF_LEVEL = {"none": "warning", "untoc": "info", "unknown": "info"}


@dataclass(frozen=True)
class CountryGap:
    country: str
    criterion: int
    gap: str  # "data" (no valid assessment, or an unknown one) or "legal" (not met / partly met)
    status: str
    assessed_on: datetime.date | None
    criterion_label: str = ""
    criterion_label_th: str = ""
    reason: str = ""
    assessment: str | None = None
    law: str | None = None
    law_label: str | None = None

    def record(self) -> dict:
        return {"country": self.country, "criterion": self.criterion, "criterion_label": self.criterion_label,
                "criterion_label_th": self.criterion_label_th, "gap": self.gap, "status": self.status,
                "assessed_on": self.assessed_on.isoformat() if self.assessed_on else None,
                "reason": self.reason, "assessment": self.assessment, "law": self.law, "law_label": self.law_label}


@dataclass(frozen=True)
class PairGap:
    country_a: str
    country_b: str
    kind: str
    level: str
    severity: str
    reasons: tuple[str, ...] = ()  # why no stronger instrument counts: each undetermined one, with its IRI


@dataclass(frozen=True)
class GapReport:
    as_of: datetime.date
    countries: list[CountryGap]
    pairs: list[PairGap]

    def record(self) -> dict:
        return {"as_of": self.as_of.isoformat(),
                "countries": [g.record() for g in self.countries],
                "pairs": [{"country_a": g.country_a, "country_b": g.country_b, "kind": g.kind, "level": g.level,
                           "severity": g.severity, "reasons": list(g.reasons)} for g in self.pairs]}


def gap_report(store: EmbeddedStore, index: CoverageIndex, as_of: datetime.date) -> GapReport:
    countries = []
    for cell in criteria.table(store, as_of):
        named = {"criterion_label": cell.criterion_label, "criterion_label_th": cell.criterion_label_th,
                 "assessment": cell.assessment, "law": cell.law.iri if cell.law else None,
                 "law_label": cell.law.label if cell.law else None}
        if cell.gap_reason:
            countries.append(CountryGap(cell.country, cell.criterion, "data", cell.status, cell.assessed_on,
                                        reason=cell.gap_reason, **named))
        elif cell.status in ("not-met", "partly-met"):
            countries.append(CountryGap(cell.country, cell.criterion, "legal", cell.status, cell.assessed_on,
                                        reason=f"assessment of {cell.assessed_on}: {cell.status}", **named))
    pairs = [PairGap(a.country_a, a.country_b, kind, a.level, SEVERITY_OF_LEVEL[a.level], tuple(a.reasons))
             for kind in GAP_KINDS for a in index.pairs(kind, as_of) if a.level in SEVERITY_OF_LEVEL]
    return GapReport(as_of, countries, pairs)


def gap_text(report: GapReport) -> str:
    lines = [f"Gaps as of {report.as_of}", "",
             "Countries (data gap: no valid assessment, or status unknown; legal gap: not met or partly met):"]
    by_country: dict[str, list[CountryGap]] = {}
    for gap in report.countries:
        by_country.setdefault(gap.country, []).append(gap)
    for country, gaps in sorted(by_country.items()):
        lines.append(f"  {country}:")
        for g in gaps:
            lines.append(f"    {g.criterion_label} / {g.criterion_label_th} (criterion {g.criterion}): "
                         f"{g.gap} gap ({g.status})")
            if g.gap == "data":
                lines.append(f"      reason: {g.reason}")
            elif g.law_label:
                lines.append(f"      judged law: {g.law_label}")
    if not by_country:
        lines.append("  none")
    lines += ["", "Pairs (warning: no basis; info: only UNTOC or unknown):"]
    for gap in report.pairs:
        lines.append(f"  {gap.country_a}-{gap.country_b} {gap.kind}: {gap.level} [{gap.severity}]")
        lines += [f"      undetermined: {reason}" for reason in gap.reasons]
    if not report.pairs:
        lines.append("  none")
    return "\n".join(lines)
