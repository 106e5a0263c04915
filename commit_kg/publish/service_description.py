"""The SPARQL Service Description (W3C SD 1.1) of /sparql, with VoID statistics of the default
dataset and its named graphs (the same statistics the VoID description counts, dataset_stats.py)."""

from __future__ import annotations

import rdflib
from rdflib.namespace import DCAT, OWL, RDF, XSD

from ..dataset_stats import GraphStats
from ..federation import USER_AGENT
from ..namespaces import PREFIXES
from ..settings import Settings

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
FORMATS = rdflib.Namespace("http://www.w3.org/ns/formats/")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
SD_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
              "application/rdf+xml": "xml"}
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads", "TriG")
INPUT_FORMATS = ("Turtle", "N-Triples", "N-Quads", "TriG")


def description_graph(stats: list[GraphStats], settings: Settings, base: str, version: str | None = None) -> rdflib.Graph:
    """What the endpoint is and offers: language, result formats, the formats its loader reads,
    the features that hold (federation only when an allow-list is configured), the dataset and the
    build version it serves (as VoID gives it: a reload changes it)."""
    g = rdflib.Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    service = rdflib.URIRef(f"{base}/sparql#service")
    endpoint = rdflib.URIRef(f"{base}/sparql")
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, endpoint))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    if settings.service_allow_list:
        g.add((service, SD.feature, SD.BasicFederatedQuery))
        for allowed in settings.service_allow_list:
            g.add((service, rdflib.RDFS.comment, rdflib.Literal(f"SERVICE allowed to {allowed}", lang="en")))
        g.add((service, rdflib.RDFS.comment, rdflib.Literal(
            f"Read-only. No SPARQL Update. SERVICE reaches only the endpoints listed here, each call within "
            f"{settings.federation_timeout:g} s (else 504 federation_timeout), {settings.federation_max_rows:,} rows "
            f"and {settings.federation_max_bytes:,} bytes (else 502 federation_failed), sent with the User-Agent "
            f"'{USER_AGENT}'. Answers that used SERVICE are not cached. FROM and FROM NAMED name graphs of this "
            "dataset and fetch nothing.", lang="en")))
    else:
        g.add((service, rdflib.RDFS.comment, rdflib.Literal(
            "Read-only. No SPARQL Update. SERVICE (federation) is refused: no endpoint is on the allow-list.",
            lang="en")))
    # SD has no term for predeclared prefixes; SHACL's sh:declare / sh:PrefixDeclaration is the W3C
    # vocabulary for "these prefixes hold in the queries run here".
    g.bind("sh", SH)
    for prefix, namespace in PREFIXES.items():
        declaration = rdflib.BNode(f"prefix-{prefix}")
        g.add((service, SH.declare, declaration))
        g.add((declaration, RDF.type, SH.PrefixDeclaration))
        g.add((declaration, SH.prefix, rdflib.Literal(prefix)))
        g.add((declaration, SH.namespace, rdflib.Literal(namespace, datatype=XSD.anyURI)))
    for name in RESULT_FORMATS:
        g.add((service, SD.resultFormat, FORMATS[name]))
    for name in INPUT_FORMATS:
        g.add((service, SD.inputFormat, FORMATS[name]))
    dataset = rdflib.URIRef(f"{base}/sparql#dataset")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, DCTERMS.title, rdflib.Literal("commit-kg", lang="en")))
    g.add((dataset, VOID.sparqlEndpoint, endpoint))
    if version is not None:
        g.add((dataset, DCAT.version, rdflib.Literal(version)))
        g.add((dataset, OWL.versionInfo, rdflib.Literal(version)))
    default = rdflib.URIRef(f"{base}/sparql#default-graph")
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, RDF.type, VOID.Dataset))
    g.add((default, VOID.triples, rdflib.Literal(stats[0].triples, datatype=XSD.integer)))
    g.add((default, rdflib.RDFS.comment, rdflib.Literal("The default graph is the union of all named graphs.", lang="en")))
    for graph_stats in stats[1:]:
        named, described = rdflib.BNode(), rdflib.BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, rdflib.URIRef(graph_stats.graph)))
        g.add((named, SD.graph, described))
        g.add((described, RDF.type, SD.Graph))
        g.add((described, VOID.triples, rdflib.Literal(graph_stats.triples, datatype=XSD.integer)))
        g.add((described, VOID.classes, rdflib.Literal(len(graph_stats.classes), datatype=XSD.integer)))
        g.add((described, VOID.properties, rdflib.Literal(len(graph_stats.properties), datatype=XSD.integer)))
    return g


def service_description(stats: list[GraphStats], settings: Settings, base: str, media: str,
                        version: str | None = None) -> bytes:
    return description_graph(stats, settings, base, version).serialize(format=SD_FORMATS[media], encoding="utf-8")
