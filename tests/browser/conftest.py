"""What the browser tests share: headless Chromium from Debian (`apt-get install chromium`) driven by
Playwright for Python, a fresh page per test, the vendored axe-core (MPL-2.0) and the screenshots folder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from browser_support import ARGS, CHROMIUM, HOW


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
