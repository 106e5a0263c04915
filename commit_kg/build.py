"""The build: parse ontology, shapes and data, derive coverage bases, gate on integrity SHACL.

Nothing is returned until every file has parsed and the data (with what is derived from it) has
passed validation, so a bad file never yields a half-loaded graph and a failed rebuild leaves
whatever was serving untouched. A build that passed is kept in the cache folder (store_cache.py), so
a restart on the same files opens it instead; pySHACL and rdflib are imported only when building.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .derive import derive
from .errors import IntegrityError
from .loading import LoadedFile, parse_folder
from .namespaces import GRAPH, VERSION_GRAPH
from .settings import Settings
from .store_cache import CachedValidation, StoreCache, default_cache_dir, inputs_of

OWL_VERSION_INFO = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")

if TYPE_CHECKING:
    from .validation import ValidationResult

log = logging.getLogger("commit_kg.cache")


@dataclass(frozen=True)
class BuiltGraph:
    """An immutable build: the store, what validation said, and a version that changes with any file."""

    store: ox.Store
    validation: ValidationResult | CachedValidation
    reference_days: tuple[datetime.date, ...]
    files: tuple[Path, ...]
    version: str
    # The cache entry this graph was restored from (None: built in this process).
    cached_at: Path | None = None

    @property
    def triple_count(self) -> int:
        return len(self.store)


def quads_of(files: list[LoadedFile]) -> list[ox.Quad]:
    return [quad for loaded in files for quad in loaded.quads]


def version_of(files: list[LoadedFile]) -> str:
    """A content hash of every input file: the same files give the same version."""
    digest = hashlib.sha256()
    for loaded in files:
        digest.update(loaded.path.name.encode())
        digest.update(loaded.path.read_bytes())
    return digest.hexdigest()[:16]


def assemble(settings: Settings, days: tuple[datetime.date, ...] | None = None) -> BuiltGraph:
    """Parse, derive and validate, without refusing anything: for reports that want every result.
    Raises `ParseError` for a file that does not parse and `IntegrityError` for a date that is not one."""
    from .validation import to_rdflib, validate

    ontology = parse_folder("ontology", settings.ontology_dir)
    data = parse_folder("data", settings.data_dir)
    shapes = parse_folder("shapes", settings.shapes_dir)
    days = days or tuple(settings.reference_days())
    store = ox.Store()
    store.extend(quads_of(ontology) + quads_of(data))
    derived = derive(store, list(days))
    store.extend(derived)
    result = validate(to_rdflib(quads_of(data) + derived), to_rdflib(quads_of(shapes)), to_rdflib(quads_of(ontology)))
    every = ontology + data + shapes
    version = version_of(every) + days[-1].strftime("%Y%m%d")
    store.add(version_quad(version))
    return BuiltGraph(store, result, days, tuple(f.path for f in every), version)


def version_quad(version: str) -> ox.Quad:
    """The graph's version as data, in its own named graph: any store holding the graph (this one, or a
    SPARQL server written by `commit-kg load --into`) says which version it holds."""
    return ox.Quad(ox.NamedNode(GRAPH), OWL_VERSION_INFO, ox.Literal(version), ox.NamedNode(VERSION_GRAPH))


def build(settings: Settings) -> BuiltGraph:
    """The graph from the cache when its input files are unchanged, else built, gated and cached; raises
    `ParseError` / `IntegrityError` naming what is wrong and where (and then writes nothing)."""
    days = tuple(settings.reference_days())
    cache = StoreCache(settings.cache_dir or default_cache_dir())
    inputs = inputs_of(settings, days)
    cached = cache.load(inputs, days)
    if cached is not None:
        return cached
    graph = assemble(settings, days)
    if not graph.validation.conforms:
        raise IntegrityError(graph.validation.violations)
    try:
        if inputs_of(settings, days) == inputs:  # no file changed while building: the key still holds
            cache.save(inputs, graph)
    except OSError as error:  # a read-only or full disk costs the next start time, not this one
        log.warning("could not write the cache in %s: %s", cache.folder, error)
    return graph
