"""Where a person starts: GET / on the real server lists the service's main addresses, and `commit-kg serve`
prints them, after the build and before it serves, under the public base URL when one is set."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from conftest import free_port

PLACES = ["/sparql", "/docs", "/ontology", "/dumps/", "/.well-known/void", "/api/queries"]
PRINTED = ["SPARQL endpoint", "API documentation", "Ontology", "Dumps"]


class Page(HTMLParser):
    """What a check of the page needs: the html element's lang, the title, links, anything loaded."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.lang: str | None = None
        self.title = ""
        self.links: list[str] = []
        self.loaded: list[str] = []
        self._in_title = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        self._in_title = tag == "title"
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        if tag in ("script", "img", "iframe") or (tag == "link" and values.get("rel") == "stylesheet"):
            self.loaded.append(values.get("src") or values.get("href") or tag)

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def test_home_page_links_to_every_main_address(server: str):
    """The dashboard at / keeps the former landing page's links to the main addresses, and everything it
    loads (its stylesheet) comes from the service itself."""
    answer = httpx.get(f"{server}/", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    page = Page(answer.text)
    assert page.lang == "en" and page.title.strip()
    assert page.loaded and all(url.startswith(f"{server}/") for url in page.loaded), page.loaded
    assert {f"{server}{path}" for path in PLACES} <= set(page.links)
    for href in [f"{server}{path}" for path in PLACES] + page.loaded:
        assert httpx.get(href).status_code == 200, href


@pytest.mark.parametrize("accept", ["application/json", "*/*", None])
def test_home_page_is_html_for_every_client(server: str, accept: str | None):
    """As Oxigraph's server answers its root page: HTML whatever the Accept header."""
    answer = httpx.get(f"{server}/", headers={"Accept": accept} if accept else {})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert f'href="{server}/sparql"' in answer.text


def test_home_page_answers_head(server: str):
    answer = httpx.head(f"{server}/")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")


def serve_until_ready(data: Path, env: dict[str, str]) -> tuple[subprocess.Popen, list[str], str]:
    """Start `commit-kg serve` as a user would; its output lines up to uvicorn's 'running' line."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "commit_kg", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--data-dir", str(data)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + 90
    while not any("Uvicorn running on" in line for line in seen):
        line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        if line is None:
            raise AssertionError("serve exited:\n" + "\n".join(seen))
        seen.append(line)
    return process, seen, f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("base_url", [None, "https://example.org/commit-kg"])
def test_serve_prints_where_to_go_before_serving(tmp_path: Path, base_url: str | None):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(Path(__file__).resolve().parent / "conformance" / "protocol_fixture.nq", data)
    env = {key: value for key, value in os.environ.items() if key != "COMMIT_KG_BASE_URL"}
    if base_url:
        env["COMMIT_KG_BASE_URL"] = base_url
    process, output, listening = serve_until_ready(data, env)
    try:
        base = base_url or listening
        built = next(i for i, line in enumerate(output) if line.startswith("built "))
        started = next(i for i, line in enumerate(output) if "Started server process" in line)
        printed = output[built + 1:started]
        assert printed[0].startswith(f"commit-kg at {base}/"), output
        assert (f"listening on {listening}" in printed[0]) == bool(base_url)
        addresses = {line.split(":", 1)[0].strip(): line.split(":", 1)[1].strip() for line in printed[1:]}
        for name, path in zip(PRINTED, PLACES):
            assert addresses.get(name) == f"{base}{path}", output
        home = httpx.get(f"{listening}/")
        assert f'href="{base}/sparql"' in home.text
        if not base_url:
            sparql = httpx.get(addresses["SPARQL endpoint"], params={"query": "ASK {}"},
                               headers={"Accept": "application/sparql-results+json"})
            assert sparql.json()["boolean"] is True
    finally:
        process.terminate()
        process.wait(timeout=10)
