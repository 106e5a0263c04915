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

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
TOKEN = re.compile(r"""(?P<comment>\#[^\n]*)|(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<iri><[^<>"{}|^`\\\s]*>)|(?P<var>[?$][A-Za-z_][A-Za-z0-9_]*)|(?P<word>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<open>\()|(?P<close>\))|(?P<brace>[{}])""", re.X)

EMPTY_KEYS = re.compile(r"\b(GROUP|ORDER)\s+BY\s*(\}|GROUP|ORDER|HAVING|LIMIT|OFFSET|VALUES|$)", re.I)


@dataclass(frozen=True)
class BenchQuery:
    name: str
    sparql: str
    named: str | None = None  # the named query it comes from
    params: tuple[tuple[str, str], ...] = ()  # and its parameters, as the REST API takes them


def bind_in_text(text: str, terms: dict[str, str]) -> str:
    """Put each parameter's term in place of its variable, as pyoxigraph's substitutions do: a projected
    variable becomes `(term AS ?v)` (in a subquery's SELECT list it is dropped: the query around it
    binds the same term, and a second binding would clash), a GROUP BY / ORDER BY key on it is dropped
    (a constant key changes neither groups nor order; rdflib cannot evaluate one), any other use becomes
    the term. Knows comments, strings and IRIs, so a `?` or `#` inside them is left alone."""
    out, last, clause, depth, select_depth, braces, subquery = [], 0, "body", 0, 0, 0, False
    for match in TOKEN.finditer(text):
        kind, token = match.lastgroup, match.group()
        replacement = token
        if kind == "word":
            upper = token.upper()
            if upper == "SELECT":
                clause, select_depth, subquery = "select", depth, braces > 0
            elif upper == "WHERE" and clause == "select":
                clause = "body"
            elif upper in ("GROUP", "ORDER", "HAVING"):
                clause = "modifier"
        elif kind == "brace":
            clause = "body"
            braces += 1 if token == "{" else -1
        elif kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "var" and token[1:] in terms:
            term = terms[token[1:]]
            if clause == "select" and depth == select_depth:
                replacement = "" if subquery else f"({term} AS {token})"
            elif clause == "modifier" and depth == 0:
                replacement = ""
            else:
                replacement = term
        out.append(text[last:match.start()] + replacement)
        last = match.end()
    bound = "".join(out) + text[last:]
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
