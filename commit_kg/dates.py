"""Dates as precise as their source: an xsd:date, xsd:gYearMonth or xsd:gYear becomes a window of days."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

import pyoxigraph as ox

from .namespaces import XSD


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
