"""The example reverse-proxy configuration (deploy/nginx/commit-kg.conf) works: a real nginx from Debian,
run unprivileged on a free loopback port with its pid, logs and temporary files in a temporary folder,
in front of a real server started with COMMIT_KG_BASE_URL. Queries and pages pass through, the links
in answers carry the public URL (never the loopback address the service listens on), a forged Host
gets no answer, and a body over the limit is refused by nginx with the service's JSON error."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import free_port, running_server, stop

from commit_kg.settings import PROJECT_ROOT

CONF = PROJECT_ROOT / "deploy" / "nginx" / "commit-kg.conf"
PUBLIC_HOST = "kg.example.org"  # the server_name the example configuration is written for
PUBLIC = f"https://{PUBLIC_HOST}"
HOW = "nginx from Debian is needed: `apt-get install -y nginx-light` (.ci/run installs it)"


def nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        pytest.fail(HOW)
    return found


def site(nginx_port: int, app_port: int) -> str:
    """The example configuration, pointed at this test's ports (nothing else changed)."""
    text = CONF.read_text()
    assert "server 127.0.0.1:8000;" in text and text.count("listen 80") == 2
    return text.replace("127.0.0.1:8000", f"127.0.0.1:{app_port}").replace("listen 80", f"listen 127.0.0.1:{nginx_port}")


MAIN = """daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/commit-kg.conf;
}}
"""


@contextlib.contextmanager
def running_nginx(app_port: int) -> Iterator[str]:
    """nginx on a free loopback port; as root it runs as `nobody` (it needs no privilege on a high port)."""
    folder = Path(tempfile.mkdtemp(prefix="ck-nginx-"))
    port = free_port()
    (folder / "commit-kg.conf").write_text(site(port, app_port))
    (folder / "nginx.conf").write_text(MAIN.format(dir=folder))
    user = None
    if os.geteuid() == 0:
        user = pwd.getpwnam("nobody")
        for path in (folder, *folder.iterdir()):
            os.chown(path, user.pw_uid, user.pw_gid)
    process = subprocess.Popen(
        [nginx(), "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        user=user.pw_uid if user else None, group=user.pw_gid if user else None)
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited: {(folder / 'error.log').read_text(errors='replace')}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("nginx did not start within 20 s")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def proxy() -> Iterator[tuple[httpx.Client, str]]:
    """A client of nginx that asks for the public host name, and the service's own (loopback) URL."""
    with running_server(env={"COMMIT_KG_BASE_URL": PUBLIC}) as app, running_nginx(int(app.rsplit(":", 1)[1])) as front, \
            httpx.Client(base_url=front, headers={"Host": PUBLIC_HOST}, timeout=60) as client:
        yield client, app


def test_a_sparql_query_passes_through(proxy: tuple[httpx.Client, str]) -> None:
    client, _ = proxy
    by_get = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?c a ck:Country }"},
                        headers={"Accept": "application/sparql-results+json"})
    assert by_get.status_code == 200, by_get.text
    assert int(by_get.json()["results"]["bindings"][0]["n"]["value"]) == 6
    by_post = client.post("/sparql", content="ASK { id:country\\/THA a ck:Country }",
                          headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert by_post.status_code == 200, by_post.text
    assert by_post.json()["boolean"] is True


def test_a_page_passes_through_with_public_links(proxy: tuple[httpx.Client, str]) -> None:
    client, app = proxy
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f'href="{PUBLIC}/' in page.text
    assert app not in page.text and "127.0.0.1" not in page.text


def test_links_in_answers_carry_the_public_url(proxy: tuple[httpx.Client, str]) -> None:
    client, app = proxy
    description = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert description.status_code == 200
    assert f"<{PUBLIC}/sparql>" in description.text
    void = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    assert f"<{PUBLIC}/sparql>" in void.text and f"<{PUBLIC}/dumps/" in void.text
    resource = client.get("/id/country/THA", headers={"Accept": "text/turtle"})
    assert resource.headers["content-location"].startswith(f"{PUBLIC}/id/country/THA")
    listed = client.get("/api/queries").json()
    assert listed and all(q["url"].startswith(f"{PUBLIC}/api/queries/") for q in listed)
    for answer in (description, void):
        assert app not in answer.text and "127.0.0.1" not in answer.text


def test_a_forged_host_gets_no_answer(proxy: tuple[httpx.Client, str]) -> None:
    client, _ = proxy
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/sparql", params={"query": "ASK {}"}, headers={"Host": "evil.example"})


def test_a_body_over_the_limit_is_refused_by_nginx_as_json(proxy: tuple[httpx.Client, str]) -> None:
    client, _ = proxy
    refused = client.post("/sparql", content=b"#" * (2 * 1024 * 1024),
                          headers={"Content-Type": "application/sparql-query"})
    assert refused.status_code == 413
    assert refused.json()["error"] == "payload_too_large"
