"""The queries every endpoint in the HTTP benchmark answers: plain SPARQL texts that declare their own
prefixes (peers know none of ours) and bind the named queries' parameters in the text (peers have no
substitution API), so the three engines do the same work on the same quads."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from commit_kg.catalogue import Catalogue
from commit_kg.sparql_text import substitute

RDFS = "http://www.w3.org/2000/01/rdf-schema#"

EMPTY_KEYS = re.compile(r"\b(GROUP|ORDER)\s+BY\s*(\}|GROUP|ORDER|HAVING|LIMIT|OFFSET|VALUES|$)", re.I)


@dataclass(frozen=True)
class BenchQuery:
    name: str
    sparql: str
    named: str | None = None  # the named query it comes from
    params: tuple[tuple[str, str], ...] = ()  # and its parameters, as the REST API takes them


def bind_in_text(text: str, terms: dict[str, str]) -> str:
    """Each parameter's term in place of its variable, as the service binds it (`sparql_text.substitute`),
    but with a GROUP BY / ORDER BY key on a parameter left out: rdflib-endpoint cannot evaluate a
    constant key."""
    bound = substitute(text, terms, drop_keys=True)
    if EMPTY_KEYS.search(bound):
        raise ValueError("a GROUP BY or ORDER BY on parameters only: bind them some other way")
    return bound


def without_header(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("#+")).strip() + "\n"


def named(catalogue: Catalogue, name: str, **values: str) -> BenchQuery:
    """A named query with its parameters written into the text (terms as the catalogue binds them)."""
    query = catalogue.get(name)
    terms = {variable.value: str(term) for variable, term in query.bind(values).items()}
    return BenchQuery(name, bind_in_text(without_header(query.text), terms), name, tuple(values.items()))


def query_set(queries_dir: Path, as_of: datetime.date | None = None) -> list[BenchQuery]:
    """A label lookup, the two named queries of the issue, a count by class, and the coverage matrix."""
    catalogue = Catalogue(queries_dir)
    day = (as_of or datetime.date.today()).isoformat()
    return [
        BenchQuery("label lookup", f'PREFIX rdfs: <{RDFS}>\nSELECT ?thing WHERE {{ ?thing rdfs:label "Thailand"@en }}\n'),
        named(catalogue, "pair-instruments", country_a="country/THA", country_b="country/VNM"),
        BenchQuery("count by class", "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class\n"),
        named(catalogue, "coverage-gaps", kind="cooperation-kind/mla", as_of=day, min_rank="2"),
    ]


def parses(query: BenchQuery) -> bool:
    """True when the text is a query on its own: no predeclared prefix, no substitution needed."""
    ox.Store().query(query.sparql)
    return True
