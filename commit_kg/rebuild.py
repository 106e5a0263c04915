"""A reload's build, run in its own interpreter (`python -m commit_kg.rebuild`, settings as JSON on
stdin, one JSON line out): parsing and pySHACL take seconds of CPU under the GIL, which must not
slow the HTTP process's event loop. A build that passes the gate is left in the build cache
(store_cache.py), and the answer names its cache key, so the serving processes load exactly what was
validated; a refusal names each problem (file:line:column, or the SHACL rule and focus node)."""

from __future__ import annotations

import datetime
import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from .build import BuiltGraph, build
from .catalogue import Catalogue
from .errors import CommitKgError, IntegrityError, ParseError
from .settings import Settings
from .store_cache import Inputs, StoreCache, default_cache_dir, inputs_of


@dataclass(frozen=True)
class Handover:
    """A build that passed the gate, as the serving processes find it in the build cache."""

    key: str
    files: tuple[str, ...]
    days: tuple[str, ...]
    version: str
    triples: int

    def load(self, settings: Settings) -> BuiltGraph | None:
        """The validated graph from the cache (None: the entry is gone or damaged)."""
        days = tuple(datetime.date.fromisoformat(day) for day in self.days)
        inputs = Inputs(self.key, tuple(Path(f) for f in self.files))
        return StoreCache(settings.cache_dir or default_cache_dir()).load(inputs, days)


def details_of(error: CommitKgError) -> list[dict]:
    """Each problem of a refused build in a form a client can show or act on."""
    if isinstance(error, ParseError):
        return [{"file": str(error.path), "line": error.line, "column": error.column, "message": error.detail}]
    if isinstance(error, IntegrityError):
        return [{"rule": v.name or v.shape, "shape": v.shape, "focus_node": v.focus_node, "path": v.path,
                 "value": v.value, "severity": v.severity, "message": v.message} for v in error.violations]
    return []


def rebuild(settings: Settings) -> dict:
    """Build and gate the files, and check the named queries load: {"handover": ...} or {"error": ...}."""
    days = tuple(settings.reference_days())
    before = inputs_of(settings, days)
    try:
        graph = build(settings)
        Catalogue(settings.queries_dir)
    except CommitKgError as error:
        return {"error": error.code, "message": error.message, "details": details_of(error)}
    cache = StoreCache(settings.cache_dir or default_cache_dir())
    if inputs_of(settings, days) != before or not cache.entry(before.key).is_dir():
        return {"error": "reload_failed", "details": [],
                "message": f"the validated build could not be kept in the build cache {cache.folder} "
                           "(not writable, or the files changed while building); nothing was swapped"}
    handover = Handover(before.key, tuple(str(f) for f in before.files), tuple(d.isoformat() for d in days),
                        graph.version, graph.triple_count)
    return {"handover": asdict(handover)}


NICE = 10  # the build yields the processor to the HTTP processes and the query workers serving meanwhile


def main() -> int:
    os.nice(NICE)
    settings = Settings(**json.loads(sys.stdin.read()))
    print(json.dumps(rebuild(settings)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
