"""Where benchmarks keep what they measured: bench/results/{name}.json, also printed."""

from __future__ import annotations

import json
from pathlib import Path


def publish(name: str, record: dict, quiet: bool = False) -> None:
    out = Path(__file__).parent / "results" / f"{name}.json"
    out.parent.mkdir(exist_ok=True)
    text = json.dumps(record, indent=2) + "\n"
    out.write_text(text, encoding="utf-8")
    if not quiet:
        print(text, end="")
