"""The gap report's tables for a date as one XLSX workbook (openpyxl): a sheet per coverage kind (the
6×6 matrix of levels), the country × criterion table and the gaps, with headings and values in the
page's language. Made from the same answers as the dashboard (dashboard.answers), so the file and the
page never disagree."""

from __future__ import annotations

import datetime
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ..coverage import KINDS
from .dashboard import GraphView, answers
from .i18n import gettext_for


def N_(message: str) -> str:
    """Marks a message for extraction (pybabel extract -k N_); it is translated where it is shown."""
    return message


GAP_NAMES = {"legal": N_("legal gap"), "data": N_("data gap")}
PAIR_HEADINGS = (N_("Country"), N_("Partner"), N_("Kind"), N_("Level"), N_("Severity"), N_("Reasons"))
COUNTRY_HEADINGS = (N_("Country"), N_("Criterion"), N_("Gap"), N_("Status"), N_("Assessed on"), N_("Reason"))
BOLD = Font(bold=True)
MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_title(text: str) -> str:
    """A legal sheet name: at most 31 characters, none of []:*?/\\."""
    return "".join(c for c in text if c not in "[]:*?/\\")[:31]


def workbook(view: GraphView, day: datetime.date, lang: str, words: dict[str, dict[str, str]]) -> bytes:
    """The XLSX bytes of the tables on `day`, labelled in `lang` (en or th); `words` holds the pages' own
    msgids of kinds, levels and statuses (routes.KIND_TITLES …) so both say the same."""
    _ = gettext_for(lang)
    made = answers(view, day)
    kinds, levels, statuses = words["kinds"], words["levels"], words["statuses"]
    names = {c.iso: c.label.get(lang) or c.label.get("en") or c.iso for c in view.countries}
    book = Workbook()
    book.remove(book.active)
    for kind in KINDS:
        sheet = book.create_sheet(sheet_title(_(kinds[kind])))
        sheet.append([day.isoformat(), *(names[c.iso] for c in view.countries)])
        for a in view.countries:
            sheet.append([names[a.iso], *(
                level(made["coverage"][kind].get(frozenset((a.iso, b.iso))), levels, _) if a.iso != b.iso else "—"
                for b in view.countries)])
        style(sheet)
    cells = made["criteria"]
    numbers = sorted({c.criterion for c in cells})
    heading = {c.criterion: (c.criterion_label_th if lang == "th" and c.criterion_label_th else c.criterion_label)
               for c in cells}
    by_cell = {(c.country, c.criterion): c for c in cells}
    sheet = book.create_sheet(sheet_title(_("Criteria")))
    sheet.append([_("Country"), *(heading[n] for n in numbers)])
    for country in view.countries:
        sheet.append([names[country.iso], *(
            _(statuses[by_cell[(country.iso, n)].status]) if (country.iso, n) in by_cell else ""
            for n in numbers)])
    style(sheet)
    gaps = made["gaps"]
    sheet = book.create_sheet(sheet_title(_("Gaps")))
    sheet.append([_(h) for h in PAIR_HEADINGS])
    for g in gaps.pairs:
        sheet.append([names[g.country_a], names[g.country_b], _(kinds[g.kind]), _(levels[g.level]),
                      g.severity, "\n".join(g.reasons)])
    sheet.append([])
    start = sheet.max_row + 1
    sheet.append([_(h) for h in COUNTRY_HEADINGS])
    for g in gaps.countries:
        sheet.append([names[g.country], g.criterion_label_th if lang == "th" and g.criterion_label_th
                      else g.criterion_label, _(GAP_NAMES[g.gap]), _(statuses[g.status]),
                      g.assessed_on.isoformat() if g.assessed_on else "", g.reason])
    style(sheet, (1, start))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def level(answer, levels: dict[str, str], _) -> str:
    return _(levels[answer.level]) if answer else ""


def style(sheet, heading_rows: tuple[int, ...] = (1,)) -> None:
    """Bold headings, first column bold, wide enough columns, the heading row frozen."""
    for row in heading_rows:
        for cell in sheet[row]:
            cell.font = BOLD
    for cell in sheet["A"]:
        cell.font = BOLD
    for column in sheet.columns:
        longest = max(len(str(c.value or "").split("\n")[0]) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, longest + 2))
        for c in column:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"
