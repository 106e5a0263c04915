"""The dumps of one build: Turtle and N-Triples of the union of the named graphs, N-Quads and JSON-LD
keeping the named graphs, the published JSON-LD @context and SHA256SUMS, generated once per build
version so that their checksums, the ETags and the VoID description agree."""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..bounded_cache import BoundedCache
from ..build import BuiltGraph
from ..dataset_stats import GraphStats, statistics
from ..namespaces import PREFIXES
from .canonical import quad_key, sha256, stable_blank_nodes
from .jsonld import CONTEXT_PREFIXES, context_document, to_jsonld
from .linksets import Linkset, count_linksets

OWL = PREFIXES["owl"]
DCTERMS = PREFIXES["dcterms"]
CC_BY = "https://creativecommons.org/licenses/by/4.0/"


@dataclass(frozen=True)
class DumpFile:
    name: str
    media_type: str
    title: str
    content: bytes
    sha256: str
    # The file is an RDF dump of the dataset (void:dataDump), not an auxiliary file.
    dump: bool
    format_iri: str | None = None  # http://www.w3.org/ns/formats/…

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def content_type(self) -> str:
        return self.media_type if self.media_type.endswith("json") else f"{self.media_type}; charset=utf-8"


@dataclass
class DatasetFiles:
    """What one build version publishes: statistics, the newest input time, the dump files."""

    version: str
    stats: list[GraphStats]
    modified: datetime.datetime
    license: str
    files: dict[str, DumpFile]
    # The links to other datasets, counted from the graph (VoID linksets).
    linksets: list[Linkset] = field(default_factory=list)
    # Rendered VoID documents by (base URL, media type): (body, sha256). The base is a configured one
    # (commit_kg/public_url.py), never a request's Host; the cache is bounded all the same.
    void: BoundedCache[tuple[bytes, str]] = field(default_factory=lambda: BoundedCache(
        lambda made: len(made[0]), entries=16, budget=16 << 20))


class DatasetCache:
    """The dataset files and statistics of the build being served, each made on first use; one per app
    (its state). The statistics are counted once and shared by the VoID description (through the files)
    and the SPARQL Service Description."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: DatasetFiles | None = None
        self._stats: tuple[str, list[GraphStats]] | None = None

    def statistics(self, graph: BuiltGraph) -> list[GraphStats]:
        with self._lock:
            return self._statistics(graph)

    def _statistics(self, graph: BuiltGraph) -> list[GraphStats]:
        if self._stats is None or self._stats[0] != graph.version:
            self._stats = (graph.version, statistics(graph.store))
        return self._stats[1]

    def get(self, graph: BuiltGraph) -> DatasetFiles:
        with self._lock:
            if self._current is None or self._current.version != graph.version:
                self._current = generate(graph, self._statistics(graph))
            return self._current


def newest_input(graph: BuiltGraph) -> datetime.datetime:
    times = [path.stat().st_mtime for path in graph.files if path.exists()]
    stamp = max(times) if times else 0.0
    return datetime.datetime.fromtimestamp(int(stamp), tz=datetime.UTC)


def licence_of(store: ox.Store) -> str:
    """The licence the ontology header declares (CC BY 4.0), read from the graph itself."""
    found = store.query(f"""SELECT ?l WHERE {{ GRAPH ?g {{ ?o a <{OWL}Ontology> ; <{DCTERMS}license> ?l }} }}
        ORDER BY ?l LIMIT 1""")
    for row in found:
        if isinstance(row["l"], ox.NamedNode):
            return row["l"].value
    return CC_BY


def generate(graph: BuiltGraph, stats: list[GraphStats]) -> DatasetFiles:
    """Every dump of one build, with checksums; deterministic for the same files."""
    quads = sorted(stable_blank_nodes(list(graph.store)), key=quad_key)
    triples: list[ox.Triple] = []
    seen: set[ox.Triple] = set()
    for triple in sorted((q.triple for q in quads), key=lambda t: (str(t.subject), str(t.predicate), str(t.object))):
        if triple not in seen:
            seen.add(triple)
            triples.append(triple)
    contents = [
        ("commit-kg.ttl", "text/turtle", "Turtle (the union of the named graphs)",
         ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=CONTEXT_PREFIXES), True,
         "http://www.w3.org/ns/formats/Turtle"),
        ("commit-kg.nt", "application/n-triples", "N-Triples (the union of the named graphs)",
         ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), True, "http://www.w3.org/ns/formats/N-Triples"),
        ("commit-kg.nq", "application/n-quads", "N-Quads (one named graph per source file)",
         ox.serialize(quads, format=ox.RdfFormat.N_QUADS), True, "http://www.w3.org/ns/formats/N-Quads"),
        ("commit-kg.jsonld", "application/ld+json", "JSON-LD (named graphs kept; the @context of context.jsonld, inline)",
         to_jsonld(quads, CONTEXT_PREFIXES, CONTEXT_PREFIXES), True, "http://www.w3.org/ns/formats/JSON-LD"),
        ("context.jsonld", "application/ld+json", "The JSON-LD @context of commit-kg.jsonld",
         context_document(), False, None),
    ]
    files = {name: DumpFile(name, media, title, body, sha256(body), dump, fmt)
             for name, media, title, body, dump, fmt in contents}
    sums = "".join(f"{f.sha256}  {f.name}\n" for f in files.values()).encode()
    files["SHA256SUMS"] = DumpFile("SHA256SUMS", "text/plain", "SHA-256 checksums (sha256sum -c)", sums,
                                   sha256(sums), False)
    return DatasetFiles(graph.version, stats, newest_input(graph), licence_of(graph.store), files,
                        count_linksets(graph.store))
