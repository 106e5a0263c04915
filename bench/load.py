"""Load test: concurrent clients mixing named queries (REST), raw SPARQL, resource pages and queries
that run into the time limit, against a real server on 127.0.0.1 over a private copy of the files,
while the files change and POST /admin/reload swaps the graph (and a broken file is refused). Bounded
in time. Reports throughput, latency percentiles per kind of request, reloads, and errors: expected
(503 query_timeout from the queries built to overrun) and unexpected (anything else: a non-2xx, a
transport error, a count that is neither the old graph's nor the new one's). Zero unexpected is the bar.
Writes bench/results/load.json (load-cold.json with --cold).

Run: python3 -m bench.load [--seconds 90] [--clients 6] [--workers 2] [--reload-every 5] [--timeout 5] [--heavy-workers 2] [--cold]
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.http import first_answer, free_port, rest_path, stop
from bench.query_set import query_set
from bench.results_file import publish
from commit_kg.settings import PROJECT_ROOT

COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
# A cross product of every triple with every triple: far past any short time limit.
OVERRUN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
COUNTRIES = "SELECT ?s { ?s a <https://w3id.org/commit-kg/ontology#Country> } ORDER BY ?s"
ID = "https://w3id.org/commit-kg/id/"
PROBE = '<https://w3id.org/commit-kg/id/load-probe> <http://www.w3.org/2000/01/rdf-schema#comment> "load probe" .\n'
BROKEN = "this is not turtle .\n"
KINDS = (("named", 4), ("sparql", 3), ("count", 2), ("page", 2))  # (kind, weight) of the clients' requests
OVERRUN_PAUSE_S = 2.0  # one client sends queries that overrun the time limit, one after another, this far apart


@dataclass
class Tally:
    """What the clients saw, shared between their threads (each append is atomic under the GIL)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    expected: Counter = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    reloads: list[dict] = field(default_factory=list)


def copy_files(folder: Path) -> dict[str, str]:
    """A private copy of the files the server builds from, and the settings that point at it."""
    env = {}
    for name in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(PROJECT_ROOT / name, folder / name)
        env[f"COMMIT_KG_{name.upper()}_DIR"] = str(folder / name)
    return env


def requests_of(base: str, folder: Path) -> dict[str, list[tuple[str, str, dict, str]]]:
    """(method, path, form, label) per kind; a SPARQL text gets a numbered comment when sent, so no cache
    answers it."""
    queries = query_set(folder / "queries")
    countries = httpx.post(f"{base}/sparql", data={"query": COUNTRIES}, headers={"Accept": "text/csv"}, timeout=30)
    pages = [line.strip().removeprefix(ID) for line in countries.text.splitlines()[1:] if line.startswith(ID)]
    return {
        "named": [("GET", rest_path(q), {}, q.name) for q in queries if q.named],
        "sparql": [("POST", "/sparql", {"query": q.sparql}, q.name) for q in queries],
        "count": [("POST", "/sparql", {"query": COUNT}, "count")],
        "page": [("GET", f"/id/{urllib.parse.quote(page)}", {}, page) for page in pages],
        "overrun": [("POST", "/sparql", {"query": OVERRUN}, "overrun")],
    }


def client(base: str, mix: dict, counts: set[int], until: float, seed: int, tally: Tally,
           kinds: tuple = KINDS, pause: float = 0.0) -> None:
    chooser = random.Random(seed)
    names, weights = zip(*kinds)
    numbers = itertools.count()
    with httpx.Client(base_url=base, timeout=60) as http:
        while time.monotonic() < until:
            time.sleep(pause)
            kind = chooser.choices(names, weights)[0]
            method, path, form, label = chooser.choice(mix[kind])
            if "query" in form:
                form = {"query": f"{form['query']}\n# load {seed}x{next(numbers)}"}
            accept = "text/html" if kind == "page" else "text/csv" if kind == "count" else "*/*"
            start = time.perf_counter()
            try:
                answer = http.request(method, path, data=form or None, headers={"Accept": accept})
            except httpx.HTTPError as error:
                tally.unexpected.append(f"{kind} {label}: {error!r}")
                continue
            tally.latencies[kind].append(time.perf_counter() - start)
            code = answer.json().get("error") if answer.headers.get("content-type", "").startswith(
                "application/json") and answer.status_code >= 400 else None
            if kind == "overrun" and answer.status_code == 503 and code == "query_timeout":
                tally.expected["503 query_timeout"] += 1
            elif answer.status_code != 200:
                tally.unexpected.append(f"{kind} {label}: {answer.status_code} {answer.text[:200]}")
            elif kind == "count":
                seen = int(answer.text.split()[-1])
                tally.counts[seen] += 1
                if seen not in counts:
                    tally.unexpected.append(f"count {seen}: neither graph's ({sorted(counts)})")


def reloader(base: str, folder: Path, token: str, until: float, every: float, tally: Tally) -> None:
    """Every `every` seconds: add or remove the probe triple and reload; every third time first
    break a file, reload (which must be refused), and mend it."""
    probe, broken = folder / "data" / "zz-load-probe.ttl", folder / "data" / "zz-load-broken.ttl"
    headers = {"Authorization": f"Bearer {token}"}
    for number in itertools.count(1):
        if time.monotonic() + every > until:
            return
        time.sleep(every)
        if number % 3 == 0:
            broken.write_text(BROKEN, encoding="utf-8")
            expect = 422
        elif probe.exists():
            probe.unlink()
            expect = 200
        else:
            probe.write_text(PROBE, encoding="utf-8")
            expect = 200
        start = time.perf_counter()
        answer = httpx.post(f"{base}/admin/reload", headers=headers, timeout=300)
        broken.unlink(missing_ok=True)
        body = answer.json()
        tally.reloads.append({"status": answer.status_code, "expected": expect,
                              "seconds": round(time.perf_counter() - start, 2),
                              "processes": body.get("processes"), "error": body.get("error"),
                              "version": body.get("version")})
        if answer.status_code != expect:
            tally.unexpected.append(f"reload: {answer.status_code} (expected {expect}) {answer.text[:300]}")


def percentiles(seconds: list[float]) -> dict:
    ms = sorted(s * 1000 for s in seconds)
    if not ms:
        return {"requests": 0}
    cut = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return {"requests": len(ms), "p50_ms": round(cut[49], 1), "p90_ms": round(cut[89], 1),
            "p99_ms": round(cut[98], 1), "max_ms": round(ms[-1], 1)}


def run(args: argparse.Namespace) -> dict:
    token = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="commit-kg-load-") as tmp:
        folder = Path(tmp)
        env = {**copy_files(folder), "COMMIT_KG_CACHE_DIR": str(folder / "cache"), "COMMIT_KG_ADMIN_TOKEN": token,
               "COMMIT_KG_QUERY_TIMEOUT": str(args.timeout), "COMMIT_KG_QUERY_WORKERS": str(args.heavy_workers)}
        if args.warm:  # the probe variant is built once before the clock starts: reloads then swap, not build
            probe = folder / "data" / "zz-load-probe.ttl"
            probe.write_text(PROBE, encoding="utf-8")
            subprocess.run([sys.executable, "-m", "commit_kg", "build"], env={**os.environ, **env}, check=True,
                           stdout=subprocess.DEVNULL)
            probe.unlink()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "commit_kg", "serve", "--host", "127.0.0.1", "--port", str(port),
                   "--workers", str(args.workers)]
        process, started = first_answer(command, f"{base}/sparql", env)
        try:
            mix = requests_of(base, folder)
            before = int(httpx.post(f"{base}/sparql", data={"query": COUNT}, headers={"Accept": "text/csv"},
                                    timeout=30).text.split()[-1])
            tally = Tally()
            until = time.monotonic() + args.seconds
            threads = [threading.Thread(target=client, args=(base, mix, {before, before + 1}, until, seed, tally))
                       for seed in range(args.clients)]
            threads.append(threading.Thread(target=client, args=(base, mix, set(), until, args.clients, tally),
                                            kwargs={"kinds": (("overrun", 1),), "pause": OVERRUN_PAUSE_S}))
            threads.append(threading.Thread(target=reloader,
                                            args=(base, folder, token, until, args.reload_every, tally)))
            start = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - start
        finally:
            stop(process)
    every = [s for kind in tally.latencies.values() for s in kind]
    return {
        "setup": {"seconds": args.seconds, "clients": args.clients, "http_workers": args.workers,
                  "query_timeout_s": args.timeout, "heavy_workers": args.heavy_workers, "reload_every_s": args.reload_every,
                  "probe_variant_built_before_the_run": args.warm, "cores": os.cpu_count(),
                  "server_start_s": round(started, 2), "mix": dict(KINDS),
                  "overrun_client": f"one more client sends {OVERRUN!r}, {OVERRUN_PAUSE_S} s between answer and next"},
        "requests": len(every), "requests_per_s": round(len(every) / elapsed, 1), "all": percentiles(every),
        "by_kind": {kind: percentiles(seconds) for kind, seconds in sorted(tally.latencies.items())},
        "expected_errors": dict(tally.expected), "unexpected_errors": len(tally.unexpected),
        "unexpected_examples": tally.unexpected[:10],
        "triple_counts_seen": {str(k): v for k, v in sorted(tally.counts.items())},
        "reloads": tally.reloads,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2, help="HTTP processes of the server")
    parser.add_argument("--reload-every", type=float, default=5)
    parser.add_argument("--timeout", type=float, default=5, help="COMMIT_KG_QUERY_TIMEOUT of the server")
    parser.add_argument("--cold", dest="warm", action="store_false",
                        help="do not build the probe variant before the run: the first reload builds under load")
    parser.add_argument("--heavy-workers", type=int, default=2,
                        help="COMMIT_KG_QUERY_WORKERS: heavy-lane workers per HTTP process, one more than "
                             "the overrunning client can hold")
    args = parser.parse_args()
    record = run(args)
    publish("load" if args.warm else "load-cold", record)
    return 1 if record["unexpected_errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
