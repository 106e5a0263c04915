"""The dashboard in a real browser: headless Chromium from Debian (`apt-get install chromium`), driven by
Playwright for Python against the real server. The expected cells are derived from CoverageIndex, the
labels from the graph; screenshots go to tests/artifacts/screenshots; axe-core (vendored in
tests/browser/vendor, MPL-2.0) checks accessibility in the same browser run."""

from __future__ import annotations

import csv
import datetime
import io

import pytest

from commit_kg.coverage import CoverageIndex, country_labels
from commit_kg.criteria import criterion_labels
from commit_kg.store import EmbeddedStore

from browser_support import AXE, SCREENSHOTS, browser, page  # noqa: F401 (fixtures)

BEFORE, AFTER = datetime.date(2004, 6, 1), datetime.date(2005, 1, 1)


def cells(page, kind: str) -> dict[frozenset[str], str]:
    """The level each cell of one matrix shows, by pair (read from the page, both orientations)."""
    found: dict[frozenset[str], str] = {}
    for td in page.locator(f"#matrix-{kind} td[data-pair]").all():
        a, b = td.get_attribute("data-pair").split("-")
        level = td.get_attribute("data-level")
        assert found.setdefault(frozenset((a, b)), level) == level, "a matrix is symmetric"
    return found


def expected(index: CoverageIndex, kind: str, day: datetime.date) -> dict[frozenset[str], str]:
    return {frozenset((p.country_a, p.country_b)): p.level for p in index.pairs(kind, day)}


def test_2004_shows_only_cambodia_thailand_bilateral_for_anti_trafficking(server: str, page, index: CoverageIndex):
    page.goto(f"{server}/?as_of={BEFORE}")
    shown = cells(page, "anti-trafficking")
    assert shown == expected(index, "anti-trafficking", BEFORE) and len(shown) == 15
    assert {pair for pair, level in shown.items() if level == "bilateral"} == {frozenset(("KHM", "THA"))}
    for kind in ("mla", "extradition"):
        assert cells(page, kind) == expected(index, kind, BEFORE)
    assert page.csp_errors == []


def test_2005_every_pair_at_least_regional(server: str, page, index: CoverageIndex):
    page.goto(f"{server}/?as_of={AFTER}")
    shown = cells(page, "anti-trafficking")
    assert shown == expected(index, "anti-trafficking", AFTER) and len(shown) == 15
    assert set(shown.values()) <= {"regional", "bilateral"}, shown


def test_changing_the_date_changes_a_cell(server: str, page, index: CoverageIndex):
    before, after = expected(index, "anti-trafficking", BEFORE), expected(index, "anti-trafficking", AFTER)
    changed = sorted(sorted(p) for p in before if before[p] != after[p])
    assert changed, "the data says some anti-trafficking pair changes between the two dates"
    pair = frozenset(changed[0])
    page.goto(f"{server}/?as_of={BEFORE}")
    assert cells(page, "anti-trafficking")[pair] == before[pair]
    page.fill("#as_of", AFTER.isoformat())
    with page.expect_navigation():
        page.click("form.date button[type=submit]")
    assert f"as_of={AFTER}" in page.url
    assert cells(page, "anti-trafficking")[pair] == after[pair] != before[pair]


def test_thai_switch_shows_the_graphs_thai_labels_and_is_remembered(server: str, page, store: EmbeddedStore,
                                                                   index: CoverageIndex):
    page.goto(f"{server}/?as_of={AFTER}")
    fonts: list[str] = []
    page.on("response", lambda r: r.url.endswith(".woff2") and r.status == 200 and fonts.append(r.url))
    with page.expect_navigation():
        page.click("nav.lang a[hreflang=th]")
    assert page.locator("html").get_attribute("lang") == "th"
    thai = {labels["th"] for labels in country_labels(store).values()}
    rows = {text.strip() for text in page.locator("#matrix-mla tbody th[scope=row]").all_inner_texts()}
    assert rows == thai and len(thai) == 6
    headers = {text.strip() for text in page.locator("#criteria thead th").all_inner_texts()}
    assert {labels["th"] for labels in criterion_labels(store).values()} <= headers
    page.wait_for_load_state("networkidle")
    assert fonts, "the vendored Thai font is loaded from the service for Thai text"
    page.goto(f"{server}/?as_of={AFTER}")  # no ?lang=: the cookie remembers Thai
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.csp_errors == []


def test_a_cell_leads_to_its_instruments_and_sources(server: str, page, index: CoverageIndex):
    answer = next(p for p in index.pairs("anti-trafficking", BEFORE) if p.level == "bilateral")
    page.goto(f"{server}/?as_of={BEFORE}")
    with page.expect_navigation():
        page.click(f"#matrix-anti-trafficking td[data-pair={answer.country_a}-{answer.country_b}] a")
    assert page.locator("#level").get_attribute("data-level") == answer.level
    sources = set(page.locator("#basis a.source").all_inner_texts())
    assert sources == {s for b in answer.basis for s in b.sources} and sources
    instrument = page.locator("#basis > li > a").first
    with page.expect_navigation():
        instrument.click()
    assert page.url.startswith(f"{server}/id/")


def test_an_unknown_cell_shows_its_reason_on_focus(server: str, page, index: CoverageIndex):
    unknown = next(p for p in index.pairs("mla", BEFORE) if p.level == "unknown")
    page.goto(f"{server}/?as_of={BEFORE}")
    cell = page.locator(f"#matrix-mla td[data-pair={unknown.country_a}-{unknown.country_b}]")
    reason = cell.locator(".reason")
    assert not reason.is_visible()
    cell.locator("a").focus()
    assert reason.is_visible() and unknown.reasons[0] in reason.inner_text()


@pytest.mark.parametrize("lang", ["en", "th"])
def test_screenshots_and_no_serious_accessibility_violations(server: str, browser, lang: str, index: CoverageIndex):
    """axe-core is injected as a script, which the service's CSP rightly refuses: this context bypasses
    CSP for the check only (the other tests run with it)."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        pair = next(p for p in index.pairs("anti-trafficking", BEFORE) if p.level == "bilateral")
        for name, path in (("dashboard", f"/?as_of={BEFORE}&lang={lang}"),
                           ("coverage-cell", (f"/coverage/anti-trafficking/{pair.country_a}/{pair.country_b}"
                                              f"?as_of={BEFORE}&lang={lang}")),
                           ("search", f"/search?q=%E0%B9%84%E0%B8%97%E0%B8%A2&lang={lang}"),
                           ("report", f"/report?as_of={BEFORE}&lang={lang}"),
                           ("lineage", f"/lineage?lang={lang}")):
            page.goto(f"{server}{path}")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shot = SCREENSHOTS / f"{name}-{lang}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate("async () => (await axe.run(document)).violations"
                                       ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length}))")
            serious = [v for v in violations if v["impact"] in ("serious", "critical")]
            assert serious == [], f"{name} ({lang}): {serious}"
    finally:
        context.close()


def test_a_country_opens_from_the_matrix(server: str, page, store: EmbeddedStore):
    page.goto(f"{server}/?as_of={AFTER}&lang=th")
    row = page.locator("#matrix-extradition tbody th[scope=row] a").first
    name = row.inner_text().strip()
    assert name in {labels["th"] for labels in country_labels(store).values()}
    with page.expect_navigation():
        row.click()
    assert page.url.startswith(f"{server}/id/") and name in page.content()


def test_the_tables_download_as_csv_for_the_date(server: str, page, index: CoverageIndex):
    page.goto(f"{server}/?as_of={BEFORE}")
    link = page.locator(".downloads a[href*='kind=anti-trafficking']")
    answer = page.request.get(link.get_attribute("href"))
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text())))
    expected_levels = {(p.country_a, p.country_b): p.level for p in index.pairs("anti-trafficking", BEFORE)}
    assert {(r["country_a"], r["country_b"]): r["level"] for r in rows} == expected_levels
    assert {r["as_of"] for r in rows} == {BEFORE.isoformat()}


def test_the_search_box_finds_a_thai_label(server: str, page, store: EmbeddedStore):
    iri, labels = min(country_labels(store).items())
    page.goto(f"{server}/?as_of={AFTER}&lang=en")
    page.fill("#site-search", labels["th"][1:])  # part of the Thai name, as a person would type it
    with page.expect_navigation():
        page.click("form.search button[type=submit]")
    hits = page.locator("#hits a")
    assert labels["en"] in hits.all_inner_texts()
    first = hits.filter(has_text=labels["en"]).first
    with page.expect_navigation():
        first.click()
    assert page.url == f"{server}/id/{iri.rsplit('/id/', 1)[1]}"


def test_the_printable_report_lists_the_dashboards_gaps_without_the_page_frame(server: str, page):
    page.goto(f"{server}/?as_of={BEFORE}")
    gaps = page.locator("#pair-gaps > li").count(), page.locator("#country-gaps > li").count()
    assert gaps[0] > 0
    with page.expect_navigation():
        page.click(f"a[href$='/report?as_of={BEFORE}']")
    assert (page.locator("#pair-gaps > li").count(), page.locator("#country-gaps > li").count()) == gaps
    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible() and not page.locator(".downloads").is_visible()
    assert page.locator("#criteria").is_visible()


def test_the_lineage_view_draws_every_ppc_and_derivation(server: str, page, store: EmbeddedStore):
    """Boxes and lines counted against the graph: each PPC of the three plans, each derivation between
    two of them, stated ones solid and inferred ones dashed; the Thai view titles boxes with Thai labels."""
    plans = "<https://w3id.org/commit-kg/id/plan/spa2005> <https://w3id.org/commit-kg/id/plan/spa2005r> " \
            "<https://w3id.org/commit-kg/id/plan/spa2>"
    ppcs = {r["p"].value: r.get("th") for r in store.select(
        f"SELECT ?p ?th WHERE {{ VALUES ?plan {{ {plans} }} ?p a ck:ProjectProposalConcept ; dcterms:isPartOf ?plan "
        "OPTIONAL { ?p rdfs:label ?th FILTER (lang(?th) = 'th') } }")}
    steps = {(r["o"].value, r["n"].value): r["s"].value.endswith("Stated") for r in store.select(
        "SELECT ?o ?n ?s WHERE { ?n prov:qualifiedDerivation ?q . ?q prov:entity ?o ; ck:evidenceStatus ?s }")
        if r["o"].value in ppcs and r["n"].value in ppcs}
    page.goto(f"{server}/lineage?lang=th")
    boxes = page.locator("#lineage a.ppc")
    assert sorted(boxes.evaluate_all("els => els.map(e => e.dataset.iri)")) == sorted(ppcs)
    drawn = page.locator("#lineage g.step").evaluate_all(
        "els => els.map(e => [e.dataset.older, e.dataset.newer, e.dataset.stated,"
        " e.querySelector('path').getAttribute('stroke-dasharray')])")
    assert {(o, n): stated == "yes" for o, n, stated, _ in drawn} == steps and len(drawn) == len(steps)
    assert all((dash is None) == (stated == "yes") for _, _, stated, dash in drawn)
    titled = dict(zip(boxes.evaluate_all("els => els.map(e => e.dataset.iri)"),
                      boxes.locator("title").all_text_contents()))
    assert all(titled[iri] == label.value for iri, label in ppcs.items() if label is not None)
    with page.expect_navigation():
        boxes.first.click()
    assert page.url.startswith(f"{server}/id/plan/")  # a plan heading or a PPC box
