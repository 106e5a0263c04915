"""The validated, derived graph kept on disk, keyed by a hash of everything the build reads, so that a
restart on unchanged files skips parsing, derivation and the SHACL gate (seconds) and only loads the
quads (tens of milliseconds).

An entry is a folder `{cache_dir}/{key}/` holding the dataset as N-Quads, the SHACL report as
N-Triples and `meta.json` (results, counts, version, checksums). It is written in a temporary folder
and renamed into place, so a reader sees a whole entry or none; an entry whose checksums or quad count
do not match is treated as absent and rebuilt. Only a build that passed the gate is written, and its
key differs from any other content's, so a failing build never touches a good entry.

The quads are loaded into an in-memory store rather than opened with `Store.read_only(path)`:
measured on this graph, loading takes ~20 ms against ~13 ms to open RocksDB, queries run 2-3x faster
in memory, and an in-memory store is safe to share copy-on-write with forked workers, which a RocksDB
handle is not (see bench/README.md).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import asdict, dataclass, field
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from . import __version__
from .errors import Findings, Violation
from .loading import rdf_files

if TYPE_CHECKING:
    import rdflib

    from .build import BuiltGraph
    from .settings import Settings

FORMAT = 1  # bump when the layout of an entry changes
KEEP = 8  # entries kept; older ones (least recently used) are removed after a new one is written
STALE_S = 3600.0  # a temporary folder this old was left by a writer that died
GRAPH_FILE, REPORT_FILE, META_FILE = "graph.nq", "report.nt", "meta.json"
log = logging.getLogger("commit_kg.cache")


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/commit-kg, else ~/.cache/commit-kg: the XDG place for data that can be rebuilt."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "commit-kg"


PACKAGE = Path(__file__).parent  # the code that parses, derives and validates


@dataclass(frozen=True)
class Inputs:
    """The files a build reads, in build order, and the cache key of their contents and settings."""

    key: str
    files: tuple[Path, ...]


def inputs_of(settings: Settings, days: tuple[datetime.date, ...], code: Path = PACKAGE) -> Inputs:
    """Hash every input file (kind, relative path and bytes, length-prefixed so no two inputs collide),
    the named queries, the reference days and the versions of what computes the derived data."""
    digest = hashlib.sha256()

    def add(part: bytes) -> None:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)

    add(json.dumps({"format": FORMAT, "commit_kg": __version__, "pyoxigraph": ox.__version__,
                    "pyshacl": metadata.version("pyshacl"), "days": [d.isoformat() for d in days]}).encode())
    # The code that parses, derives and validates is an input too: a changed derivation with unchanged
    # data must rebuild, not serve what the old code derived.
    for path in sorted(code.rglob("*.py")):
        add(f"code/{path.relative_to(code).as_posix()}".encode())
        add(path.read_bytes())
    files: list[Path] = []
    folders = (("ontology", settings.ontology_dir), ("data", settings.data_dir), ("shapes", settings.shapes_dir))
    for kind, folder in folders:
        for path in rdf_files(folder):
            files.append(path)
            add(f"{kind}/{path.relative_to(folder).as_posix()}".encode())
            add(path.read_bytes())
    queries = settings.queries_dir
    for path in sorted(queries.rglob("*.rq")) if queries.is_dir() else []:
        add(f"queries/{path.relative_to(queries).as_posix()}".encode())
        add(path.read_bytes())
    return Inputs(digest.hexdigest()[:32], tuple(files))


class CachedValidation(Findings):
    """What the SHACL gate said when the cached entry was built: the same `results`, `violations`,
    `conforms`, `counts` and `report` as `ValidationResult`; the report graph (rdflib) is parsed only
    when asked for, so a start from cache never imports rdflib for it."""

    def __init__(self, results: list[Violation], report_path: Path) -> None:
        self.results = results
        self._report_path = report_path

    @cached_property
    def report(self) -> rdflib.Graph:
        import rdflib

        return rdflib.Graph().parse(self._report_path, format="nt")


@dataclass
class Meta:
    """meta.json: enough to check an entry is whole and to restore what BuiltGraph carries."""

    key: str
    version: str
    quads: int
    graph_sha256: str
    report_sha256: str
    results: list[dict] = field(default_factory=list)
    format: int = FORMAT


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class StoreCache:
    """The cache folder: `load` an entry for a key (None when absent or damaged), `save` a built graph."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def entry(self, key: str) -> Path:
        return self.folder / key

    def load(self, inputs: Inputs, days: tuple[datetime.date, ...]) -> BuiltGraph | None:
        """The cached graph for these inputs, or None; a damaged entry is logged and removed."""
        from .build import BuiltGraph

        entry = self.entry(inputs.key)
        if not entry.is_dir():
            return None
        try:
            meta = Meta(**json.loads((entry / META_FILE).read_text(encoding="utf-8")))
            graph, report = entry / GRAPH_FILE, entry / REPORT_FILE
            if meta.format != FORMAT or meta.key != inputs.key:
                raise ValueError("entry written for another key or format")
            if sha256_of(graph) != meta.graph_sha256 or sha256_of(report) != meta.report_sha256:
                raise ValueError("checksum mismatch")
            store = ox.Store()
            store.bulk_load(path=graph, format=ox.RdfFormat.N_QUADS, lenient=True)  # checksummed above
            if len(store) != meta.quads:
                raise ValueError(f"{len(store)} quads, expected {meta.quads}")
            results = [Violation(**r) for r in meta.results]
        except (OSError, ValueError, TypeError, SyntaxError) as error:
            log.warning("cache entry %s is damaged (%s): rebuilding", entry, error)
            shutil.rmtree(entry, ignore_errors=True)
            return None
        with contextlib.suppress(OSError):  # a read-only cache still serves
            os.utime(entry)  # most recently used: kept longest
        return BuiltGraph(store, CachedValidation(results, report), days, inputs.files, meta.version, cached_at=entry)

    def save(self, inputs: Inputs, graph: BuiltGraph) -> Path:
        """Write the entry beside its place and rename it in: readers never see half an entry."""
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f".tmp-{inputs.key}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        temporary.mkdir()
        try:
            graph.store.dump(temporary / GRAPH_FILE, format=ox.RdfFormat.N_QUADS)
            graph.validation.report.serialize(temporary / REPORT_FILE, format="nt", encoding="utf-8")
            meta = Meta(inputs.key, graph.version, len(graph.store), sha256_of(temporary / GRAPH_FILE),
                        sha256_of(temporary / REPORT_FILE), [asdict(r) for r in graph.validation.results])
            (temporary / META_FILE).write_text(json.dumps(asdict(meta)), encoding="utf-8")
            final = self.entry(inputs.key)
            if final.exists():  # a damaged entry left by another process: move it out of the way first
                shutil.rmtree(final, ignore_errors=True)
            try:
                temporary.rename(final)
            except OSError:  # another process renamed a whole entry in first: keep that one
                shutil.rmtree(temporary, ignore_errors=True)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        self.prune()
        return final

    def prune(self) -> None:
        """Keep the KEEP most recently used entries; remove temporary folders a killed writer left
        (older than STALE_S; younger ones may belong to a live writer)."""
        used = {}
        for path in self.folder.iterdir():
            with contextlib.suppress(OSError):  # removed meanwhile by another process
                if path.name.startswith(".tmp-") and time.time() - path.stat().st_mtime > STALE_S:
                    shutil.rmtree(path, ignore_errors=True)
                elif path.is_dir() and not path.name.startswith("."):
                    used[path] = path.stat().st_mtime
        for old in sorted(used, key=used.__getitem__, reverse=True)[KEEP:]:
            shutil.rmtree(old, ignore_errors=True)
