"""Side-by-side HTTP benchmark: our service, `oxigraph serve` (in memory, PyPI `oxigraph`) and
`rdflib-endpoint` (PyPI) on the same quads (our /dumps/commit-kg.nq), each on its own 127.0.0.1 port,
answer the same queries (bench/query_set.py) under wrk (Debian `wrk`): 4 connections, a fixed duration,
each query once made unique per request (a numbered comment, so no answer cache can serve it) and once
repeated. Our service runs on both backends in the same run: the embedded store, and the remote one
(deploy/replicas/replicas.sh: `oxigraph serve` on disk loaded by `commit-kg load --into`, read by one
`serve --store` replica with as many HTTP workers as the embedded service, and by 2 one-worker replicas
behind nginx, the same number of processes). Then cold start, launch to first answer, against
Oxigraph's server in the same run. Writes bench/results/{--results}.json and prints two tables.

Run: python3 -m bench.http [--duration 10] [--connections 4] [--workers N] [--results http]
Needs: apt-get install wrk nginx-light curl; pip install oxigraph rdflib-endpoint.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.query_set import BenchQuery, query_set
from bench.results_file import publish
from commit_kg.settings import PROJECT_ROOT

JSON_RESULTS = "application/sparql-results+json"
OURS, OXIGRAPH, RDFLIB = "commit-kg", "oxigraph", "rdflib-endpoint"
REMOTE, BALANCED = "commit-kg remote", "commit-kg 2 replicas + nginx"
PEERS, BACKENDS = (OXIGRAPH, RDFLIB), (REMOTE, BALANCED)
REPLICAS_SCRIPT = PROJECT_ROOT / "deploy" / "replicas" / "replicas.sh"
LUA = """
local prefix = %(prefix)s
local unique = %(unique)s
local counter = 0
function setup(thread)
  thread:set("tid", (tid_seed or 0) + 1)
  tid_seed = (tid_seed or 0) + 1
end
function request()
  counter = counter + 1
  local path = prefix
  if unique then path = path .. "%%0A%%23%%20n" .. tostring(tid) .. "x" .. tostring(counter) .. "%%0A" end
  return wrk.format("GET", path, {["Accept"] = "%(accept)s"})
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, ' ..
    '"errors": {"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Endpoint:
    name: str
    base: str  # http://127.0.0.1:PORT
    path: str  # the query path: /sparql or /query

    @property
    def url(self) -> str:
        return self.base + self.path


def ask(url: str) -> bool:
    try:
        return httpx.get(url, params={"query": "ASK {}"}, headers={"Accept": JSON_RESULTS}, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def first_answer(command: list[str], url: str, env: dict[str, str] | None = None, limit: float = 300) -> tuple[subprocess.Popen, float]:
    """Launch `command` and poll `url` with ASK {}: the process and seconds to its first 200."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, **(env or {})}, start_new_session=True)
    while time.perf_counter() - start < limit:
        if process.poll() is not None:
            raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}")
        if ask(url):
            return process, time.perf_counter() - start
        time.sleep(0.005)
    stop(process)
    raise RuntimeError(f"no answer from {url} within {limit} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


@contextmanager
def running(command: list[str], url: str, env: dict[str, str] | None = None) -> Iterator[float]:
    process, seconds = first_answer(command, url, env)
    try:
        yield seconds
    finally:
        stop(process)


def ours_command(port: int, *folders: str) -> list[str]:
    return [sys.executable, "-m", "commit_kg", "serve", "--host", "127.0.0.1", "--port", str(port), *folders]


@contextmanager
def oxigraph_in_memory(port: int, dump: Path) -> Iterator[float]:
    """`oxigraph serve` in memory with the union default graph, loaded with the dump over its Graph
    Store endpoint: seconds from launch to the first answer on the loaded data."""
    command = [shutil.which("oxigraph") or "oxigraph", "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    start = time.perf_counter()
    with running(command, f"http://127.0.0.1:{port}/query"):
        response = httpx.post(f"http://127.0.0.1:{port}/store", content=dump.read_bytes(),
                              headers={"Content-Type": "application/n-quads"}, timeout=120)
        response.raise_for_status()
        yield time.perf_counter() - start


def rows(endpoint: Endpoint, query: BenchQuery) -> int | str:
    """How many rows the endpoint answers (the peers must agree), or the error it gave."""
    try:
        response = httpx.get(endpoint.url, params={"query": query.sparql}, headers={"Accept": JSON_RESULTS}, timeout=120)
        if response.status_code != 200:
            return f"HTTP {response.status_code}: {response.text[:120]}"
        return len(response.json()["results"]["bindings"])
    except (httpx.HTTPError, ValueError, KeyError) as error:
        return f"{type(error).__name__}: {error}"


def wrk(endpoint: Endpoint, path_and_query: str, unique: bool, args: argparse.Namespace, folder: Path,
        accept: str = JSON_RESULTS) -> dict:
    """One wrk run; requests/s, p50/p99 in ms, errors (non-2xx/3xx answers included)."""
    script = folder / "wrk.lua"
    script.write_text(LUA % {"prefix": json.dumps(path_and_query), "unique": "true" if unique else "false",
                             "accept": accept}, encoding="utf-8")
    command = ["wrk", f"-t{min(args.connections, 2)}", f"-c{args.connections}", f"-d{args.duration}s",
               "--timeout", "30s", "-s", str(script), endpoint.base]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRKJSON "))
    raw = json.loads(line.removeprefix("WRKJSON "))
    seconds = raw["duration_us"] / 1e6
    return {"requests_per_s": round(raw["requests"] / seconds, 1), "p50_ms": round(raw["p50_us"] / 1000, 2),
            "p99_ms": round(raw["p99_us"] / 1000, 2), "requests": raw["requests"], "errors": sum(raw["errors"].values()),
            "error_kinds": {k: v for k, v in raw["errors"].items() if v}}


def sparql_path(endpoint: Endpoint, query: BenchQuery) -> str:
    return f"{endpoint.path}?query={urllib.parse.quote(query.sparql, safe='')}"


def rest_path(query: BenchQuery) -> str:
    short = {k: v.rsplit("/", 1)[-1] for k, v in query.params}
    return f"/api/queries/{query.named}?{urllib.parse.urlencode(short)}"


def ratios(record: dict) -> dict[str, float]:
    """Ours against each peer (ours / peer), and each of our other backends against the embedded one
    (backend / embedded), in requests per second."""
    def rate(name: str) -> float:
        return record[name]["requests_per_s"] if name in record else 0.0

    found = {f"{OURS}/{peer}": round(rate(OURS) / rate(peer), 3) for peer in PEERS if rate(peer)}
    found |= {f"{backend}/{OURS}": round(rate(backend) / rate(OURS), 3) for backend in BACKENDS if rate(backend) and rate(OURS)}
    return found


def load_runs(endpoints: list[Endpoint], queries: list[BenchQuery], args: argparse.Namespace, folder: Path) -> list[dict]:
    runs = []
    for query in queries:
        answers = {e.name: rows(e, query) for e in endpoints}
        for mode in ("unique", "repeated"):
            record: dict = {"query": query.name, "mode": mode, "rows": answers}
            for endpoint in endpoints:
                record[endpoint.name] = wrk(endpoint, sparql_path(endpoint, query), mode == "unique", args, folder)
                print(f"  {query.name:18} {mode:8} {endpoint.name:28} {record[endpoint.name]}", flush=True)
            record["ratios"] = ratios(record)
            runs.append(record)
        if query.named:  # our REST route for the same named query (no peer has one): repeated only
            record = {"query": f"{query.name} (REST /api/queries)", "mode": "repeated"}
            for endpoint in endpoints:
                if endpoint.name in (OURS, *BACKENDS):
                    record[endpoint.name] = wrk(endpoint, rest_path(query), False, args, folder, accept="application/json")
                    print(f"  {query.name:18} REST     {endpoint.name:28} {record[endpoint.name]}", flush=True)
            record["ratios"] = ratios(record)
            runs.append(record)
    return runs


@contextmanager
def remote_backends(folder: Path, workers: int) -> Iterator[list[Endpoint]]:
    """The remote backend as deploy/replicas/replicas.sh deploys it (an `oxigraph serve` on disk that
    `commit-kg load --into` wrote, 2 one-worker replicas, nginx in front), plus one replica with
    `workers` HTTP workers on the same store: the two endpoints, stopped after."""
    first = free_port()
    while any(not port_free(port) for port in (first, first + 1)):
        first = free_port()
    lb_port, store_port = free_port(), free_port()
    env = {**os.environ, "RUN_DIR": str(folder / "replicas"), "STORE_PORT": str(store_port), "FIRST_PORT": str(first),
           "LB_PORT": str(lb_port), "COMMIT_KG": f"{sys.executable} -m commit_kg", "REPLICA_WORKERS": "1"}
    try:
        subprocess.run(["bash", str(REPLICAS_SCRIPT), "start", "2"], env=env, check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        remote = Endpoint(REMOTE, f"http://127.0.0.1:{port}", "/sparql")
        with running(ours_command(port, "--store", f"http://127.0.0.1:{store_port}/query"), remote.url,
                     {"COMMIT_KG_HTTP_WORKERS": str(workers)}):
            yield [remote, Endpoint(BALANCED, f"http://127.0.0.1:{lb_port}", "/sparql")]
    finally:
        subprocess.run(["bash", str(REPLICAS_SCRIPT), "stop"], env=env, check=False)


def port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def changed_copy(folder: Path, run: int) -> list[str]:
    """A copy of the input folders with one data file changed (a comment naming the run): a new build."""
    for name in ("ontology", "shapes", "data", "queries"):
        if not (folder / name).exists():
            shutil.copytree(PROJECT_ROOT / name, folder / name)
    target = sorted((folder / "data").glob("*.ttl"))[0]
    target.write_text(target.read_text(encoding="utf-8") + f"\n# changed for cold-start run {run}\n", encoding="utf-8")
    return [f"--{name}-dir={folder / name}" for name in ("ontology", "shapes", "data", "queries")]


def cold_starts(dump: Path, args: argparse.Namespace, folder: Path) -> dict:
    """Median seconds from launch to the first answer: ours on an unchanged graph (cache warm) and after
    a file changed (a full build); Oxigraph in memory (launch, load the dump, answer) and read-only
    on a store loaded before (launch, answer), plus `oxigraph load` for changed files."""
    env = {"COMMIT_KG_CACHE_DIR": str(folder / "cache"), "COMMIT_KG_HTTP_WORKERS": str(args.workers)}
    unchanged, changed, memory, read_only = [], [], [], []
    port = free_port()
    with running(ours_command(port), f"http://127.0.0.1:{port}/sparql", env):
        pass  # fills the cache for the unchanged runs
    for run in range(args.repeat):
        port = free_port()
        with running(ours_command(port), f"http://127.0.0.1:{port}/sparql", env) as seconds:
            unchanged.append(seconds)
        port = free_port()
        with running(ours_command(port, *changed_copy(folder / "copy", run)), f"http://127.0.0.1:{port}/sparql", env) as seconds:
            changed.append(seconds)
        with oxigraph_in_memory(free_port(), dump) as seconds:
            memory.append(seconds)
    location = folder / "oxigraph-store"
    start = time.perf_counter()
    subprocess.run(["oxigraph", "load", "--location", str(location), "--file", str(dump)], check=True, capture_output=True)
    load = time.perf_counter() - start
    for _ in range(args.repeat):
        port = free_port()
        command = ["oxigraph", "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
        with running(command, f"http://127.0.0.1:{port}/query") as seconds:
            read_only.append(seconds)
    median = lambda values: round(statistics.median(values), 3)  # noqa: E731
    record = {"commit_kg_unchanged_s": median(unchanged), "commit_kg_changed_s": median(changed),
              "oxigraph_in_memory_load_s": median(memory), "oxigraph_read_only_s": median(read_only),
              "oxigraph_load_s": round(load, 3), "oxigraph_load_then_read_only_s": round(load + median(read_only), 3),
              "repeat": args.repeat, "target_unchanged_s": 1.0}
    record["unchanged_under_target"] = record["commit_kg_unchanged_s"] < 1.0
    return record


def cell(result: dict) -> str:
    return f"{result['requests_per_s']:,.0f} req/s, p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms" + (
        f", {result['errors']} errors" if result["errors"] else "")


def backends_table(runs: list[dict]) -> str:
    """Our service on each backend, and each remote setup's throughput as a share of the embedded one's."""
    header = ("| query | mode | commit-kg, embedded store | remote store, 1 replica | remote store, 2 replicas + nginx "
              "| remote/embedded | 2 replicas/embedded |")
    lines = [header, "|---|---|---|---|---|---|---|"]
    for run in runs:
        if REMOTE not in run:
            continue
        shown = [f"{run['ratios'][f'{b}/{OURS}']:.2f}×" if f"{b}/{OURS}" in run["ratios"] else "–" for b in BACKENDS]
        lines.append(f"| {run['query']} | {run['mode']} | " + " | ".join(
            [cell(run[name]) if name in run else "–" for name in (OURS, *BACKENDS)] + shown) + " |")
    return "\n".join(lines)


def table(runs: list[dict], cold: dict) -> str:
    lines = ["| query | mode | commit-kg | oxigraph serve (in memory) | rdflib-endpoint | ours/oxigraph | ours/rdflib |",
             "|---|---|---|---|---|---|---|"]
    for run in runs:
        peers = [cell(run[name]) if name in run else "–" for name in (OURS, OXIGRAPH, RDFLIB)]
        ratios = run.get("ratios", {})
        shown = [f"{ratios[key]:.2f}×" if key in ratios else "–" for key in (f"{OURS}/{OXIGRAPH}", f"{OURS}/{RDFLIB}")]
        lines.append(f"| {run['query']} | {run['mode']} | " + " | ".join(peers + shown) + " |")
    if not cold:
        return "\n".join(lines)
    lines += ["", f"cold start (median of {cold['repeat']}): commit-kg unchanged {cold['commit_kg_unchanged_s']} s, "
              f"changed files {cold['commit_kg_changed_s']} s; oxigraph serve in memory + load "
              f"{cold['oxigraph_in_memory_load_s']} s, serve-read-only {cold['oxigraph_read_only_s']} s "
              f"(after `oxigraph load` {cold['oxigraph_load_s']} s)"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)), help="our HTTP workers (default: cores)")
    parser.add_argument("--repeat", type=int, default=3, help="cold starts of each kind (median)")
    parser.add_argument("--only", help="run only the queries whose name contains this")
    parser.add_argument("--no-cold-start", action="store_true", help="skip the cold-start measures")
    parser.add_argument("--results", default="http", help="bench/results/NAME.json to write (default http)")
    parser.add_argument("--table", action="store_true", help="only print the tables of bench/results/NAME.json")
    args = parser.parse_args()
    if args.table:
        record = json.loads((Path(__file__).parent / "results" / f"{args.results}.json").read_text(encoding="utf-8"))
        print(summary(record))
        return
    for tool in ("wrk", "oxigraph", "rdflib-endpoint", "curl"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found: apt-get install wrk curl nginx-light; pip install oxigraph rdflib-endpoint")
    queries = [q for q in query_set(PROJECT_ROOT / "queries") if not args.only or args.only in q.name]
    load_at_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {"COMMIT_KG_HTTP_WORKERS": str(args.workers)}
        ports = {name: free_port() for name in (OURS, OXIGRAPH, RDFLIB)}
        ours = Endpoint(OURS, f"http://127.0.0.1:{ports[OURS]}", "/sparql")
        with running(ours_command(ports[OURS]), ours.url, env):
            dump = folder / "commit-kg.nq"
            dump.write_bytes(httpx.get(f"{ours.base}/dumps/commit-kg.nq", timeout=60).raise_for_status().content)
            oxigraph = Endpoint(OXIGRAPH, f"http://127.0.0.1:{ports[OXIGRAPH]}", "/query")
            rdflib = Endpoint(RDFLIB, f"http://127.0.0.1:{ports[RDFLIB]}", "/")  # its help says /sparql; it answers at /
            rdflib_command = ["rdflib-endpoint", "serve", str(dump), "--host", "127.0.0.1", "--port", str(ports[RDFLIB])]
            with oxigraph_in_memory(ports[OXIGRAPH], dump), running(rdflib_command, rdflib.url), \
                    remote_backends(folder, args.workers) as backends:
                runs = load_runs([ours, *backends, oxigraph, rdflib], queries, args, folder)
        cold = {} if args.no_cold_start else cold_starts(dump, args, folder)
        quads = sum(1 for line in dump.read_text(encoding="utf-8").splitlines() if line.strip())
    record = {"machine": {"cores": os.cpu_count(), "load_average_at_start": load_at_start,
                          "load_average_at_end": os.getloadavg()},
              "settings": {"duration_s": args.duration, "connections": args.connections, "our_http_workers": args.workers,
                           "wrk_threads": min(args.connections, 2), "quads": quads,
                           "oxigraph": "serve, in memory, --union-default-graph, loaded over /store",
                           "rdflib_endpoint": "rdflib Dataset(default_union=True), in memory",
                           "remote": "deploy/replicas/replicas.sh: oxigraph serve on disk, --union-default-graph, "
                                     "written by commit-kg load --into; 1 replica with our_http_workers workers; "
                                     "2 replicas of 1 worker behind nginx (round robin, keepalive 16)"},
              "queries": {q.name: q.sparql for q in queries}, "runs": runs, "cold_start": cold}
    publish(args.results, record, quiet=True)
    print(summary(record))


def summary(record: dict) -> str:
    """Both tables, with the machine's load average around the run."""
    machine = record["machine"]

    def load(key: str) -> str:
        return ", ".join(f"{x:.2f}" for x in machine[key])

    return (f"{machine['cores']} cores; load average (1, 5, 15 min) {load('load_average_at_start')} at the start, "
            f"{load('load_average_at_end')} at the end; {record['settings']['duration_s']} s per wrk run\n\n"
            + table(record["runs"], record["cold_start"])
            + ("\n\n" + backends_table(record["runs"]) if any(REMOTE in run for run in record["runs"]) else ""))


if __name__ == "__main__":
    main()
