"""SELECT answers as records, and those records as a table or CSV."""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox

CELL_WIDTH = 70


def term_text(term: ox.Term | None) -> str:
    """The plain text of a term: an IRI as is, a literal by its value (its language kept apart)."""
    if term is None:
        return ""
    return term.value


def records(solutions: ox.QuerySolutions) -> list[dict[str, str]]:
    names = [v.value for v in solutions.variables]
    return [{name: term_text(solution[name]) for name in names} for solution in solutions]


def as_csv(rows: list[dict[str, str]], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= CELL_WIDTH else text[: CELL_WIDTH - 1] + "…"


def as_table(rows: list[dict[str, str]], columns: list[str]) -> str:
    cells = [[clip(row[c]) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    out = [line(columns), line(["-" * w for w in widths])] + [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
