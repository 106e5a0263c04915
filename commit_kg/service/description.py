"""The SPARQL Service Description (W3C SD 1.1) of /sparql, with VoID statistics of the default
dataset and its named graphs, and the HTML query page a browser gets instead."""

from __future__ import annotations

import html

import rdflib
from rdflib.namespace import RDF, XSD

from ..build import BuiltGraph
from ..dataset_stats import statistics
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


def description_graph(graph: BuiltGraph, settings: Settings, base: str) -> rdflib.Graph:
    """What the endpoint is and offers: language, result formats, the formats its loader reads,
    the features that hold (federation only when an allow-list is configured), the dataset."""
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
    stats = statistics(graph.store)
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


def service_description(graph: BuiltGraph, settings: Settings, base: str, media: str) -> bytes:
    return description_graph(graph, settings, base).serialize(format=SD_FORMATS[media], encoding="utf-8")


def query_page(base: str) -> str:
    """A plain query form for browsers; it posts to the endpoint and needs no script."""
    endpoint = html.escape(f"{base}/sparql")
    prefixes = "\n".join(f"<tr><td><code>{html.escape(name)}:</code></td><td><code>{html.escape(namespace)}</code></td></tr>"
                         for name, namespace in PREFIXES.items())
    example = html.escape("""SELECT ?ppc ?title WHERE {
  ?ppc dcterms:isPartOf <https://w3id.org/commit-kg/id/plan/spa2> ; rdfs:label ?title .
  FILTER (lang(?title) = "en")
}""")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>commit-kg SPARQL endpoint</title></head>
<body><h1>commit-kg SPARQL endpoint</h1>
<p>SPARQL 1.1 query endpoint at <code>{endpoint}</code> (read-only). Ask for
<code>text/turtle</code> to get its Service Description.</p>
<form method="post" action="{endpoint}">
<p><textarea name="query" rows="12" cols="90">{example}</textarea></p>
<p><label>Results as <select name="format">
<option value="json">SPARQL JSON</option><option value="xml">SPARQL XML</option>
<option value="csv">CSV</option><option value="tsv">TSV</option></select></label>
<button type="submit">Run</button></p></form>
<h2 id="prefixes">Predeclared prefixes</h2>
<p>These prefixes hold in every query without a <code>PREFIX</code> line (a query's own
<code>PREFIX</code> wins). The Service Description lists them too (<code>sh:declare</code>).</p>
<table><thead><tr><th>prefix</th><th>namespace</th></tr></thead><tbody>
{prefixes}
</tbody></table></body></html>"""
