"""Benchmark: how long the service takes from launch to its first SPARQL answer on the embedded
store (target: under 5 s), against Oxigraph's own server (`oxigraph serve-read-only`, PyPI package
`oxigraph`) on the same quads, measured in the same run. Prints a JSON record and writes it to
bench/results/startup.json.

Run: python3 bench/startup.py [--repeat N]   (needs `pip install oxigraph` for the peer)
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
from results_file import publish

from commit_kg.build import build
from commit_kg.settings import Settings

TARGET_S = 5.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def time_to_first_answer(command: list[str], url: str, limit: float = 120) -> float:
    """Seconds from launching `command` to the first 200 from `url`; the process is stopped after."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - start < limit:
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {process.returncode}")
            try:
                if httpx.get(url, params={"query": "ASK {}"}, timeout=1).status_code == 200:
                    return time.perf_counter() - start
            except httpx.TransportError:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"no answer from {url} within {limit} s")
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ours = []
    for _ in range(args.repeat):
        port = free_port()
        ours.append(time_to_first_answer(
            [sys.executable, "-m", "commit_kg", "serve", "--host", "127.0.0.1", "--port", str(port)],
            f"http://127.0.0.1:{port}/sparql"))
    record = {"commit_kg_serve_s": round(statistics.median(ours), 3), "target_s": TARGET_S,
              "under_target": statistics.median(ours) < TARGET_S, "repeat": args.repeat}
    oxigraph = shutil.which("oxigraph")
    if oxigraph:
        graph = build(Settings())
        with tempfile.TemporaryDirectory() as folder:
            dump = Path(folder) / "dump.nq"
            dump.write_bytes(graph.store.dump(format=ox.RdfFormat.N_QUADS))
            location = Path(folder) / "store"
            start = time.perf_counter()
            subprocess.run([oxigraph, "load", "--location", str(location), "--file", str(dump)],
                           check=True, capture_output=True)
            load = time.perf_counter() - start
            peer = []
            for _ in range(args.repeat):
                port = free_port()
                peer.append(time_to_first_answer(
                    [oxigraph, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                    f"http://127.0.0.1:{port}/query"))
        record |= {"oxigraph_load_s": round(load, 3), "oxigraph_serve_read_only_s": round(statistics.median(peer), 3),
                   "oxigraph_load_plus_serve_s": round(load + statistics.median(peer), 3),
                   "ours_over_oxigraph_load_plus_serve": round(statistics.median(ours) / (load + statistics.median(peer)), 1),
                   "triples": len(graph.store)}
    else:
        record["peer"] = "oxigraph not installed (pip install oxigraph): no peer measured"
    publish("startup", record)


if __name__ == "__main__":
    main()
