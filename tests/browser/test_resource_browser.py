"""The country and instrument pages in a real browser: reached from the dashboard matrix, then an
instrument followed from the country's timeline; screenshots in English and Thai; axe-core finds no
serious or critical violation."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from browser_support import SCREENSHOTS, browser, serious_violations  # noqa: F401 (fixture)

from commit_kg.catalogue import Catalogue
from commit_kg.settings import Settings
from commit_kg.store import EmbeddedStore

DAY = "2012-06-01"


@pytest.mark.parametrize("lang", ["en", "th"])
def test_country_then_instrument_from_the_matrix(server: str, browser, store: EmbeddedStore, lang: str):
    """axe-core is injected as a script, which the CSP refuses: this context bypasses CSP for the check."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(f"{server}/?as_of={DAY}&lang={lang}")
        with page.expect_navigation():
            page.locator("#matrix-mla tbody th[scope=row] a").first.click()
        assert page.url.startswith(f"{server}/id/country/")
        country = ox.NamedNode("https://w3id.org/commit-kg/id/" + page.url.split("/id/", 1)[1].split("?")[0])
        rows = Catalogue(Settings().queries_dir).get("country-instruments").select(store, country=country)
        shown = page.locator("#instruments li[data-instrument]")
        assert sorted({shown.nth(i).get_attribute("data-instrument") for i in range(shown.count())}) == \
            sorted({r["instrument"].value for r in rows})
        assert page.locator("#criteria tbody tr").count() == 5
        shoot(page, f"country-{lang}")
        target = page.locator("#instruments li[data-scope=multilateral] > a").first
        with page.expect_navigation():
            target.click()
        assert page.url.startswith(f"{server}/id/instrument/")
        assert page.locator("#parties tr[data-party]").count() > 1 and page.locator("#sources li").count() > 0
        shoot(page, f"instrument-{lang}")
    finally:
        context.close()


def shoot(page, name: str) -> None:
    """A full-page screenshot, then axe-core's check of the same page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert serious_violations(page) == [], name
