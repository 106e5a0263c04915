"""Constants and helpers the browser tests share (the fixtures are in conftest.py)."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
HOW = ("Chromium from Debian is needed: `apt-get install -y chromium` (.ci/run installs it), and Playwright "
       "for Python: `pip install playwright` (never `playwright install`: the Debian binary is used)")
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"



def serious_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page (the context must bypass CSP to inject it)."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document)).violations"
                               ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length}))")
    return [v for v in violations if v["impact"] in ("serious", "critical")]
