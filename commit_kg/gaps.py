"""The secretariat's view, for any date: which countries lack what (data gaps: no assessment of a
criterion; legal gaps: not met or partly met) and which pairs lack MLA or extradition coverage
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
    gap: str  # "data" (no assessment by then) or "legal" (not met / partly met)
    status: str
    assessed_on: datetime.date | None


@dataclass(frozen=True)
class PairGap:
    country_a: str
    country_b: str
    kind: str
    level: str
    severity: str


@dataclass(frozen=True)
class GapReport:
    as_of: datetime.date
    countries: list[CountryGap]
    pairs: list[PairGap]

    def record(self) -> dict:
        return {"as_of": self.as_of.isoformat(),
                "countries": [{"country": g.country, "criterion": g.criterion, "gap": g.gap, "status": g.status,
                               "assessed_on": g.assessed_on.isoformat() if g.assessed_on else None}
                              for g in self.countries],
                "pairs": [{"country_a": g.country_a, "country_b": g.country_b, "kind": g.kind, "level": g.level,
                           "severity": g.severity} for g in self.pairs]}


def gap_report(store: EmbeddedStore, index: CoverageIndex, as_of: datetime.date) -> GapReport:
    countries = []
    for cell in criteria.table(store, as_of):
        if cell.assessment is None:
            countries.append(CountryGap(cell.country, cell.criterion, "data", cell.status, None))
        elif cell.status in ("not-met", "partly-met"):
            countries.append(CountryGap(cell.country, cell.criterion, "legal", cell.status, cell.assessed_on))
    pairs = [PairGap(a.country_a, a.country_b, kind, a.level, SEVERITY_OF_LEVEL[a.level])
             for kind in GAP_KINDS for a in index.pairs(kind, as_of) if a.level in SEVERITY_OF_LEVEL]
    return GapReport(as_of, countries, pairs)


def gap_text(report: GapReport) -> str:
    lines = [f"Gaps as of {report.as_of}", "", "Countries (data gap: no assessment; legal gap: not met or partly met):"]
    by_country: dict[str, list[CountryGap]] = {}
    for gap in report.countries:
        by_country.setdefault(gap.country, []).append(gap)
    for country, gaps in sorted(by_country.items()):
        items = "; ".join(f"criterion {g.criterion} {g.gap} gap ({g.status})" for g in gaps)
        lines.append(f"  {country}: {items}")
    if not by_country:
        lines.append("  none")
    lines += ["", "Pairs (warning: no basis; info: only UNTOC or unknown):"]
    for gap in report.pairs:
        lines.append(f"  {gap.country_a}-{gap.country_b} {gap.kind}: {gap.level} [{gap.severity}]")
    if not report.pairs:
        lines.append("  none")
    return "\n".join(lines)
