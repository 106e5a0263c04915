"""The query page's SPARQL editor (CodeMirror 5, vendored) in headless Chromium: the query is highlighted,
a query typed into the editor runs and its CSV downloads, the page keeps its Content-Security-Policy and
has no serious accessibility violation; without JavaScript the plain textarea still runs a query."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from browser_support import browser, page, serious_violations  # noqa: F401 (fixtures)

from commit_kg.store import EmbeddedStore

TYPED = 'SELECT ?country ?name WHERE { ?country a ck:Country ; rdfs:label ?name . FILTER (lang(?name) = "th") }'


def test_the_editor_highlights_the_query(server: str, page):  # noqa: F811
    page.goto(f"{server}/query?example=country-instruments&lang=en")
    editor = page.locator("#query-form .CodeMirror")
    assert editor.count() == 1
    assert not page.locator("#query-text").is_visible()  # the editor stands in for the textarea
    keywords = {t.strip().upper() for t in page.locator("#query-form .CodeMirror .cm-keyword").all_inner_texts()}
    assert {"SELECT", "WHERE"} <= keywords
    assert page.locator("#query-form .CodeMirror .cm-variable-2").count() > 0  # ?variables
    assert page.csp_errors == []


def test_a_query_typed_in_the_editor_runs_and_its_csv_downloads(server: str, page,  # noqa: F811
                                                                store: EmbeddedStore, tmp_path: Path):
    page.goto(f"{server}/query?lang=en")
    page.locator("#query-form .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(TYPED)
    page.locator("#query-form .CodeMirror .cm-string").first.wait_for()  # highlighted as typed
    with page.expect_navigation():
        page.get_by_role("button", name="Run the query").click()
    expected = store.select(TYPED)
    assert len(expected) == 6
    assert page.locator("#results tbody tr").count() == len(expected)
    assert sorted(page.locator("#results tbody td[lang=th]").all_inner_texts()) == \
        sorted(r["name"].value for r in expected)
    with page.expect_download() as info:
        page.locator("#csv").click()
    saved = tmp_path / "typed.csv"
    info.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert sorted(r["name"] for r in rows) == sorted(r["name"].value for r in expected)
    # The editor shows the query that was run, highlighted again.
    assert "".join(page.locator("#query-form .CodeMirror-line").all_inner_texts()).strip() == TYPED
    assert page.csp_errors == []


def test_without_javascript_the_textarea_still_runs_a_query(server: str, browser,  # noqa: F811
                                                            store: EmbeddedStore):
    context = browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(f"{server}/query?lang=en")
        assert plain.locator("#query-form .CodeMirror").count() == 0
        plain.locator("#query-text").fill(TYPED)
        with plain.expect_navigation():
            plain.get_by_role("button", name="Run the query").click()
        assert plain.locator("#results tbody tr").count() == len(store.select(TYPED))
    finally:
        context.close()


def test_the_editor_page_has_no_serious_accessibility_violation(server: str, browser):  # noqa: F811
    context = browser.new_context(bypass_csp=True, viewport={"width": 1400, "height": 1000})
    try:
        for lang in ("en", "th"):
            shown = context.new_page()
            shown.goto(f"{server}/query?example=country-instruments&lang={lang}")
            assert shown.locator("#query-form .CodeMirror .cm-keyword").count() > 0
            assert serious_violations(shown) == [], f"query editor ({lang})"
            shown.close()
    finally:
        context.close()
