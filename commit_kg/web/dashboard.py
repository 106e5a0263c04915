"""What the dashboard shows for a date, computed from the library (coverage index, criteria table, gap
report) and kept per graph version, so that a page is rendered from answers already made."""

from __future__ import annotations

import datetime
from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock

from .. import criteria
from ..coverage import KINDS, CoverageIndex, PairCoverage, country_labels
from ..gaps import gap_report
from ..namespaces import ID
from ..store import EmbeddedStore
from .search import names as all_names

# Level → symbol shown in the cell beside its name, so that no level is told by colour alone.
SYMBOLS = {"bilateral": "●", "regional": "◆", "untoc": "▲", "none": "✕", "unknown": "?"}
STATUS_SYMBOLS = {"met": "✓", "partly-met": "◐", "not-met": "✕", "unknown": "?"}
LABELS = f"""SELECT ?s ?label WHERE {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label
  FILTER (lang(?label) IN ("en", "th") && STRSTARTS(STR(?s), "{ID}")) }}"""


@dataclass(frozen=True)
class Country:
    iso: str
    iri: str
    label: dict[str, str]


@dataclass
class GraphView:
    """What is read once per graph version: the coverage index, the members and every @en/@th label."""

    store: EmbeddedStore
    index: CoverageIndex
    countries: list[Country]
    labels: dict[str, dict[str, str]]
    names: list[tuple[str, str, str, str]] = field(default_factory=list)  # for search.search
    days: OrderedDict[datetime.date, dict] = field(default_factory=OrderedDict)
    lock: Lock = field(default_factory=Lock)

    def label(self, iri: str, lang: str, fallback: str = "") -> str:
        """The graph's label in `lang`, else in English, else `fallback`."""
        names = self.labels.get(iri, {})
        return names.get(lang) or names.get("en") or fallback or iri.rsplit("/", 1)[-1]


def graph_view(store: EmbeddedStore, index: CoverageIndex | None = None) -> GraphView:
    index = index or CoverageIndex(store)
    labels: dict[str, dict[str, str]] = {}
    for row in store.select(LABELS):
        labels.setdefault(row["s"].value, {})[row["label"].language] = row["label"].value
    names = country_labels(store)
    countries = sorted((Country(iso, iri, {**labels.get(iri, {}), **names.get(iri, {})})
                        for iri, iso in index.countries.items()), key=lambda c: c.label.get("en", c.iso))
    return GraphView(store, index, countries, labels, all_names(store))


MAX_DAYS = 64  # answers kept per graph version (dates people look at cluster on a few reference days)


def answers(view: GraphView, day: datetime.date) -> dict:
    """Coverage of each kind by pair, the criteria cells and the gap report on `day`, computed once."""
    with view.lock:
        if day in view.days:
            view.days.move_to_end(day)
            return view.days[day]
    coverage: dict[str, dict[frozenset[str], PairCoverage]] = {
        kind: {frozenset((p.country_a, p.country_b)): p for p in view.index.pairs(kind, day)} for kind in KINDS}
    made = {"coverage": coverage, "criteria": criteria.table(view.store, day),
            "gaps": gap_report(view.store, view.index, day)}
    with view.lock:
        view.days[day] = made
        while len(view.days) > MAX_DAYS:
            view.days.popitem(last=False)
    return made


def pair(view: GraphView, kind: str, a: str, b: str, day: datetime.date) -> PairCoverage | None:
    """One pair's answer on a day (None when either code is not a member or a == b)."""
    return answers(view, day)["coverage"][kind].get(frozenset((a, b))) if a != b else None
