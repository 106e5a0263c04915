"""Parameters are written into a query's text as constants (`EmbeddedStore.query`, through
`sparql_text.substitute`), not given to pyoxigraph as `substitutions`, which its planner does not see
as constants (pair-instruments 3-4 times slower at world scale). Every named and internal query, with
every value of its parameters that the graph offers (a sample of the resources for the resource pages'
queries), must answer exactly what pyoxigraph's own substitutions answer."""

from __future__ import annotations

import datetime
import itertools

import pyoxigraph as ox
import pytest

from commit_kg.build import BuiltGraph
from commit_kg.catalogue import Catalogue, NamedQuery, Parameter
from commit_kg.namespaces import PREFIXES
from commit_kg.store import EmbeddedStore

CK = "https://w3id.org/commit-kg/ontology#"
# Instances that the internal queries' untyped `iri` parameters are about, beyond the sample of resources.
ABOUT = {"doc": f"?x a <{CK}SourceDocument>", "plan": f"?x a <{CK}Plan>", "ppc": f"?x a <{CK}ProjectProposalConcept>",
         "law": f"?a <{CK}assessesLaw> ?x"}
DAYS = ["1990-01-01", "2004-06-01", "2010-12-31", "2017-03-08", datetime.date.today().isoformat()]


def iris(graph: BuiltGraph, pattern: str) -> list[ox.NamedNode]:
    solutions = graph.store.query(f"SELECT DISTINCT ?x WHERE {{ {pattern} FILTER isIRI(?x) }} ORDER BY ?x",
                                  use_default_graph_as_union=True)
    return [s["x"] for s in solutions]


def terms(graph: BuiltGraph, parameter: Parameter) -> list[ox.Term]:
    if parameter.type == "iri" and parameter.rdf_class:
        return iris(graph, f"?x a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{CK}{parameter.rdf_class}>")
    if parameter.type == "iri":
        sample = iris(graph, "?x ?p ?o")[::5]  # every fifth resource: a few hundred, of every kind
        return sample + iris(graph, ABOUT[parameter.name]) if parameter.name in ABOUT else sample
    if parameter.type == "date":
        return [ox.Literal(day, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")) for day in DAYS]
    if parameter.allowed:
        return [parameter.to_term(value) for value in parameter.allowed]
    if parameter.type == "integer":
        return [parameter.to_term(value) for value in ("0", "1", "2", "3")]
    codes = [s["c"] for s in graph.store.query(f"SELECT ?c WHERE {{ ?x <{CK}iso3166Alpha3> ?c }}",
                                                use_default_graph_as_union=True)]
    return [*codes, ox.Literal("XXX")]


def answer(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> object:
    """Comparable: rows as sorted tuples (ties in ORDER BY may come out in either order), or triples as a set."""
    if isinstance(result, ox.QueryTriples):
        return {str(t) for t in result}
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    names = [v.value for v in result.variables]
    return sorted(tuple(str(s[n]) if s[n] is not None else "" for n in names) for s in result)


def queries() -> list[NamedQuery]:
    from commit_kg.settings import Settings

    catalogue = Catalogue(Settings().queries_dir)
    return [q for q in [*catalogue.queries.values(), *catalogue.internal.values()] if q.parameters]


@pytest.mark.parametrize("query", queries(), ids=lambda q: q.name)
def test_values_in_the_text_answer_as_pyoxigraphs_substitutions_do(graph: BuiltGraph, query: NamedQuery):
    embedded = EmbeddedStore(graph.store)
    tried, rows = 0, 0
    for combination in itertools.product(*(terms(graph, p) for p in query.parameters)):
        bound = {ox.Variable(p.name): term for p, term in zip(query.parameters, combination)}
        theirs = answer(graph.store.query(query.text, prefixes=PREFIXES, substitutions=bound,
                                          use_default_graph_as_union=True))
        ours = answer(embedded.query(query.text, substitutions=bound))
        assert ours == theirs, (query.name, {v.value: str(t) for v, t in bound.items()})
        tried += 1
        rows += len(ours) if isinstance(ours, list | set) else 1
    assert tried >= 3 and rows > 0, (tried, rows)  # the values reached answers, not only empty ones
