"""The VoID + DCAT description of the dataset (/.well-known/void), from the statistics and dump files of
one build (see dumps.py)."""

from __future__ import annotations

import pyoxigraph as ox

from ..dataset_stats import GraphStats
from ..namespaces import GRAPH, ID, ONTOLOGY, PREFIXES
from .canonical import quad_key, sha256
from .dumps import DatasetFiles
from .jsonld import to_jsonld
from .linksets import linkset_quads

RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
OWL = PREFIXES["owl"]
XSD = PREFIXES["xsd"]
DCTERMS = PREFIXES["dcterms"]
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
FOAF = "http://xmlns.com/foaf/0.1/"
SPDX = "http://spdx.org/rdf/terms#"
IANA = "https://www.iana.org/assignments/media-types/"
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
    out.extend(linkset_quads(data.linksets, dataset, base))
    # Each triple once (void:feature repeats for the two JSON-LD files, say), in a stable order.
    return sorted(dict.fromkeys(out), key=quad_key)


def render_void(data: DatasetFiles, base: str, media: str) -> tuple[bytes, str]:
    """The VoID document for `base` in `media` and its SHA-256, rendered once per build."""

    def render() -> tuple[bytes, str]:
        quads = void_quads(data, base)
        if media == "application/ld+json":
            body = to_jsonld(quads, VOID_PREFIXES, VOID_PREFIXES)
        else:
            body = ox.serialize([q.triple for q in quads], format=VOID_FORMATS[media],
                                prefixes=VOID_PREFIXES if media != "application/n-triples" else None)
        return body, sha256(body)

    return data.void.get((base, media), render)
