"""No answer carries a host a request named (issue 11, point 1): links come from the configuration
(COMMIT_KG_BASE_URL, COMMIT_KG_ALLOWED_HOSTS, else the listening address), a Host outside the allowed
list is 421, and a stream of distinct Host values does not grow the process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from conftest import free_port, running_server
from pool_support import server_pid

from commit_kg.public_url import PublicOrigins, base_url, host_list, origin
from commit_kg.publish.service_description import SD_FORMATS
from commit_kg.publish.void import VOID_TYPES

FORGED = ["evil.example", "attacker.test:8443", "xn--80ak6aa92e.test", "[2001:db8::7]:81"]
ASK = {"query": "ASK {}"}
# A relative IRI resolves against the endpoint: the base the query saw shows in the answer.
RELATIVE = {"query": "SELECT ?x WHERE { BIND(<relative> AS ?x) }"}

# (method, path, params, Accept, makes links): every kind of answer, in each format that makes links.
REQUESTS = [
    *[("GET", "/sparql", None, media, True) for media in [*SD_FORMATS, "text/html"]],
    *[("GET", "/.well-known/void", None, media, True) for media in VOID_TYPES],
    ("GET", "/dumps/", None, "application/json", True),
    ("GET", "/dumps/", None, "text/html", True),
    ("GET", "/dumps/SHA256SUMS", None, None, False),
    ("GET", "/id/country/THA", None, "text/html", True),
    ("GET", "/id/country/THA", None, "text/turtle", True),
    ("GET", "/id/plan/spa2", None, "text/html", True),
    ("GET", "/ontology", None, "text/html", True),
    ("GET", "/", None, "text/html", True),
    ("GET", "/report", None, "text/html", True),
    ("GET", "/lineage", None, "text/html", True),
    ("GET", "/search", {"q": "Thai"}, "text/html", True),
    ("GET", "/coverage/mla/THA/KHM", None, "text/html", True),
    ("GET", "/query", {"query": "SELECT ?s WHERE { ?s a <https://w3id.org/commit-kg/ontology#Country> }"}, None,
     True),
    ("GET", "/docs", None, None, False),
    ("GET", "/api/queries", None, None, True),
    ("GET", "/api/queries/country-instruments", {"country": "country/THA"}, None, False),
    ("GET", "/api/countries/THA", None, None, False),
    ("GET", "/sparql", RELATIVE, "application/sparql-results+json", True),
    ("POST", "/sparql", RELATIVE, "application/sparql-results+xml", True),
    ("GET", "/no/such/page", None, None, False),
    ("GET", "/dumps", None, None, True),  # Starlette's own redirect to /dumps/, made from the request
    ("GET", "/api/queries/", None, None, True),
    ("PUT", "/sparql", None, None, False),
]


def forged_headers(host: str, accept: str | None) -> dict[str, str]:
    """A forged Host, and every header a proxy might be trusted for, naming other forged hosts."""
    headers = {"Host": host, "X-Forwarded-Host": f"fwd-{host}", "X-Forwarded-Proto": "gopher",
               "X-Forwarded-Port": "6666", "Forwarded": f'host="fw-{host}";proto=https', "X-Original-Host": f"o-{host}"}
    return {**headers, "Accept": accept} if accept else headers


def send(client: httpx.Client, url: str, method: str, path: str, params: dict | None, headers: dict) -> httpx.Response:
    if method == "POST":
        return client.post(f"{url}{path}", data=params, headers=headers)
    return client.request(method, f"{url}{path}", params=params, headers=headers)


def names_of(host: str) -> list[str]:
    """What of a forged host could show in an answer: the whole value, and the name without port."""
    name = host.lower()
    bare = name[1:name.index("]")] if name.startswith("[") else name.split(":")[0]
    return [name, bare]


@pytest.mark.parametrize("host", FORGED)
def test_a_forged_host_appears_in_no_answer(server: str, host: str):
    with httpx.Client(timeout=60) as client:
        for method, path, params, accept, links in REQUESTS:
            answer = send(client, server, method, path, params, forged_headers(host, accept))
            assert answer.status_code < 500, (path, answer.status_code)
            text = (answer.text + "\n".join(f"{k}: {v}" for k, v in answer.headers.items())).lower()
            for name in names_of(host):
                assert name not in text, (method, path, accept, name)
            assert "gopher" not in text
            # The links are there, made from the configured address (so a forged one would be seen).
            assert (server in text) == links, (method, path, accept)


def test_links_come_from_the_listening_address_whatever_the_host(server: str):
    sd = httpx.get(f"{server}/sparql", headers={"Host": "evil.example", "Accept": "application/n-triples"})
    assert f"<{server}/sparql>" in sd.text
    answer = httpx.get(f"{server}/sparql", params=RELATIVE, headers={"Host": "evil.example",
                                                                     "Accept": "application/sparql-results+json"})
    assert answer.json()["results"]["bindings"][0]["x"]["value"] == f"{server}/relative"


def http10_without_host(url: str) -> bytes:
    """An HTTP/1.0 request with no Host header at all, answered on a raw socket."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"GET /sparql HTTP/1.0\r\nAccept: application/n-triples\r\n\r\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_allowed_hosts_answer_with_their_own_links_and_refuse_others_with_421(backend):
    port = free_port()
    allowed = f"https://kg.example.org, 127.0.0.1:{port}"
    with backend() as arguments, running_server(*arguments, env={"COMMIT_KG_ALLOWED_HOSTS": allowed}, port=port) as url:
        public = httpx.get(f"{url}/sparql", headers={"Host": "kg.example.org", "Accept": "application/n-triples"})
        assert public.status_code == 200 and "<https://kg.example.org/sparql>" in public.text
        assert url not in public.text
        local = httpx.get(f"{url}/.well-known/void", headers={"Accept": "application/n-triples"})
        assert f"<{url}/sparql>" in local.text and "kg.example.org" not in local.text
        moved = httpx.get(f"{url}/dumps", headers={"Host": "kg.example.org"})
        assert moved.status_code == 307 and moved.headers["location"] == "https://kg.example.org/dumps/"
        for host in FORGED:
            refused = httpx.get(f"{url}/sparql", params=ASK, headers={**forged_headers(host, None),
                                                                       "X-Forwarded-Host": "kg.example.org"})
            assert refused.status_code == 421
            assert refused.json()["error"] == "misdirected_request"
            assert all(name not in refused.text.lower() for name in names_of(host))
            assert refused.headers["x-content-type-options"] == "nosniff"
        assert http10_without_host(url).startswith(b"HTTP/1.1 421 ")


def test_a_base_url_wins_over_every_host(backend):
    with backend() as arguments, running_server(*arguments, env={"COMMIT_KG_BASE_URL": "https://kg.example.org/commit/"}) as url:
        void = httpx.get(f"{url}/.well-known/void", headers={"Host": "evil.example", "Accept": "text/turtle"})
        page = httpx.get(f"{url}/sparql", headers={"Host": "evil.example", "Accept": "text/html"})
        moved = httpx.get(f"{url}/dumps", headers={"Host": "evil.example"})
    assert moved.headers["location"] == "https://kg.example.org/commit/dumps/"
    assert "<https://kg.example.org/commit/sparql>" in void.text and "evil" not in void.text
    assert 'action="https://kg.example.org/commit/sparql"' in page.text


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def test_memory_stays_flat_across_a_thousand_distinct_hosts(backend):
    """Each Host used to key the VoID cache (and to change the endpoint in the answer cache and the
    rendered pages): 180 forged values grew the process by 160 MB. Now the process serving them stays
    within a few MiB of its size after the first 100."""
    with backend() as arguments, running_server(*arguments, env={"COMMIT_KG_HTTP_WORKERS": "1"}) as url, \
            httpx.Client(timeout=60) as client:
        pid = server_pid(url)

        def burst(first: int, last: int) -> None:
            for n in range(first, last):
                host = f"h{n}.forged.example"
                for path, accept, params in (("/.well-known/void", "text/turtle", None), ("/", "text/html", None),
                                             ("/sparql", "application/sparql-results+json", RELATIVE)):
                    answer = client.get(f"{url}{path}", params=params, headers={"Host": host, "Accept": accept})
                    assert answer.status_code == 200 and host not in answer.text

        burst(0, 100)
        after_100 = rss_kib(pid)
        burst(100, 1000)
        after_1000 = rss_kib(pid)
    assert after_1000 - after_100 < 16 * 1024, f"RSS grew from {after_100} KiB to {after_1000} KiB"


# --- the settings, checked at start -------------------------------------------------------------------

@pytest.mark.parametrize(("given", "expected"), [
    ("kg.example.org", "http://kg.example.org"),
    ("KG.Example.org:8080", "http://kg.example.org:8080"),
    ("https://kg.example.org", "https://kg.example.org"),
    ("https://kg.example.org/", "https://kg.example.org"),
    ("[::1]:8000", "http://[::1]:8000"),
])
def test_allowed_host_entries_are_origins(given: str, expected: str):
    assert origin(given) == expected


@pytest.mark.parametrize("given", ["*", "kg.example.org/path", "ftp://kg.example.org", "kg.example.org:99999",
                                   "user@kg.example.org", "bad_name.example", "-lead.example", "kg..example",
                                   "http://kg.example.org?x=1", "[zz::1]"])
def test_a_bad_allowed_host_entry_is_named(given: str):
    with pytest.raises(ValueError, match="'"):
        origin(given)


def test_allowed_hosts_are_read_comma_separated_or_as_json():
    assert host_list("a.example, b.example:81 ,") == ["a.example", "b.example:81"]
    assert host_list('["a.example", "https://b.example"]') == ["a.example", "https://b.example"]
    with pytest.raises(ValueError, match="JSON"):
        host_list('["a.example",')


@pytest.mark.parametrize("given", ["kg.example.org", "/commit", "https://kg.example.org/?q=1", "https://#x",
                                   "https://bad_host/"])
def test_a_bad_base_url_is_refused(given: str):
    with pytest.raises(ValueError):
        base_url(given)


def test_the_base_for_a_request_never_comes_from_its_host():
    listening = PublicOrigins.of(None, [], "127.0.0.1", 8123)
    assert {listening.base_for(h) for h in [*FORGED, None, ""]} == {"http://127.0.0.1:8123"}
    listed = PublicOrigins.of(None, ["https://kg.example.org", "http://localhost:8123"], "127.0.0.1", 8123)
    assert listed.base_for("KG.example.org") == "https://kg.example.org"
    assert listed.base_for("localhost:8123") == "http://localhost:8123"
    refused = [*FORGED, None, "", "localhost", "kg.example.org:443", "kg.example.org.evil.example"]
    assert [listed.base_for(h) for h in refused] == [None] * len(refused)
    both = PublicOrigins.of("https://x.example/kg", ["https://kg.example.org"], "127.0.0.1", 8123)
    assert both.base_for("kg.example.org") == "https://x.example/kg" and both.base_for("evil.example") is None


@pytest.mark.parametrize(("name", "value"), [("COMMIT_KG_ALLOWED_HOSTS", "https://kg.example.org/commit"),
                                             ("COMMIT_KG_ALLOWED_HOSTS", "[1,"),
                                             ("COMMIT_KG_BASE_URL", "kg.example.org")])
def test_a_bad_setting_stops_the_command_with_its_name(name: str, value: str):
    done = subprocess.run([sys.executable, "-m", "commit_kg", "queries"], capture_output=True, text=True, check=False,
                          env={**os.environ, name: value}, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {name}: ") and "Traceback" not in done.stderr
