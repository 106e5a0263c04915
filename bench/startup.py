"""Benchmark: launch to first SPARQL answer, on an unchanged graph (the build cache holds it; target
under 1 s) and after a file changed (a full build), against Oxigraph's server on the same quads in the
same run (in memory, loaded over HTTP; read-only on a store loaded before). The cold-start part of
bench/http.py, without the load runs. Writes bench/results/startup.json.

Run: python3 -m bench.startup [--repeat N] [--workers N]   (needs `pip install oxigraph`)
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import pyoxigraph as ox

from bench.http import cold_starts
from bench.results_file import publish
from commit_kg.build import build
from commit_kg.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "commit-kg.nq"
        dump.write_bytes(build(Settings()).store.dump(format=ox.RdfFormat.N_QUADS))
        publish("startup", cold_starts(dump, args, Path(tmp)))


if __name__ == "__main__":
    main()
