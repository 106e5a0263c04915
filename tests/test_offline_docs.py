"""/docs and /redoc work with no network: every script, style and icon they name is on the app's own
origin and answers; every response (pages, API, SPARQL) carries a Content-Security-Policy that allows
only that origin."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
import pytest


class References(HTMLParser):
    """The URLs a page loads by itself: script src, link href, img src."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href"):
            if tag in ("script", "link", "img") and found.get(name):
                self.urls.append(found[name])
        if tag == "script" and not found.get("src"):
            self.inline_scripts.append(found)


def policy_of(response: httpx.Response) -> dict[str, list[str]]:
    header = response.headers.get("content-security-policy")
    assert header, f"no Content-Security-Policy on {response.request.url}"
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def only_own_origin(policy: dict[str, list[str]]) -> None:
    """No directive names a host or scheme other than self, data: (images) and blob: (workers)."""
    assert policy["default-src"] == ["'self'"]
    for directive, sources in policy.items():
        for source in sources:
            assert source.startswith("'") or source in ("data:", "blob:"), (directive, source)
            assert source not in ("'unsafe-eval'", "*"), (directive, source)
    assert "'unsafe-inline'" not in policy.get("script-src", [])


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_load_only_same_origin_assets_and_they_answer(server: str, path: str) -> None:
    page = httpx.get(server + path, timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    refs = References()
    refs.feed(page.text)
    assert refs.urls, "the page names no script or style"
    assert any(u.endswith(".js") for u in refs.urls)
    for url in refs.urls:
        absolute = urljoin(server + path, url)
        assert urlsplit(absolute).netloc == urlsplit(server).netloc, url
        asset = httpx.get(absolute, timeout=30)
        assert asset.status_code == 200 and asset.content, url
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page.text), "a page reference leaves the origin"
    policy = policy_of(page)
    only_own_origin(policy)
    # Every inline script carries the nonce the policy names, and no other inline script runs.
    nonces = [s.removeprefix("'nonce-").rstrip("'") for s in policy.get("script-src", []) if s.startswith("'nonce-")]
    for script in refs.inline_scripts:
        assert script.get("nonce") in nonces


def test_docs_nonce_differs_per_response(server: str) -> None:
    first, second = (policy_of(httpx.get(server + "/docs", timeout=30))["script-src"] for _ in range(2))
    assert first != second


def test_swagger_ui_reads_the_apps_own_openapi(server: str) -> None:
    page = httpx.get(server + "/docs", timeout=30).text
    assert "'/openapi.json'" in page
    assert '"validatorUrl": null' in page  # Swagger UI would otherwise call its public validator
    assert httpx.get(server + "/openapi.json", timeout=30).json()["info"]["title"] == "commit-kg"


@pytest.mark.parametrize("path, headers", [
    ("/", {}),
    ("/id/country/THA", {"Accept": "text/html"}),
    ("/ontology", {"Accept": "text/html"}),
    ("/dumps/", {"Accept": "text/html"}),
    ("/api/queries", {}),
    ("/api/countries/XXX", {}),  # an error answer too
    ("/sparql?query=ASK%7B%7D", {"Accept": "application/sparql-results+json"}),
    ("/sparql", {"Accept": "text/html"}),
    ("/sparql", {"Accept": "text/turtle"}),
    ("/no/such/path", {}),
])
def test_every_answer_carries_the_policy(server: str, path: str, headers: dict[str, str]) -> None:
    response = httpx.get(server + path, headers=headers, timeout=30)
    assert response.status_code < 500
    only_own_origin(policy_of(response))


def test_the_pages_own_inline_style_is_allowed_by_hash(server: str) -> None:
    """The HTML pages keep their one <style> block: the policy allows exactly it, by its hash."""
    import base64
    import hashlib

    page = httpx.get(server + "/ontology", headers={"Accept": "text/html"}, timeout=30)
    style = re.search(r"<style>(.*?)</style>", page.text, re.S)
    assert style
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy_of(page)["style-src"]
