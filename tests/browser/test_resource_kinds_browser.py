"""The pages of a PPC, a law and a plan in a real browser: from a PPC follow a predecessor and an
activity; screenshots in English and Thai (ppc-, law-, plan-{en,th}.png); axe-core finds no serious or
critical violation; the pages keep the Content-Security-Policy (no report)."""

from __future__ import annotations

import pytest
from browser_support import browser, page  # noqa: F401 (fixtures)
from test_resource_browser import shoot

from commit_kg.namespaces import ID
from commit_kg.store import EmbeddedStore

PPC = "plan/spa2/ppc/4"  # merged and split from the revised plan's PPCs; has eight activities
LAW = "law/khm-law-suppression-human-trafficking-2008"
PLAN = "plan/spa2"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


def label(store: EmbeddedStore, iri: str, lang: str) -> str:
    return store.select(f'SELECT ?l WHERE {{ <{iri}> {RDFS_LABEL} ?l FILTER (lang(?l) = "{lang}") }}')[0]["l"].value


def values(store: EmbeddedStore, sparql: str) -> set[str]:
    return {row["x"].value for row in store.select(sparql)}


@pytest.mark.parametrize("lang", ["en", "th"])
def test_a_ppc_then_its_predecessor_and_its_activity(server: str, browser, store: EmbeddedStore, lang: str):
    """axe-core is injected as a script, which the CSP refuses: this context bypasses CSP for the check."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 1400, "height": 1000})
    try:
        tab = context.new_page()
        tab.goto(f"{server}/id/{PPC}?lang={lang}")
        assert tab.locator("h1").inner_text() == label(store, ID + PPC, lang)
        older = values(store, f"SELECT ?x WHERE {{ <{ID}{PPC}> <http://www.w3.org/ns/prov#wasDerivedFrom> ?x }}")
        rows = tab.locator("#predecessors tbody tr")
        assert {rows.nth(i).get_attribute("data-older") for i in range(rows.count())} == older
        shoot(tab, f"ppc-{lang}")

        first = tab.locator("#predecessors tbody th a").first
        with tab.expect_navigation():
            first.click()
        reached = ID + tab.url.split("/id/", 1)[1].split("?")[0]
        assert reached in older and tab.locator("h1").inner_text() == label(store, reached, lang)
        assert tab.locator(f'#successors tr[data-newer="{ID}{PPC}"]').count() >= 1, "the step is seen from both ends"

        tab.go_back()
        activity = tab.locator("#activities a").first
        with tab.expect_navigation():
            activity.click()
        reached = ID + tab.url.split("/id/", 1)[1].split("?")[0]
        assert reached in values(store, f"SELECT ?x WHERE {{ ?x <http://purl.org/dc/terms/isPartOf> <{ID}{PPC}> }}")
        assert tab.locator("#texts tbody tr").count() == 3
        assert tab.locator("h1").inner_text() == label(store, reached, lang)
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "th"])
def test_a_law_and_a_plan(server: str, browser, store: EmbeddedStore, lang: str):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1400, "height": 1000})
    try:
        tab = context.new_page()
        tab.goto(f"{server}/id/{LAW}?lang={lang}")
        judged = values(store, f"""SELECT ?x WHERE {{ {{ ?x <https://w3id.org/commit-kg/ontology#assessesLaw> <{ID}{LAW}> }}
            UNION {{ ?x <https://w3id.org/commit-kg/ontology#evidenceLaw> <{ID}{LAW}> }} }}""")
        assert tab.locator("#assessments tr[data-assessment]").count() == len(judged) > 0
        shoot(tab, f"law-{lang}")
        tab.goto(f"{server}/id/{PLAN}?lang={lang}")
        ppcs = values(store, f"""SELECT ?x WHERE {{ ?x <http://purl.org/dc/terms/isPartOf> <{ID}{PLAN}> ;
            a <https://w3id.org/commit-kg/ontology#ProjectProposalConcept> }}""")
        assert tab.locator("#ppcs li").count() == len(ppcs) == 8
        shoot(tab, f"plan-{lang}")
    finally:
        context.close()


def test_the_pages_keep_the_content_security_policy(server: str, page):
    for path in (PPC, LAW, PLAN, "criterion/1", "source/spa2-overview-th"):
        page.goto(f"{server}/id/{path}")
        assert page.locator("h1").count() == 1
    assert page.csp_errors == []
