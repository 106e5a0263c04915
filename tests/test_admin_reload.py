"""POST /admin/reload on a real server over a private copy of the repository's files: no route without
a token, 401/403 and loopback-only, no CORS; a broken file or a SHACL violation is refused with
where and which rule, while the old graph keeps answering; a valid change is swapped in; queries
running through several reloads never fail and each sees one whole version; with --workers 2 a
reload reaches both HTTP processes."""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib
from conftest import running_server

from commit_kg.settings import PROJECT_ROOT

TOKEN = "reload-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
PROBE = "https://w3id.org/commit-kg/id/reload-probe"
VALID = f'<{PROBE}> <http://www.w3.org/2000/01/rdf-schema#comment> "reload probe" .\n'
VIOLATING = f"@prefix ck: <https://w3id.org/commit-kg/ontology#> .\n<{PROBE}> a ck:Plan .\n"
# Runs long enough (about a second) to be running when a reload swaps the graph; the same answer on any version.
SLOW = ("SELECT (COUNT(*) AS ?n) { { SELECT ?a { ?a ?p ?o } LIMIT 1500 } "
        "{ SELECT ?b { ?b ?q ?r } LIMIT 1500 } }")


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of ontology/, shapes/, data/ and queries/ with its own build cache."""
    root = tmp_path_factory.mktemp("reload")
    for name in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(PROJECT_ROOT / name, root / name)
    return root


def environment(root: Path, **extra: str) -> dict[str, str]:
    env = {f"COMMIT_KG_{name.upper()}_DIR": str(root / name) for name in ("ontology", "shapes", "data", "queries")}
    return {**env, "COMMIT_KG_CACHE_DIR": str(root / "cache"), "COMMIT_KG_ADMIN_TOKEN": TOKEN, **extra}


@pytest.fixture(scope="module")
def admin(folders: Path) -> Iterator[str]:
    """One HTTP process (the --workers 2 test covers several)."""
    with running_server("--workers", "1", env=environment(folders)) as url:
        yield url


def count(url: str) -> int:
    answer = httpx.post(f"{url}/sparql", data={"query": COUNT}, headers={"Accept": "text/csv"}, timeout=30)
    assert answer.status_code == 200, answer.text
    return int(answer.text.split()[-1])


def reload(url: str) -> httpx.Response:
    return httpx.post(f"{url}/admin/reload", headers=AUTH, timeout=120)


def published_versions(url: str) -> set[str]:
    """The graph version as the Service Description, the VoID description and the dump index give it."""
    described = rdflib.Graph().parse(data=httpx.get(f"{url}/sparql", headers={"Accept": "text/turtle"},
                                                    timeout=30).text, format="turtle")
    void = rdflib.Graph().parse(data=httpx.get(f"{url}/.well-known/void", headers={"Accept": "text/turtle"},
                                               timeout=60).text, format="turtle")
    versions = [str(v) for graph in (described, void) for v in graph.objects(None, rdflib.OWL.versionInfo)]
    assert len(versions) == 2, versions
    return {*versions, httpx.get(f"{url}/dumps/", timeout=60).json()["version"]}


@contextlib.contextmanager
def probe_file(folders: Path, text: str) -> Iterator[Path]:
    """A data file that exists while the block runs."""
    path = folders / "data" / "zz-reload-probe.ttl"
    path.write_text(text, encoding="utf-8")
    try:
        yield path
    finally:
        path.unlink()


def test_no_token_configured_means_no_admin_route(server: str) -> None:
    for method in ("POST", "GET"):
        answer = httpx.request(method, f"{server}/admin/reload", headers=AUTH, timeout=10)
        assert answer.status_code == 404, (method, answer.text)


def test_a_request_without_the_token_is_401_and_a_wrong_one_403(admin: str) -> None:
    none = httpx.post(f"{admin}/admin/reload", timeout=10)
    assert none.status_code == 401 and none.json()["error"] == "admin_token_required"
    assert none.headers["www-authenticate"].startswith("Bearer")
    basic = httpx.post(f"{admin}/admin/reload", headers={"Authorization": f"Basic {TOKEN}"}, timeout=10)
    assert basic.status_code == 401
    for wrong in (TOKEN[:-1] + "x", TOKEN[:-1], TOKEN + "x", "x"):
        answer = httpx.post(f"{admin}/admin/reload", headers={"Authorization": f"Bearer {wrong}"}, timeout=10)
        assert answer.status_code == 403 and answer.json()["error"] == "admin_token_invalid", wrong


def test_admin_routes_answer_loopback_clients_only(admin: str, folders: Path) -> None:
    """uvicorn takes X-Forwarded-For from a proxy on 127.0.0.1 as the client's address (the ASGI
    client): a forwarded remote client is refused even with the right token; unless the setting is off."""
    remote = {**AUTH, "X-Forwarded-For": "203.0.113.7"}
    for method in ("POST", "GET", "OPTIONS"):
        answer = httpx.request(method, f"{admin}/admin/reload", headers=remote, timeout=10)
        assert answer.status_code == 404 and answer.json()["error"] == "not_found", method
    assert httpx.get(f"{admin}/admin/reload", timeout=10).status_code == 405  # from loopback: the route is there
    with running_server(env=environment(folders, COMMIT_KG_ADMIN_LOOPBACK_ONLY="false")) as open_url:
        answer = httpx.post(f"{open_url}/admin/reload", headers={"X-Forwarded-For": "203.0.113.7"}, timeout=10)
        assert answer.status_code == 401


def test_admin_answers_carry_no_cors_headers(admin: str) -> None:
    origin = {"Origin": "https://elsewhere.example"}
    public = httpx.get(f"{admin}/sparql", params={"query": "ASK {}"}, headers=origin, timeout=10)
    assert public.headers.get("access-control-allow-origin") == "*"
    answer = httpx.post(f"{admin}/admin/reload", headers=origin, timeout=10)
    assert answer.status_code == 401 and "access-control-allow-origin" not in answer.headers
    preflight = httpx.options(f"{admin}/admin/reload", timeout=10,
                              headers={**origin, "Access-Control-Request-Method": "POST"})
    assert not any(name.startswith("access-control-") for name in preflight.headers)


def test_a_broken_turtle_file_is_refused_with_where_and_the_old_graph_stays(admin: str, folders: Path) -> None:
    before = count(admin)
    target = folders / "data" / "laws.ttl"
    original = target.read_text(encoding="utf-8")
    line = original.count("\n") + 1
    target.write_text(original + "ex:broken ex:turtle .\n", encoding="utf-8")
    try:
        answer = reload(admin)
    finally:
        target.write_text(original, encoding="utf-8")
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["error"] == "parse_error"
    [problem] = body["details"]
    assert Path(problem["file"]).name == "laws.ttl" and problem["line"] == line and problem["column"] >= 1
    assert f"laws.ttl:{line}:" in body["message"]
    assert count(admin) == before


def test_a_shacl_violation_is_refused_naming_the_rule(admin: str, folders: Path) -> None:
    before = count(admin)
    with probe_file(folders, VIOLATING):
        answer = reload(admin)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["error"] == "integrity_violation"
    shapes = rdflib.Graph().parse(folders / "shapes" / "integrity.ttl")
    rules = {str(name) for name in shapes.objects(None, rdflib.SH.name)}
    ours = [d for d in body["details"] if d["focus_node"] == PROBE]
    assert ours and all(d["rule"] in rules and d["severity"] == "violation" for d in ours)
    assert count(admin) == before
    ask = httpx.get(f"{admin}/sparql", params={"query": f"ASK {{ <{PROBE}> ?p ?o }}"},
                    headers={"Accept": "application/sparql-results+json"}, timeout=10)
    assert ask.json()["boolean"] is False


def test_a_valid_change_is_swapped_in(admin: str, folders: Path) -> None:
    before = count(admin)
    with probe_file(folders, VALID):
        answer = reload(admin)
        assert answer.status_code == 200, answer.text
        swapped = answer.json()
        assert swapped["previous"] != swapped["version"] and swapped["processes"] == 1
        assert count(admin) == before + 1 == swapped["triples"]
        assert published_versions(admin) == {swapped["version"]}
    back = reload(admin)
    assert back.status_code == 200 and back.json()["version"] == swapped["previous"]
    assert count(admin) == before
    assert published_versions(admin) == {swapped["previous"]}


def test_queries_through_reloads_never_fail_and_see_one_version(admin: str, folders: Path) -> None:
    before = count(admin)
    stop = threading.Event()
    seen: list[int] = []
    failures: list[str] = []

    def ask(query: str, record: bool) -> None:
        """Ask until stopped, each text new (a comment numbers it), so the engine answers, not the cache."""
        with httpx.Client(timeout=60) as client:
            for number in itertools.count():
                if stop.is_set():
                    return
                try:
                    answer = client.post(f"{admin}/sparql", data={"query": f"{query} # {number}"},
                                         headers={"Accept": "text/csv"})
                except httpx.HTTPError as error:
                    failures.append(repr(error))
                    continue
                if answer.status_code != 200:
                    failures.append(f"{answer.status_code} {answer.text[:200]}")
                elif record:
                    seen.append(int(answer.text.split()[-1]))

    threads = [threading.Thread(target=ask, args=(COUNT, True)) for _ in range(3)]
    threads.append(threading.Thread(target=ask, args=(SLOW, False)))
    for thread in threads:
        thread.start()
    answers = []
    try:
        for _ in range(2):
            with probe_file(folders, VALID):
                answers.append(reload(admin))
            answers.append(reload(admin))
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
    assert not failures, failures[:5]
    assert set(seen) == {before, before + 1}


def test_concurrent_reloads_are_serialised_and_reach_every_worker(folders: Path) -> None:
    """With two HTTP processes: a second reload while one runs is 409; a reload reaches both processes."""
    with running_server("--workers", "2", env=environment(folders)) as url:
        before = count(url)
        answers: list[httpx.Response] = []
        together = threading.Barrier(2)

        def ask() -> None:
            together.wait()
            answers.append(reload(url))

        with probe_file(folders, VALID):
            threads = [threading.Thread(target=ask) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        done, refused = sorted(answers, key=lambda answer: answer.status_code)
        assert refused.status_code == 409 and refused.json()["error"] == "reload_in_progress", refused.text
        assert done.status_code == 200 and done.json()["processes"] == 2, done.text
        # New connections are spread over both processes by the kernel: every one sees the new graph.
        assert {count(url) for _ in range(20)} == {before + 1}
        assert reload(url).json()["processes"] == 2
        assert {count(url) for _ in range(20)} == {before}


def test_the_token_can_come_from_a_file_and_a_short_one_is_refused(folders: Path, tmp_path: Path) -> None:
    short = subprocess.run([sys.executable, "-m", "commit_kg", "serve", "--port", "1"], capture_output=True,
                           text=True, env={**os.environ, **environment(folders, COMMIT_KG_ADMIN_TOKEN="short")})
    assert short.returncode == 2 and "at least 16" in short.stderr
    secret = tmp_path / "admin-token"
    secret.write_text(TOKEN + "-from-a-file\n", encoding="utf-8")
    env = {**environment(folders), "COMMIT_KG_ADMIN_TOKEN_FILE": str(secret)}
    del env["COMMIT_KG_ADMIN_TOKEN"]
    with running_server("--workers", "1", env=env) as url:
        assert httpx.post(f"{url}/admin/reload", headers=AUTH, timeout=10).status_code == 403
        answer = httpx.post(f"{url}/admin/reload", headers={"Authorization": f"Bearer {TOKEN}-from-a-file"},
                            timeout=120)
        assert answer.status_code == 200, answer.text
