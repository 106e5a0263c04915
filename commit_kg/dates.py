"""Dates as precise as their source: an xsd:date, xsd:gYearMonth or xsd:gYear becomes a window of days."""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from .errors import IntegrityError, Violation
from .namespaces import CK, XSD
from .store import EmbeddedStore


@dataclass(frozen=True)
class Window:
    """The days a fact may have happened on: one day when the source gives it, a month or a year when
    that is all it gives. `None` on a side means that side is unknown."""

    earliest: datetime.date | None
    latest: datetime.date | None
    upper_bound: bool = False  # `latest` is only "no later than": inside the window the state is unknown

    @property
    def exact(self) -> bool:
        return self.earliest is not None and self.earliest == self.latest

    @property
    def known(self) -> bool:
        return self.latest is not None

    @property
    def text(self) -> str:
        """As precise as the source: 2004-03-30, 2008-09 or 2004 (a bound reads as its latest day)."""
        first, last = self.earliest, self.latest
        if first is None or last is None or first == last:
            return (last or first).isoformat() if (last or first) else "unknown"
        if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and first.year == last.year:
            return str(first.year)
        if first.day == 1 and (first.year, first.month) == (last.year, last.month):
            return first.strftime("%Y-%m")
        return f"{first.isoformat()}/{last.isoformat()}"


UNKNOWN = Window(None, None)


def window_of(literal: ox.Literal) -> Window:
    """The window of a date literal; raises ValueError for any other datatype or a malformed value."""
    datatype, text = literal.datatype.value, literal.value
    if datatype == XSD + "date":
        day = datetime.date.fromisoformat(text[:10])
        return Window(day, day)
    if datatype == XSD + "gYearMonth":
        year, month = int(text[:4]), int(text[5:7])
        return Window(datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1]))
    if datatype == XSD + "gYear":
        year = int(text[:4])
        return Window(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    raise ValueError(f"{literal} is not an xsd:date, xsd:gYearMonth or xsd:gYear")


def latest_lower_bound(windows: list[Window]) -> datetime.date | None:
    """The latest of the earliest days: nothing can have taken effect before all of these happened."""
    days = [w.earliest for w in windows if w.earliest is not None]
    return max(days) if days else None


def first(windows: list[Window]) -> Window:
    """The chosen value of a date (the graph holds one; conflicting claims live on ck:Claim nodes)."""
    return windows[0] if windows else UNKNOWN


def tightest(windows: list[Window]) -> Window:
    """Of several upper bounds (one stated, one derived by rule), the earliest: each alone is true."""
    known = [w for w in windows if w.known]
    return min(known, key=lambda w: w.latest) if known else UNKNOWN


def dated(store: EmbeddedStore, subjects: str, properties: tuple[str, ...]) -> dict[str, dict[str, list[Window]]]:
    """For each subject matched by `subjects` (a pattern binding ?x), the windows of its date properties;
    an IntegrityError names every value that is not a real date."""
    values = " ".join(f"ck:{p}" for p in properties)
    rows = store.select(f"SELECT ?x ?p ?d WHERE {{ {subjects} VALUES ?p {{ {values} }} ?x ?p ?d }}")
    found: dict[str, dict[str, list[Window]]] = defaultdict(lambda: defaultdict(list))
    bad = []
    for r in rows:
        try:
            found[r["x"].value][r["p"].value.removeprefix(CK)].append(window_of(r["d"]))
        except (ValueError, AttributeError):
            bad.append(Violation("violation", r["x"].value, r["p"].value, str(r["d"]),
                                 "A date must be a real xsd:date, xsd:gYearMonth or xsd:gYear.", "build: date parsing"))
    if bad:
        raise IntegrityError(bad)
    return found
