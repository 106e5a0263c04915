"""The query page in headless Chromium (fixtures from browser_support.py): an example put in the
form, run, its table and its CSV download; screenshots of /query in English and Thai with axe-core."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from browser_support import SCREENSHOTS, browser, page, serious_violations  # noqa: F401 (fixtures)

from commit_kg.catalogue import Catalogue
from commit_kg.store import EmbeddedStore
from commit_kg.web.query import example_text

EXAMPLE = "country-instruments"


def test_an_example_query_runs_and_its_csv_downloads(server: str, page, catalogue: Catalogue,  # noqa: F811
                                                     store: EmbeddedStore, tmp_path: Path):
    page.goto(f"{server}/query?lang=en")
    with page.expect_navigation():
        page.locator(f"#examples a[href*='example={EXAMPLE}']").click()
    text = catalogue.get(EXAMPLE).text
    assert page.locator("#query-text").input_value().strip() == example_text(text).strip()
    with page.expect_navigation():
        page.get_by_role("button", name="Run the query").click()
    expected = store.select(text)
    assert len(expected) > 5
    assert page.locator("#results tbody tr").count() == len(expected)
    with page.expect_download() as info:
        page.locator("#csv").click()
    saved = tmp_path / "query.csv"
    info.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert len(rows) == len(expected)
    assert [f"?{name}" for name in rows[0]] == page.locator("#results thead th").all_inner_texts()
    assert sorted(r["instrument"] for r in rows) == sorted(s["instrument"].value for s in expected)
    assert page.csp_errors == []


@pytest.mark.parametrize("lang", ["en", "th"])
def test_query_page_screenshot_and_no_serious_accessibility_violations(server: str, browser, lang: str):  # noqa: F811
    context = browser.new_context(bypass_csp=True, viewport={"width": 1400, "height": 1000})
    try:
        shown = context.new_page()
        shown.goto(f"{server}/query?example={EXAMPLE}&lang={lang}")
        with shown.expect_navigation():
            shown.locator("#query-form button[type=submit]").click()
        assert shown.locator("#results tbody tr").count() > 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"query-{lang}.png"
        shown.screenshot(path=str(shot))  # the form and the first rows: the whole table is 100+ rows long
        assert shot.stat().st_size > 10_000
        assert serious_violations(shown) == [], f"query ({lang})"
    finally:
        context.close()
