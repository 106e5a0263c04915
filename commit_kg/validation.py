"""SHACL validation with pySHACL, returning a typed result instead of pySHACL's bare tuple."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from .errors import Findings, ShapesError, Violation

SEVERITY_NAMES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}


@dataclass(frozen=True)
class ValidationResult(Findings):
    """What pySHACL found: `conforms` is False only when a `sh:Violation` is present."""

    report: rdflib.Graph
    results: list[Violation] = field(default_factory=list)


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def rdflib_term(term: ox.Term) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return rdflib.Literal(term.value, datatype=None if datatype == XSD_STRING else datatype)


def to_rdflib(quads: list[ox.Quad]) -> rdflib.Graph:
    """Merge quads into one rdflib graph (the union of the named graphs), as pySHACL needs; term by
    term, which is twice as fast as a round trip through N-Triples."""
    graph = rdflib.Graph()
    graph.addN((rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object), graph) for q in quads)
    return graph


def class_hierarchy(ontology: rdflib.Graph) -> rdflib.Graph:
    """The rdfs:subClassOf triples: all that SHACL's class targets and sh:class need of the ontology.
    pySHACL copies its ont_graph into the data graph, so passing only these is faster, same verdict."""
    hierarchy = rdflib.Graph()
    for triple in ontology.triples((None, rdflib.RDFS.subClassOf, None)):
        hierarchy.add(triple)
    return hierarchy


def in_language(graph: rdflib.Graph, node: rdflib.term.Node, predicate: rdflib.URIRef, lang: str) -> str:
    """The value in `lang` (English also takes an untagged value), else the first value, else ''."""
    values = list(graph.objects(node, predicate))
    for value in values:
        if isinstance(value, rdflib.Literal) and (value.language == lang or (lang == "en" and value.language is None)):
            return str(value)
    return str(values[0]) if values and lang == "en" else ""


def read_results(report: rdflib.Graph, shapes: rdflib.Graph) -> list[Violation]:
    """Turn the `sh:ValidationResult` nodes of a report into `Violation` records."""
    results = []
    for node in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        shape = report.value(node, SH.sourceShape)
        results.append(
            Violation(
                severity=SEVERITY_NAMES.get(report.value(node, SH.resultSeverity), "violation"),
                focus_node=str(report.value(node, SH.focusNode)),
                path=str(path) if isinstance(path, rdflib.URIRef) else None,
                value=str(value) if value is not None else None,
                message=in_language(report, node, SH.resultMessage, "en"),
                shape=str(shape),
                name=str(report.value(shape, SH.name) or shapes.value(shape, SH.name) or ""),
                message_th=in_language(report, node, SH.resultMessage, "th"),
            )
        )
    return sorted(results, key=lambda r: (r.severity, r.focus_node, r.shape, r.path or ""))


def validate(data: rdflib.Graph, shapes: rdflib.Graph, ontology: rdflib.Graph) -> ValidationResult:
    """Validate offline: the ontology supplies the class hierarchy, nothing is fetched."""
    import pyshacl  # here, not at import: a start from the build cache never validates (~0.14 s saved)

    _, report, text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=class_hierarchy(ontology),
        inference="none",
        advanced=True,
        allow_warnings=True,
        do_owl_imports=False,
    )
    if not isinstance(report, rdflib.Graph):  # pySHACL's ValidationFailure: the shapes themselves are wrong
        raise ShapesError(f"SHACL shapes could not be used: {text}")
    return ValidationResult(report=report, results=read_results(report, shapes))
