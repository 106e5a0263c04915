"""Benchmark: SHACL validation of the whole graph, and the same date-order rule as a core constraint
over what the build derives versus a SPARQL-based constraint (design section 7), measured in one
process on the same graph. Prints a JSON record and writes it to bench/results/validation.json.

Run: python3 -m bench.validation (or python3 bench/validation.py) [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time

import pyoxigraph as ox
import rdflib

try:
    from bench.results_file import publish
except ImportError:  # run as a script, `python3 bench/validation.py`
    from results_file import publish  # type: ignore[no-redef]

from commit_kg.build import quads_of
from commit_kg.derive import date_order, derive
from commit_kg.loading import parse_folder
from commit_kg.settings import Settings
from commit_kg.store import EmbeddedStore
from commit_kg.validation import to_rdflib, validate

# One resource with its dates out of order, so both versions of the rule have something to find.
BAD = ox.NamedNode("https://w3id.org/commit-kg/id/bench/out-of-order")
CK = "https://w3id.org/commit-kg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ck: <https://w3id.org/commit-kg/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix b: <https://w3id.org/commit-kg/bench#> .
"""
DATED = "sh:targetSubjectsOf ck:signedOn , ck:entryIntoForceOn , ck:adoptedOn , ck:ratifiedOn , ck:depositedOn , ck:accededOn , ck:startDate ;"
CORE_RULE = PREFIXES + f"""b:DateOrderCore a sh:NodeShape ; {DATED}
  sh:property [ sh:path ck:dateOrderProblem ; sh:maxCount 0 ; sh:message "Dates out of order"@en ] ."""
SPARQL_RULE = PREFIXES + f"""b:DateOrderSparql a sh:NodeShape ; {DATED}
  sh:sparql [ a sh:SPARQLConstraint ; sh:message "Dates out of order"@en ; sh:prefixes b:prefixes ;
    sh:select \"\"\"SELECT $this ?value WHERE {{
      $this ?earlier ?a ; ?later ?b .
      FILTER ((?earlier = ck:signedOn && ?later IN (ck:entryIntoForceOn, ck:ratifiedOn))
           || (?earlier = ck:adoptedOn && ?later = ck:entryIntoForceOn)
           || (?earlier = ck:ratifiedOn && ?later = ck:depositedOn)
           || (?earlier IN (ck:depositedOn, ck:accededOn) && ?later = ck:entryIntoForceOn)
           || (?earlier = ck:startDate && ?later = ck:endDate))
      BIND (CONCAT(STR(?a), SUBSTR("0000-01-01", STRLEN(STR(?a)) + 1)) AS ?first_a)
      BIND (CONCAT(STR(?b), SUBSTR("9999-12-31", STRLEN(STR(?b)) + 1)) AS ?last_b)
      FILTER (?first_a > ?last_b) BIND (?a AS ?value) }}\"\"\" ] .
b:prefixes owl:imports sh: ; sh:declare [ sh:prefix "ck" ; sh:namespace "https://w3id.org/commit-kg/ontology#"^^xsd:anyURI ] ."""


def timed(action, repeat: int) -> float:
    """The median of `repeat` wall-clock runs, in seconds."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sparql-repeat", type=int, default=1, help="the SPARQL rule is slow: fewer runs")
    args = parser.parse_args()
    settings = Settings()
    ontology = parse_folder("ontology", settings.ontology_dir)
    data = parse_folder("data", settings.data_dir)
    shapes = parse_folder("shapes", settings.shapes_dir)
    bad = [ox.Quad(BAD, ox.NamedNode(CK + "signedOn"), ox.Literal("2010", datatype=ox.NamedNode(XSD + "gYear"))),
           ox.Quad(BAD, ox.NamedNode(CK + "entryIntoForceOn"), ox.Literal("2009-05-01", datatype=ox.NamedNode(XSD + "date")))]
    store = ox.Store()
    store.extend(quads_of(ontology) + quads_of(data) + bad)
    derived = derive(store, settings.reference_days())
    data_graph, shapes_graph = to_rdflib(quads_of(data) + bad + derived), to_rdflib(quads_of(shapes))
    ontology_graph = to_rdflib(quads_of(ontology))
    core = rdflib.Graph().parse(data=CORE_RULE, format="turtle")
    sparql = rdflib.Graph().parse(data=SPARQL_RULE, format="turtle")

    whole = timed(lambda: validate(data_graph, shapes_graph, ontology_graph), args.repeat)
    derivation = timed(lambda: date_order(EmbeddedStore(store)), args.repeat)
    core_rule = timed(lambda: validate(data_graph, core, ontology_graph), args.repeat)
    sparql_rule = timed(lambda: validate(data_graph, sparql, ontology_graph), args.sparql_repeat)
    found_core = {r.focus_node for r in validate(data_graph, core, ontology_graph).results}
    found_sparql = {r.focus_node for r in validate(data_graph, sparql, ontology_graph).results}
    record = {
        "triples_validated": len(data_graph),
        "shapes_triples": len(shapes_graph),
        "whole_graph_validation_s": round(whole, 3),
        "date_order_derivation_s": round(derivation, 3),
        "date_order_core_over_derived_s": round(core_rule, 3),
        "date_order_sparql_constraint_s": round(sparql_rule, 3),
        "sparql_over_core_ratio": round(sparql_rule / (core_rule + derivation), 1),
        "both_find_the_same_nodes": found_core == found_sparql == {BAD.value},
        "repeat": args.repeat,
    }
    publish("validation", record)


if __name__ == "__main__":
    main()
