"""A country opened from the dashboard's matrix keeps the dashboard's date: its page states that date and
shows its coverage with each partner on it, not today's."""

from __future__ import annotations

import datetime

from browser_support import browser, page  # noqa: F401 (fixtures)

from commit_kg.coverage import CoverageIndex

DAY = datetime.date(2004, 6, 1)
KIND = "anti-trafficking"


def levels_with(index: CoverageIndex, iso: str, day: datetime.date) -> dict[str, str]:
    """Partner → level of `iso`'s coverage of KIND on `day`, from the library."""
    found = {}
    for answer in index.pairs(KIND, day):
        if iso in (answer.country_a, answer.country_b):
            found[answer.country_b if answer.country_a == iso else answer.country_a] = answer.level
    return found


def test_a_country_opened_from_the_matrix_is_shown_on_the_dashboards_date(server: str, page,  # noqa: F811
                                                                          index: CoverageIndex):
    page.goto(f"{server}/?as_of={DAY}&lang=en")
    row = page.locator(f"#matrix-{KIND} tbody th[scope=row] a").first
    with page.expect_navigation():
        row.click()
    assert page.url.startswith(f"{server}/id/country/")
    assert f"as_of={DAY}" in page.url
    assert DAY.isoformat() in page.locator("#as-of-day").inner_text()
    assert page.locator("#as_of").input_value() == DAY.isoformat()
    iso = page.url.split("/id/country/", 1)[1].split("?")[0]
    expected = levels_with(index, iso, DAY)
    # The date matters: on it this country's coverage differs from today's (else the check proves nothing).
    assert expected != levels_with(index, iso, datetime.date.today())
    shown = page.locator(f"#coverage-{KIND} li[data-partner]")
    assert {shown.nth(i).get_attribute("data-partner"): shown.nth(i).get_attribute("data-level")
            for i in range(shown.count())} == expected
    assert page.csp_errors == []
