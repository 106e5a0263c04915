"""Parse RDF files into quads, one named graph per file, failing with the file, line and column."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import ParseError
from .namespaces import GRAPH

FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
}


@dataclass(frozen=True)
class LoadedFile:
    path: Path
    graph: ox.NamedNode
    quads: list[ox.Quad]


def rdf_files(folder: Path) -> list[Path]:
    """The RDF files below `folder`, in a stable order so that builds are reproducible."""
    if not folder.is_dir():
        raise ParseError(folder, None, None, "folder not found")
    return sorted(p for p in folder.rglob("*") if p.suffix in FORMATS and p.is_file())


def graph_name(kind: str, folder: Path, path: Path) -> ox.NamedNode:
    """`graph/{kind}/{path without suffix}`: a stable name per file, so a query can ask where a fact came from."""
    relative = path.relative_to(folder).with_suffix("").as_posix()
    return ox.NamedNode(f"{GRAPH}{kind}/{relative}")


def parse_file(path: Path, graph: ox.NamedNode) -> LoadedFile:
    """Parse one file; triples go into `graph`, quads that name a graph keep it."""
    try:
        quads = [
            quad if not isinstance(quad.graph_name, ox.DefaultGraph)
            else ox.Quad(quad.subject, quad.predicate, quad.object, graph)
            for quad in ox.parse(path=path, format=FORMATS[path.suffix])
        ]
    except SyntaxError as error:
        raise ParseError(path, error.lineno, error.offset, error.msg) from None
    return LoadedFile(path, graph, quads)


def parse_folder(kind: str, folder: Path) -> list[LoadedFile]:
    """Parse every RDF file of a folder; the first file that fails stops it with its location."""
    return [parse_file(path, graph_name(kind, folder, path)) for path in rdf_files(folder)]
