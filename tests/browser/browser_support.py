"""What the browser tests share: headless Chromium from Debian (`apt-get install chromium`) driven by
Playwright for Python (the `browser` and `page` fixtures, which a test module imports), the vendored
axe-core (MPL-2.0) and the screenshots folder. Not a conftest.py: tests/conftest.py is imported by name
(`from conftest import running_server`), which a second conftest module would shadow."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
HOW = ("Chromium from Debian is needed: `apt-get install -y chromium` (.ci/run installs it), and Playwright "
       "for Python: `pip install playwright` (never `playwright install`: the Debian binary is used)")
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"



@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Chromium, or a failure saying how to install it (never a silent skip)."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        pytest.fail(f"playwright is not installed. {HOW}")
    executable = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    if executable is None:
        pytest.fail(f"no Chromium at {CHROMIUM} nor on PATH. {HOW}")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=executable, args=ARGS)
        except Error as error:  # the message of a failed start, with how to fix it
            pytest.fail(f"Chromium did not start: {error}. {HOW}")
        yield launched
        launched.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A fresh page (no language cookie) whose Content-Security-Policy reports are collected."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    opened.csp_errors = []
    opened.on("console", lambda m: "Content Security Policy" in m.text and opened.csp_errors.append(m.text))
    yield opened
    context.close()


def serious_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page (the context must bypass CSP to inject it)."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document)).violations"
                               ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length}))")
    return [v for v in violations if v["impact"] in ("serious", "critical")]
