"""The dataset described and downloadable: VoID + DCAT at /.well-known/void, dumps at /dumps/.

Everything here is a function of the build: the dumps (Turtle and N-Triples of the union of the named
graphs, N-Quads and JSON-LD keeping the named graphs, the published JSON-LD @context, SHA256SUMS) are
generated once per build version and kept on `app.state`, so that their checksums, the ETags and the
VoID description agree. Blank nodes get labels derived from the graph's structure (not the random
ones the parser gave), so the same files give byte-identical dumps in every process.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import json
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from ..build import BuiltGraph
from ..dataset_stats import GraphStats, statistics
from ..errors import NotFoundError
from ..namespaces import GRAPH, ID, ONTOLOGY, PREFIXES
from .deps import BaseDep, GraphDep
from .negotiation import negotiate, requested_format

router = APIRouter(tags=["dataset"])

RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
OWL = PREFIXES["owl"]
XSD = PREFIXES["xsd"]
DCTERMS = PREFIXES["dcterms"]
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
FOAF = "http://xmlns.com/foaf/0.1/"
SPDX = "http://spdx.org/rdf/terms#"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
IANA = "https://www.iana.org/assignments/media-types/"

# The published @context (/dumps/context.jsonld): the project's prefixes. The JSON-LD dump and every
# JSON-LD description carry it inline, so that each parses on its own, offline.
CONTEXT_PREFIXES = {name: PREFIXES[name] for name in (
    "ck", "id", "rdf", "rdfs", "skos", "dcterms", "prov", "owl", "xsd", "org", "schema", "time")}
VOID_PREFIXES = {"void": VOID, "dcat": DCAT, "dcterms": DCTERMS, "foaf": FOAF, "spdx": SPDX,
                 "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD}

TITLE = "COMMIT knowledge graph"
DESCRIPTION = (
    "A knowledge graph about COMMIT, the cooperation of Cambodia, China, Lao PDR, Myanmar, Thailand and "
    "Viet Nam against human trafficking: its plans of action, their project proposal concepts and "
    "activities and their lineage; the treaties, agreements and laws behind cross-border cooperation "
    "(mutual legal assistance, extradition, anti-trafficking cooperation); and how each country's legal "
    "framework stands on the SPA II criteria. Every fact carries its source. One named graph per source "
    "file (ontology, data) and per derivation.")
PUBLISHER = "The commit-kg project"

VOID_TYPES = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
VOID_FORMATS = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
                "application/rdf+xml": ox.RdfFormat.RDF_XML}
INDEX_TYPES = ["application/json", "text/html"]


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
    # Rendered VoID documents by (base URL, media type): (body, sha256).
    void: dict[tuple[str, str], tuple[bytes, str]] = field(default_factory=dict)


class DatasetCache:
    """The dataset files of the build being served, generated on first use; one per app (app.state)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: DatasetFiles | None = None

    def get(self, graph: BuiltGraph) -> DatasetFiles:
        with self._lock:
            if self._current is None or self._current.version != graph.version:
                self._current = generate(graph)
            return self._current


_CACHE_CREATION = threading.Lock()


def cache_of(request: Request) -> DatasetCache:
    state = request.app.state
    cache = getattr(state, "dataset_cache", None)
    if cache is None:
        with _CACHE_CREATION:
            cache = getattr(state, "dataset_cache", None)
            if cache is None:
                cache = state.dataset_cache = DatasetCache()
    return cache


# --- generation ------------------------------------------------------------------------------------

def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stable_blank_nodes(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The quads with each blank node relabelled by a hash of its surroundings, refined until the
    partition of blank nodes stops growing (colour refinement); blank nodes that stay alike are
    numbered, in which case they are interchangeable in every way the refinement can see."""
    touching = [q for q in quads if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)]
    if not touching:
        return quads
    blanks = {t for q in touching for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
    label: dict[ox.BlankNode, str] = dict.fromkeys(blanks, "")
    classes = 1
    for _ in range(len(blanks) + 1):
        items: dict[ox.BlankNode, list[str]] = {b: [label[b]] for b in blanks}
        for q in touching:
            s = label[q.subject] if q.subject in label else str(q.subject)
            o = label[q.object] if q.object in label else str(q.object)
            if q.subject in label:
                items[q.subject].append(f"> {q.predicate} {o} {q.graph_name}")
            if q.object in label:
                items[q.object].append(f"< {q.predicate} {s} {q.graph_name}")
        label = {b: sha256("\n".join(sorted(v)).encode())[:24] for b, v in items.items()}
        now = len(set(label.values()))
        if now == classes:
            break
        classes = now
    groups: dict[str, list[ox.BlankNode]] = defaultdict(list)
    for b, value in label.items():
        groups[value].append(b)
    renamed: dict[ox.BlankNode, ox.BlankNode] = {}
    for value, members in groups.items():
        for i, b in enumerate(sorted(members, key=str)):
            renamed[b] = ox.BlankNode(f"b{value}" + (f"x{i}" if len(members) > 1 else ""))

    def term(t):
        return renamed.get(t, t)

    return [ox.Quad(term(q.subject), q.predicate, term(q.object), q.graph_name) for q in quads]


def quad_key(q: ox.Quad) -> tuple[str, str, str, str]:
    return (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))


def compact(iri: str, prefixes: dict[str, str]) -> str:
    """A JSON-LD compact IRI (prefix:suffix) when a prefix fits and the result cannot be misread."""
    best = None
    for name, namespace in prefixes.items():
        if iri.startswith(namespace) and len(iri) > len(namespace) and (best is None or len(namespace) > len(best[1])):
            best = (name, namespace)
    if best is None:
        return iri
    suffix = iri[len(best[1]):]
    if suffix.startswith("//"):
        return iri
    return f"{best[0]}:{suffix}"


def jsonld_term(term: ox.Term, prefixes: dict[str, str]) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return compact(term.value, prefixes)


def jsonld_value(term: ox.Term, prefixes: dict[str, str]) -> object:
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == XSD + "string":
            return term.value
        return {"@value": term.value, "@type": compact(term.datatype.value, prefixes)}
    return {"@id": jsonld_term(term, prefixes)}


def jsonld_nodes(quads: Iterable[ox.Quad], prefixes: dict[str, str]) -> list[dict]:
    """Node objects, one per subject, in the order the quads come (sorted quads: sorted nodes)."""
    nodes: dict[ox.Term, dict] = {}
    for q in quads:
        node = nodes.setdefault(q.subject, {"@id": jsonld_term(q.subject, prefixes)})
        if q.predicate.value == RDF + "type" and isinstance(q.object, ox.NamedNode | ox.BlankNode):
            node.setdefault("@type", []).append(jsonld_term(q.object, prefixes))
        else:
            node.setdefault(compact(q.predicate.value, prefixes), []).append(jsonld_value(q.object, prefixes))
    return list(nodes.values())


def to_jsonld(quads: list[ox.Quad], context: object, prefixes: dict[str, str]) -> bytes:
    """JSON-LD (compacted with the prefixes of `context`) keeping named graphs; quads must be sorted."""
    by_graph: dict[ox.Term, list[ox.Quad]] = defaultdict(list)
    for q in quads:
        by_graph[q.graph_name].append(q)
    top: list[dict] = jsonld_nodes(by_graph.pop(ox.DefaultGraph(), []), prefixes)
    for graph, members in by_graph.items():
        top.append({"@id": jsonld_term(graph, prefixes), "@graph": jsonld_nodes(members, prefixes)})
    return (json.dumps({"@context": context, "@graph": top}, ensure_ascii=False, indent=1) + "\n").encode()


def context_document() -> bytes:
    return (json.dumps({"@context": CONTEXT_PREFIXES}, indent=2) + "\n").encode()


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


def generate(graph: BuiltGraph) -> DatasetFiles:
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
    return DatasetFiles(graph.version, statistics(graph.store), newest_input(graph), licence_of(graph.store), files)


# --- VoID + DCAT -----------------------------------------------------------------------------------

def void_quads(data: DatasetFiles, base: str) -> list[ox.Quad]:
    """The VoID + DCAT description of the dataset served at `base`."""
    out: list[ox.Quad] = []

    def iri(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    def add(s: ox.NamedNode | ox.BlankNode, p: str, o: ox.Term) -> None:
        out.append(ox.Quad(s, iri(p), o))

    def integer(n: int, datatype: str = "integer") -> ox.Literal:
        return ox.Literal(str(n), datatype=iri(XSD + datatype))

    def en(text: str) -> ox.Literal:
        return ox.Literal(text, language="en")

    document = iri(f"{base}/.well-known/void")
    dataset = iri(f"{base}/.well-known/void#dataset")
    add(document, RDF + "type", iri(VOID + "DatasetDescription"))
    add(document, DCTERMS + "title", en(f"VoID and DCAT description of the {TITLE}"))
    add(document, FOAF + "primaryTopic", dataset)

    def counts(node: ox.NamedNode, stats: GraphStats, tag: str) -> None:
        add(node, RDF + "type", iri(VOID + "Dataset"))
        add(node, VOID + "triples", integer(stats.triples))
        add(node, VOID + "distinctSubjects", integer(stats.subjects))
        add(node, VOID + "distinctObjects", integer(stats.objects))
        add(node, VOID + "classes", integer(len(stats.classes)))
        add(node, VOID + "properties", integer(len(stats.properties)))
        for i, (cls, n) in enumerate(stats.classes.items(), 1):
            part = ox.BlankNode(f"{tag}c{i:03d}")
            add(node, VOID + "classPartition", part)
            add(part, VOID + "class", iri(cls))
            add(part, VOID + "entities", integer(n))
        for i, (prop, n) in enumerate(stats.properties.items(), 1):
            part = ox.BlankNode(f"{tag}p{i:03d}")
            add(node, VOID + "propertyPartition", part)
            add(part, VOID + "property", iri(prop))
            add(part, VOID + "triples", integer(n))

    whole, graphs = data.stats[0], data.stats[1:]
    add(dataset, RDF + "type", iri(DCAT + "Dataset"))
    add(dataset, DCTERMS + "title", en(TITLE))
    add(dataset, DCTERMS + "description", en(DESCRIPTION))
    add(dataset, DCTERMS + "license", iri(data.license))
    publisher = ox.BlankNode("publisher")
    add(dataset, DCTERMS + "publisher", publisher)
    add(publisher, RDF + "type", iri(FOAF + "Organization"))
    add(publisher, FOAF + "name", en(PUBLISHER))
    add(publisher, RDFS + "label", en(PUBLISHER))
    add(dataset, DCTERMS + "modified",
        ox.Literal(data.modified.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=iri(XSD + "dateTime")))
    add(dataset, DCAT + "version", ox.Literal(data.version))
    add(dataset, OWL + "versionInfo", ox.Literal(data.version))
    add(dataset, VOID + "sparqlEndpoint", iri(f"{base}/sparql"))
    add(dataset, VOID + "uriSpace", ox.Literal(ID))
    add(dataset, VOID + "vocabulary", iri(ONTOLOGY))
    counts(dataset, whole, "d")
    for i, stats in enumerate(graphs, 1):
        assert stats.graph is not None
        subset = iri(stats.graph)
        add(dataset, VOID + "subset", subset)
        add(subset, RDFS + "label", ox.Literal(stats.graph.removeprefix(GRAPH)))
        counts(subset, stats, f"g{i}")
    for f in data.files.values():
        if not f.dump:
            continue
        url = iri(f"{base}/dumps/{f.name}")
        distribution = iri(f"{base}/.well-known/void#dump-{f.name.rsplit('.', 1)[-1]}")
        checksum = ox.BlankNode(f"checksum{f.name.rsplit('.', 1)[-1]}")
        add(dataset, VOID + "dataDump", url)
        add(dataset, DCAT + "distribution", distribution)
        if f.format_iri:
            add(dataset, VOID + "feature", iri(f.format_iri))
        add(distribution, RDF + "type", iri(DCAT + "Distribution"))
        add(distribution, DCTERMS + "title", en(f.title))
        add(distribution, DCAT + "downloadURL", url)
        add(distribution, DCAT + "accessURL", iri(f"{base}/dumps/"))
        add(distribution, DCAT + "mediaType", iri(IANA + f.media_type))
        add(distribution, DCAT + "byteSize", integer(f.size, "nonNegativeInteger"))
        add(distribution, DCTERMS + "license", iri(data.license))
        add(distribution, SPDX + "checksum", checksum)
        add(checksum, RDF + "type", iri(SPDX + "Checksum"))
        add(checksum, SPDX + "algorithm", iri(SPDX + "checksumAlgorithm_sha256"))
        add(checksum, SPDX + "checksumValue", ox.Literal(f.sha256, datatype=iri(XSD + "hexBinary")))
    # Each triple once (void:feature repeats for the two JSON-LD files, say), in a stable order.
    return sorted(dict.fromkeys(out), key=quad_key)


def render_void(data: DatasetFiles, base: str, media: str) -> tuple[bytes, str]:
    key = (base, media)
    if key not in data.void:
        quads = void_quads(data, base)
        if media == "application/ld+json":
            body = to_jsonld(quads, VOID_PREFIXES, VOID_PREFIXES)
        else:
            body = ox.serialize([q.triple for q in quads], format=VOID_FORMATS[media],
                                prefixes=VOID_PREFIXES if media != "application/n-triples" else None)
        data.void[key] = (body, sha256(body))
    return data.void[key]


# --- HTTP ------------------------------------------------------------------------------------------

def etag_matches(request: Request, tag: str) -> bool:
    """If-None-Match with the weak comparison RFC 9110 asks for GET; `*` matches any current file."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    candidates = [c.strip().removeprefix("W/") for c in header.split(",")]
    return "*" in candidates or f'"{tag}"' in candidates


def conditional(request: Request, body: bytes, tag: str, content_type: str, headers: dict[str, str]) -> Response:
    headers = {"ETag": f'"{tag}"', **headers}
    if etag_matches(request, tag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=content_type, headers=headers)


@router.api_route("/.well-known/void", methods=["GET", "HEAD"])
def void(request: Request, graph: GraphDep, base: BaseDep, format: str | None = None) -> Response:
    """VoID + DCAT description of the dataset (Turtle, JSON-LD, N-Triples or RDF/XML by Accept)."""
    media = requested_format(format, request.headers.get("accept"), VOID_TYPES)
    data = cache_of(request).get(graph)
    body, tag = render_void(data, base, media)
    content_type = media if media == "application/ld+json" else f"{media}; charset=utf-8"
    return conditional(request, body, tag, content_type, {"Vary": "Accept"})


def index_entries(data: DatasetFiles, base: str) -> list[dict]:
    return [{"name": f.name, "url": f"{base}/dumps/{f.name}", "title": f.title, "mediaType": f.media_type,
             "size": f.size, "sha256": f.sha256} for f in data.files.values()]


@router.get("/dumps/")
def dumps_index(request: Request, graph: GraphDep, base: BaseDep) -> Response:
    """The dump files with size, media type and SHA-256 (JSON; HTML for a browser)."""
    media = negotiate(request.headers.get("accept"), INDEX_TYPES)
    data = cache_of(request).get(graph)
    entries = index_entries(data, base)
    headers = {"Vary": "Accept"}
    if media == "text/html":
        rows = "\n".join(
            f'<tr><td><a href="{html.escape(e["name"])}">{html.escape(e["name"])}</a></td>'
            f'<td>{html.escape(e["title"])}</td><td>{html.escape(e["mediaType"])}</td>'
            f'<td>{e["size"]:,}</td><td><code>{e["sha256"]}</code></td></tr>'
            for e in entries)
        page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(TITLE)}: dumps</title></head>
<body><h1>{html.escape(TITLE)}: dumps</h1>
<p>Build version <code>{html.escape(data.version)}</code>, input files last modified
{data.modified.strftime("%Y-%m-%d %H:%M:%SZ")}.
Licence: <a href="{html.escape(data.license)}">{html.escape(data.license)}</a>.
Dataset description: <a href="{html.escape(base)}/.well-known/void">VoID</a>; checksums:
<a href="SHA256SUMS">SHA256SUMS</a> (<code>sha256sum -c SHA256SUMS</code>).</p>
<table><thead><tr><th>file</th><th>content</th><th>media type</th><th>bytes</th><th>SHA-256</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
"""
        return HTMLResponse(page, headers=headers)
    return JSONResponse({"dataset": f"{base}/.well-known/void#dataset", "version": data.version,
                         "modified": data.modified.strftime("%Y-%m-%dT%H:%M:%SZ"), "license": data.license,
                         "checksums": f"{base}/dumps/SHA256SUMS", "files": entries}, headers=headers)


@router.api_route("/dumps/{name}", methods=["GET", "HEAD"])
def dump_file(request: Request, name: str, graph: GraphDep) -> Response:
    """One dump file of the build being served, with ETag = its SHA-256."""
    data = cache_of(request).get(graph)
    found = data.files.get(name)
    if found is None:
        raise NotFoundError(f"no dump named {name!r}; see /dumps/ for the list")
    return conditional(request, found.content, found.sha256, found.content_type,
                       {"Content-Disposition": f'inline; filename="{found.name}"'})
