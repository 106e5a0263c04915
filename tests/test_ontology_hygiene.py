"""Ontology hygiene in the manner of FIBO's checks: every term labelled, defined, ours, and used as declared."""

from __future__ import annotations

import re

import pytest
from support import rows

from commit_kg.namespaces import CK, ONTOLOGY
from commit_kg.settings import PROJECT_ROOT

TERMS = f"""PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?term WHERE {{
  VALUES ?kind {{ owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty owl:NamedIndividual }}
  ?term a ?kind FILTER (STRSTARTS(STR(?term), "{CK}")) }}"""


@pytest.fixture(scope="module")
def terms(store) -> list[str]:
    found = [r["term"] for r in rows(store, TERMS)]
    assert len(found) > 40
    return found


def test_every_term_has_english_and_thai_label(store, terms):
    for term in terms:
        langs = {r["l"] for r in rows(store, f"SELECT (lang(?x) AS ?l) WHERE {{ <{term}> rdfs:label ?x }}")}
        assert {"en", "th"} <= langs, f"{term} lacks a label in {({'en', 'th'} - langs)}"


def test_every_term_has_exactly_one_english_definition(store, terms):
    for term in terms:
        found = rows(store, f"SELECT ?d WHERE {{ <{term}> skos:definition ?d FILTER(lang(?d) = 'en') }}")
        assert len(found) == 1, f"{term} has {len(found)} English definitions"


def test_every_term_is_defined_by_the_ontology(store, terms):
    for term in terms:
        found = [r["o"] for r in rows(store, f"SELECT ?o WHERE {{ <{term}> rdfs:isDefinedBy ?o }}")]
        assert found == [ONTOLOGY], f"{term} rdfs:isDefinedBy {found}"


def test_no_two_terms_share_a_label(store):
    dupes = rows(store, f"""SELECT ?label (COUNT(DISTINCT ?t) AS ?n) WHERE {{
        ?t rdfs:label ?label FILTER (STRSTARTS(STR(?t), "{CK}")) }} GROUP BY ?label HAVING (COUNT(DISTINCT ?t) > 1)""")
    assert dupes == []


def test_ontology_header_has_a_version_iri(store):
    found = rows(store, f"SELECT ?v WHERE {{ <{ONTOLOGY}> owl:versionIRI ?v ; owl:versionInfo ?i }}")
    assert len(found) == 1 and found[0]["v"].startswith(ONTOLOGY + "/")


def used_ck_terms(text: str) -> set[str]:
    """ck: terms written as prefixed names or full IRIs in Turtle or SPARQL text."""
    names = set(re.findall(r"(?<![\w/#])ck:([A-Za-z][\w-]*)", text))
    names |= set(re.findall(re.escape(CK) + r"([A-Za-z][\w-]*)", text))
    return {CK + n for n in names}


@pytest.mark.parametrize("folder", ["data", "shapes", "queries"])
def test_no_undeclared_ck_term_is_used(terms, folder):
    used: set[str] = set()
    for path in (PROJECT_ROOT / folder).rglob("*"):
        if path.suffix in (".ttl", ".rq"):
            used |= used_ck_terms(path.read_text(encoding="utf-8"))
    assert used, f"no ck: term found in {folder}/"
    assert sorted(used - set(terms)) == []


def test_data_uses_no_undeclared_ck_term_in_the_graph(store, terms):
    used = {r["t"] for r in rows(store, f"""SELECT DISTINCT ?t WHERE {{
        {{ ?s ?t ?o }} UNION {{ ?s a ?t }} FILTER (STRSTARTS(STR(?t), "{CK}")) }}""")}
    assert sorted(used - set(terms)) == []
