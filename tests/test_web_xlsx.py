"""The gap report's XLSX workbook: it opens with openpyxl and its cells are the library's answers
(CoverageIndex.pairs, criteria.table, gap_report) for the date asked, labelled in the language asked."""

from __future__ import annotations

import datetime
import io

import httpx
import pytest
from openpyxl import load_workbook

from commit_kg import criteria
from commit_kg.coverage import KINDS, CoverageIndex, country_labels
from commit_kg.gaps import gap_report
from commit_kg.store import EmbeddedStore
from commit_kg.web.i18n import gettext_for
from commit_kg.web.routes import KIND_TITLES, LEVEL_NAMES, STATUS_NAMES


def opened(server: str, day: str, lang: str):
    answer = httpx.get(f"{server}/report.xlsx", params={"as_of": day, "lang": lang}, timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert f"{day}-{lang}.xlsx" in answer.headers["content-disposition"]
    return load_workbook(io.BytesIO(answer.content))


@pytest.mark.parametrize(("day", "lang"), [("2004-06-01", "en"), ("2005-01-01", "th"), ("2010-12-31", "en")])
def test_workbook_cells_are_the_libraries_answers(server: str, store: EmbeddedStore, index: CoverageIndex,
                                                  day: str, lang: str):
    book = opened(server, day, lang)
    _ = gettext_for(lang)
    date = datetime.date.fromisoformat(day)
    iso_of = {labels[lang]: index.countries[iri] for iri, labels in country_labels(store).items()}
    assert book.sheetnames == [*(_(KIND_TITLES[k])[:31] for k in KINDS), _("Criteria"), _("Gaps")]
    for kind in KINDS:
        rows = list(book[_(KIND_TITLES[kind])[:31]].iter_rows(values_only=True))
        assert rows[0][0] == day and len(rows) == 7
        columns = [iso_of[name] for name in rows[0][1:]]
        expected = {frozenset((p.country_a, p.country_b)): _(LEVEL_NAMES[p.level]) for p in index.pairs(kind, date)}
        for row in rows[1:]:
            a = iso_of[row[0]]
            for b, value in zip(columns, row[1:]):
                assert value == ("—" if a == b else expected[frozenset((a, b))]), (kind, a, b)
    rows = list(book[_("Criteria")].iter_rows(values_only=True))
    cells = criteria.table(store, date)
    heading = {(c.criterion_label_th if lang == "th" and c.criterion_label_th else c.criterion_label): c.criterion
               for c in cells}
    numbers = [heading[h] for h in rows[0][1:]]
    shown = {(iso_of[row[0]], n): v for row in rows[1:] for n, v in zip(numbers, row[1:])}
    assert shown == {(c.country, c.criterion): _(STATUS_NAMES[c.status]) for c in cells}
    gaps = gap_report(store, index, date)
    rows = list(book[_("Gaps")].iter_rows(values_only=True))
    pair_rows = rows[1:1 + len(gaps.pairs)]
    assert [(iso_of[r[0]], iso_of[r[1]], r[3], r[4]) for r in pair_rows] == [
        (g.country_a, g.country_b, _(LEVEL_NAMES[g.level]), g.severity) for g in gaps.pairs]
    country_rows = rows[3 + len(gaps.pairs):]
    assert [(iso_of[r[0]], r[5]) for r in country_rows] == [(g.country, g.reason) for g in gaps.countries]


def test_the_date_changes_the_workbook(server: str):
    """Before and after the 2004 MOU signings the anti-trafficking sheet differs (the library says so)."""
    before = list(opened(server, "2004-06-01", "en")["Anti-trafficking cooperation"].iter_rows(values_only=True))
    after = list(opened(server, "2005-01-01", "en")["Anti-trafficking cooperation"].iter_rows(values_only=True))
    assert before != after


def test_report_and_dashboard_link_the_workbook(server: str):
    for path in ("/report", "/"):
        page = httpx.get(f"{server}{path}?as_of=2005-01-01&lang=th").text
        assert "/report.xlsx?as_of=2005-01-01&amp;lang=th" in page, path


def test_a_bad_date_is_refused(server: str):
    answer = httpx.get(f"{server}/report.xlsx?as_of=2005-02-30")
    assert answer.status_code == 400 and "as_of" in answer.json()["message"]
