"""Light queries while large inputs are refused: the latency of a light SPARQL query (ASK, made unique per
request so no answer cache serves it) from one connection, alone and then while other connections keep
sending large inputs that must be refused (issue 11: a 1 MB text once held every connection for 16-19 s,
three 490 KB ones for 34.5 s). Prints the light query's latency percentiles in both phases and what the
large requests were answered; writes bench/results/big_inputs.json.

Run: python3 -m bench.big_inputs [--seconds 5] [--workers 1]
"""

from __future__ import annotations

import argparse
import collections
import statistics
import threading
import time
from collections.abc import Callable
from urllib.parse import quote

import httpx

from bench.http import free_port, ours_command, running
from bench.results_file import publish

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"


def percent_heavy(chars: int) -> bytes:
    """A URL-encoded body whose query is `chars` characters that each need percent-encoding (the most
    work per byte for the decoder)."""
    return b"query=" + quote("{ } " * (chars // 4), safe="").encode()


# name: (content type, body): each must be refused with a 4xx. Past the query-length cap a text is refused
# before it is decoded; the last two are under it and are decoded and tokenized whole (off the loop).
BIG_REQUESTS: dict[str, tuple[str, bytes]] = {
    "1 MB query text (direct POST)": (DIRECT, b"SELECT * WHERE { ?s ?p ?o } #" + b"a" * 1_000_000),
    "1 MB URL-encoded body": (FORM, percent_heavy(330_000)),
    "490 KB URL-encoded body (1)": (FORM, percent_heavy(163_000)),
    "490 KB URL-encoded body (2)": (FORM, percent_heavy(163_000)),
    "490 KB URL-encoded body (3)": (FORM, percent_heavy(163_000)),
    "99,000-character update (tokenized whole)": (DIRECT, b"INSERT DATA { " + b"<a:b> <c:d> 'x' . " * 5500 + b"}"),
    "99,000 characters, each percent-encoded (decoded whole)": (FORM, percent_heavy(99_000)),
}


def light(client: httpx.Client, url: str, n: int) -> float:
    """One light query's latency in seconds; raises unless it is answered 200."""
    start = time.perf_counter()
    answer = client.get(f"{url}/sparql", params={"query": f"ASK {{}} # light {n}"},
                        headers={"Accept": "application/sparql-results+json"})
    answer.raise_for_status()
    return time.perf_counter() - start


def big_sender(url: str, name: str, stop: threading.Event, statuses: collections.Counter) -> Callable[[], None]:
    content_type, body = BIG_REQUESTS[name]

    def run() -> None:
        with httpx.Client(timeout=120) as client:
            while not stop.is_set():
                answer = client.post(f"{url}/sparql", content=body, headers={"Content-Type": content_type})
                statuses[(name, answer.status_code, answer.json().get("error"))] += 1
    return run


def light_phase(url: str, seconds: float) -> list[float]:
    latencies = []
    with httpx.Client(timeout=120) as client:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            latencies.append(light(client, url, len(latencies)))
    return latencies


def summary(latencies: list[float]) -> dict:
    ordered = sorted(latencies)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)

    return {"queries": len(ordered), "p50_ms": pick(0.5), "p90_ms": pick(0.9), "p99_ms": pick(0.99),
            "max_ms": round(ordered[-1] * 1000, 1), "mean_ms": round(statistics.mean(ordered) * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each phase")
    parser.add_argument("--workers", type=int, default=1, help="HTTP worker processes of the server")
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running([*ours_command(port), "--workers", str(args.workers)], url):
        light_phase(url, 1.0)  # warm-up: workers started, first answers made
        alone = light_phase(url, args.seconds)
        stop, statuses = threading.Event(), collections.Counter()
        senders = [threading.Thread(target=big_sender(url, name, stop, statuses)) for name in BIG_REQUESTS]
        for sender in senders:
            sender.start()
        time.sleep(0.5)  # every large request in flight
        try:
            loaded = light_phase(url, args.seconds)
        finally:
            stop.set()
            for sender in senders:
                sender.join()
    record = {"http_workers": args.workers, "phase_seconds": args.seconds,
              "light_alone": summary(alone), "light_with_big_inputs": summary(loaded),
              "big_answers": [{"request": name, "status": status, "error": code, "count": count}
                              for (name, status, code), count in sorted(statuses.items())]}
    publish("big_inputs", record)
    if any(status < 400 or status >= 500 for (_, status, _), _ in statuses.items()):
        raise SystemExit("a large input was not refused with a 4xx")


if __name__ == "__main__":
    main()
