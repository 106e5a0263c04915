"""Every fact about the world says where it comes from and how firmly it is held (issue 8, section 5).

A fact node is any instance of the classes below, in every data file: plans and their parts, lineage,
the process and its actors, meetings, instruments, laws and assessments. Each must cite a source, each
citation must be checkable (seed lines, or a web page with the words read there), and each node must carry
one confidence from the code list.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from support import rows

from commit_kg.namespaces import ID

PREFIX = """PREFIX ck: <https://w3id.org/commit-kg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

# Classes whose instances carry facts about the world (subclasses are found through rdfs:subClassOf*).
FACT_CLASSES = (
    "ck:Plan", "ck:ProjectProposalConcept", "ck:PlanActivity", "ck:Objective", "ck:Goal", "ck:ProgressStatement",
    "ck:MonitoringItem", "ck:ThematicArea", "ck:PPCDerivation", "ck:CooperationProcess", "ck:Country",
    "ck:NationalTaskforce", "org:Organization", "ck:SecretariatTerm", "ck:Meeting", "ck:LegalInstrument",
    "ck:Participation", "ck:ReservationOrDeclaration", "ck:Claim", "ck:NationalLegislation",
    "ck:CriterionAssessment", "ck:LegalFrameworkCriterion",
)
CONFIDENCES = {f"{ID}confidence/{c}" for c in ("confirmed", "partial", "high", "medium", "low")}
SEED = f"{ID}source/spa2-overview-th"


def instances(store, classes: tuple[str, ...]) -> set[str]:
    found = rows(store, PREFIX + f"""SELECT DISTINCT ?x WHERE {{
        VALUES ?kind {{ {' '.join(classes)} }} ?t rdfs:subClassOf* ?kind . ?x a ?t FILTER(isIRI(?x)) }}""")
    return {r["x"] for r in found}


@pytest.fixture(scope="module")
def facts(store) -> set[str]:
    found = instances(store, FACT_CLASSES)
    assert len(found) > 400, "the fact classes should find the graph's facts"
    return found


def test_the_nodes_issue_8_names_are_fact_nodes(facts):
    named = [f"{ID}meeting/{m}" for m in ("imm1", "imm2", "imm3", "imm4", "som5", "som6", "som7", "som8", "som9",
                                           "som10", "som11", "som14")]
    named += [f"{ID}country/{c}" for c in ("KHM", "CHN", "LAO", "MMR", "THA", "VNM")]
    named += [f"{ID}organization/taskforce-{c}" for c in ("KHM", "CHN", "LAO", "MMR", "THA", "VNM")]
    named += [f"{ID}organization/uniap", f"{ID}process/commit", f"{ID}plan/spa2"]
    assert set(named) <= facts, set(named) - facts


def test_every_fact_node_cites_a_source(store, facts):
    cited = {r["x"] for r in rows(store, PREFIX + "SELECT DISTINCT ?x WHERE { ?x dcterms:source ?s }")}
    assert sorted(facts - cited) == []


def test_every_fact_node_has_one_confidence_from_the_code_list(store):
    nodes = instances(store, FACT_CLASSES)
    found = rows(store, PREFIX + f"""SELECT ?x ?c WHERE {{
        VALUES ?kind {{ {' '.join(FACT_CLASSES)} }} ?t rdfs:subClassOf* ?kind . ?x a ?t ; ck:confidence ?c }}""")
    values: dict[str, set[str]] = defaultdict(set)
    for r in found:
        values[r["x"]].add(r["c"])
    missing = sorted(n for n in nodes if n not in values)
    several = sorted(n for n, v in values.items() if len(v) != 1)
    unknown = sorted(n for n, v in values.items() if not v <= CONFIDENCES)
    assert (missing, several, unknown) == ([], [], [])


def test_every_citation_is_seed_lines_or_quoted_web_words(store):
    """A seed citation gives its lines in the seed; any other gives the page's words (ck:quote).
    The failure names each unquoted citation with the fact nodes that rely on it."""
    found = rows(store, PREFIX + """SELECT ?x ?s ?doc ?a ?b ?q WHERE { ?x dcterms:source ?s .
        OPTIONAL { ?s ck:inDocument ?doc } OPTIONAL { ?s ck:lineStart ?a } OPTIONAL { ?s ck:lineEnd ?b }
        OPTIONAL { ?s ck:quote ?q } }""")
    assert found
    unchecked: dict[str, set[str]] = defaultdict(set)
    for r in found:
        if r["x"] == SEED:  # the seed document's own record cites its title lines
            continue
        seed_lines = r.get("doc") == SEED and "a" in r and "b" in r
        quoted = r.get("doc", SEED) != SEED and r.get("q", "").strip() != ""
        if not (seed_lines or quoted):
            unchecked[r["s"]].add(r["x"])
    report = {s.removeprefix(ID): sorted(x.removeprefix(ID) for x in xs) for s, xs in sorted(unchecked.items())}
    assert report == {}


def test_no_fact_node_rests_only_on_unquoted_web_pages(store, facts):
    """The narrower form of the check above: a node none of whose sources can be checked at all."""
    found = rows(store, PREFIX + """SELECT ?x (SUM(IF(EXISTS { ?s ck:lineStart ?a } || EXISTS { ?s ck:quote ?q }, 1, 0))
        AS ?checkable) WHERE { ?x dcterms:source ?s } GROUP BY ?x""")
    bare = sorted(r["x"].removeprefix(ID) for r in found if r["x"] in facts and int(r["checkable"]) == 0)
    assert bare == []


def test_quotes_carry_their_language(store):
    untagged = rows(store, PREFIX + "SELECT ?s WHERE { ?s ck:quote ?q FILTER(lang(?q) = '') }")
    assert untagged == []
