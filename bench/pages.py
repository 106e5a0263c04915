"""Benchmark: server time of the dashboard (issue 10: under 100 ms), beside the plain-SPARQL way of
getting the same three matrices (the `coverage-gaps` named query once per kind, on the same embedded
store) in the same run. A date not seen before is computed from the graph view made once per graph
version; a date seen before is a dictionary look-up. Writes bench/results/pages.json.

Run: python3 -m bench.pages [--repeat N]
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import time

from bench.results_file import publish
from commit_kg.build import build
from commit_kg.catalogue import Catalogue
from commit_kg.coverage import KINDS
from commit_kg.settings import Settings
from commit_kg.store import EmbeddedStore
from commit_kg.web import routes
from commit_kg.web.dashboard import graph_view


def timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    settings = Settings()
    store = EmbeddedStore(build(settings).store)
    gaps = Catalogue(settings.queries_dir).get("coverage-gaps")
    view = graph_view(store)
    routes.render_dashboard(view, datetime.date(2004, 6, 1), "en", "http://x")  # templates loaded
    first = datetime.date(2000, 1, 1)
    new_days = [first + datetime.timedelta(days=97 * n) for n in range(args.repeat)]
    new = [timed(lambda d=d: routes.render_dashboard(view, d, "th", "http://x")) for d in new_days]
    seen = [timed(lambda d=d: routes.render_dashboard(view, d, "th", "http://x")) for d in new_days]
    sparql = [timed(lambda d=d: [gaps.run(store, {"kind": kind, "as_of": d.isoformat()}) for kind in KINDS])
              for d in new_days]
    record = {
        "dashboard_new_date_ms": {"median": round(statistics.median(new) * 1000, 1), "min": round(min(new) * 1000, 1)},
        "dashboard_seen_date_ms": {"median": round(statistics.median(seen) * 1000, 2)},
        "three_matrices_by_named_query_ms": {"median": round(statistics.median(sparql) * 1000, 1)},
        "ratio_new_dashboard_to_named_queries": round(statistics.median(new) / statistics.median(sparql), 2),
        "repeat": args.repeat,
    }
    publish("pages", record)


if __name__ == "__main__":
    main()
