"""Every SHACL rule on its own: a valid and an invalid fixture for each, and the invalid one must give
exactly that rule's result, with its severity, its name and its messages in English and Thai.

A rule is a shape that carries sh:message: a property shape inside a node shape, or a node shape with
its own constraint (the completeness and legal-gap shapes). Each rule is validated in a shapes graph of
its own (its parent's targets and the rule, nothing else), so a fixture tests one rule and a message
that says something its constraint does not check shows up as a failing fixture. The integrity rules'
fixtures are written by hand below; the 60 coverage-pair rules and the 10 criterion rules follow one
pattern and are generated from the countries and criteria they name.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import pytest
import rdflib
from rdflib.namespace import RDF, RDFS, SH

from commit_kg.namespaces import CK, ID
from commit_kg.settings import PROJECT_ROOT
from commit_kg.validation import SEVERITY_NAMES, validate

SHAPES_DIR = PROJECT_ROOT / "shapes"
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
DATA_DIR = PROJECT_ROOT / "data"

TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)

HEADER = f"""@base <{ID}> .
@prefix ck:      <{CK}> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
"""


# ---- the rules, read from shapes/ once ---------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    name: str
    node: rdflib.term.Node          # the shape with sh:message
    parent: rdflib.term.Node | None  # the node shape holding it, None for a node-level rule
    file: str


def read_shapes() -> tuple[rdflib.Graph, list[Rule]]:
    graph = rdflib.Graph()
    rules = []
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        own = rdflib.Graph().parse(path, format="turtle")
        for node in sorted(set(own.subjects(SH.message, None)), key=str):
            parents = list(own.subjects(SH.property, node))
            assert len(parents) <= 1, f"{path.name}: a rule shared by several node shapes"
            rules.append(Rule(str(own.value(node, SH.name) or f"<unnamed {node}>"), node,
                              parents[0] if parents else None, path.name))
        graph += own  # blank nodes stay distinct across files
    return graph, rules


SHAPES, RULES = read_shapes()
RULE_BY_NAME = {rule.name: rule for rule in RULES}


def copy_closure(source: rdflib.Graph, target: rdflib.Graph, node: rdflib.term.Node,
                 skip: frozenset = frozenset()) -> None:
    """Copy the triples of `node`, following blank nodes (nested shapes, RDF lists) all the way."""
    for p, o in source.predicate_objects(node):
        if p in skip:
            continue
        target.add((node, p, o))
        if isinstance(o, rdflib.BNode):
            copy_closure(source, target, o)


def isolated(rule: Rule) -> rdflib.Graph:
    """A shapes graph with only this rule: its parent's targets and the rule itself."""
    graph = rdflib.Graph()
    if rule.parent is None:
        copy_closure(SHAPES, graph, rule.node, skip=frozenset({SH.property}))
    else:
        for p in (RDF.type, *TARGETS):
            for o in SHAPES.objects(rule.parent, p):
                graph.add((rule.parent, p, o))
        graph.add((rule.parent, SH.property, rule.node))
        copy_closure(SHAPES, graph, rule.node)
    return graph


def messages(rule: Rule) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for value in SHAPES.objects(rule.node, SH.message):
        found.setdefault(getattr(value, "language", None) or "", []).append(str(value))
    return found


def severity(rule: Rule) -> str:
    return SEVERITY_NAMES[SHAPES.value(rule.node, SH.severity)]


# ---- fixtures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """Fixtures for one rule: data that passes it, data that breaks it once, on `focus` (relative to
    id/), with `value` (relative) as sh:value when given; `severity` is what the rule must declare."""

    focus: str
    valid: tuple[str, ...]
    invalid: tuple[str, ...]
    severity: str = "violation"
    value: str | None = None


def case(focus: str, valid: str | tuple[str, ...], invalid: str | tuple[str, ...], **kw) -> Case:
    as_tuple = (lambda x: (x,) if isinstance(x, str) else tuple(x))
    return Case(focus, as_tuple(valid), as_tuple(invalid), **kw)


KHM = """<country/KHM> a ck:Country ;
    rdfs:label "Cambodia"@en , "กัมพูชา"@th ; skos:prefLabel "Cambodia"@en , "กัมพูชา"@th ;
    ck:iso3166Alpha2 "KH" ; ck:iso3166Alpha3 "KHM" ; ck:unM49 "116" ;
    owl:sameAs <http://www.wikidata.org/entity/Q424> .
"""
ACTIVITY = "<plan/spa2/activity/4.8> a ck:PlanActivity "
LINK_NODE = "<link/country/KHM/wikidata> a ck:ExternalLink "
LINK = LINK_NODE + """;
    ck:linkTarget <http://www.wikidata.org/entity/Q424> ;
    ck:linkPredicate "http://www.w3.org/2002/07/owl#sameAs"^^xsd:anyURI ;
    ck:linkBasis ck:VerifiedLink ; ck:confidence <confidence/high> .
<country/KHM> ck:qualifiedLink <link/country/KHM/wikidata> .
"""
GOAL = "<plan/spa2/ppc/4/goal/4> a ck:Goal "
DERIVATION = "<lineage/spa2-4--spa2005r-2> "
MOU = "<instrument/commit-mou-2004> "
PARTICIPATION = "<participation/untoc-2000/THA> a ck:Participation "
CITATION = "<source/spa2-overview-th/L146> a ck:SourceCitation ; ck:inDocument <source/spa2-overview-th> "
CLAIM = "<claim/untoc-2000-THA-entry-into-force> a ck:Claim "
LAW = "<law/tha-anti-trafficking-act-2008> a ck:NationalLegislation "
ASSESSMENT = "<assessment/THA/1/2009-12-31> a ck:CriterionAssessment "
COVERAGE_STATUS = "<coverage-status/KHM-THA/mla/2010-12-31> a ck:CoverageStatus "
TYPED = """<plan/spa2> a ck:Plan . <plan/spa2/ppc/4> a ck:ProjectProposalConcept .
<plan/spa2005r> a ck:Plan . <plan/spa2005r/ppc/2> a ck:ProjectProposalConcept ; dcterms:isPartOf <plan/spa2005r> . <country/THA> a ck:Country .
<criterion/1> a ck:LegalFrameworkCriterion .
"""


def bilingual(subject: str, prop: str) -> tuple[str, tuple[str, ...]]:
    """Valid: once in English and once in Thai; invalid: only English, twice English, a third language."""
    return (f'{subject}; {prop} "Hold a regional meeting."@en , "จัดการประชุมระดับภูมิภาค"@th .',
            (f'{subject}; {prop} "Hold a regional meeting."@en .',
             f'{subject}; {prop} "Hold a regional meeting."@en , "Meet once a year."@en .',
             f'{subject}; {prop} "Hold a regional meeting."@en , "จัดการประชุมระดับภูมิภาค"@th , "Réunion."@fr .'))


INTEGRITY: dict[str, Case] = {
    # sourced facts and labels
    "source": case(
        "plan/spa2",
        "<plan/spa2> a ck:Plan ; dcterms:source <source/spa2-overview-th/L1> .",
        ("<plan/spa2> a ck:Plan .", '<plan/spa2> a ck:Plan ; dcterms:source "the SPA II overview" .')),
    "English label": case(
        "country/KHM", KHM,
        ('<country/KHM> a ck:Country ; rdfs:label "กัมพูชา"@th , "កម្ពុជា"@km .',
         '<country/KHM> a ck:Country ; rdfs:label "Cambodia"@en , "Kingdom of Cambodia"@en , "กัมพูชา"@th .')),
    "Thai label": case(
        "country/KHM", KHM,
        ('<country/KHM> a ck:Country ; rdfs:label "Cambodia"@en .',
         '<country/KHM> a ck:Country ; rdfs:label "Cambodia"@en , "กัมพูชา"@th , "ราชอาณาจักรกัมพูชา"@th .')),
    "English preferred label": case(
        "country/KHM", KHM,
        '<country/KHM> a ck:Country ; rdfs:label "กัมพูชา"@th ; skos:prefLabel "กัมพูชา"@th .'),
    "prefLabel equals label": case(
        "country/KHM", KHM,
        '<country/KHM> a ck:Country ; rdfs:label "Cambodia"@en , "กัมพูชา"@th ; skos:prefLabel "Cambodia"@en .'),
    # plans, PPCs, activities
    "plan notation": case(
        "plan/spa2", '<plan/spa2> a ck:Plan ; skos:notation "SPA II" .',
        ("<plan/spa2> a ck:Plan .", '<plan/spa2> a ck:Plan ; skos:notation "SPA II" , "SPA 2" .')),
    "plan start": case(
        "plan/spa2", ('<plan/spa2> a ck:Plan ; ck:startDate "2008"^^xsd:gYear .',
                      '<plan/spa2> a ck:Plan ; ck:startDate "2008-01-01"^^xsd:date .'),
        ('<plan/spa2> a ck:Plan ; ck:startDate "2008" .',
         '<plan/spa2> a ck:Plan ; ck:startDate "2008"^^xsd:gYear , "2008-01"^^xsd:gYearMonth .')),
    "plan end": case(
        "plan/spa2", '<plan/spa2> a ck:Plan ; ck:endDate "2010-12"^^xsd:gYearMonth .',
        ('<plan/spa2> a ck:Plan ; ck:endDate "end of 2010" .',
         '<plan/spa2> a ck:Plan ; ck:endDate "2010"^^xsd:gYear , "2010-12-31"^^xsd:date .')),
    "PPC in one plan": case(
        "plan/spa2/ppc/4", TYPED + "<plan/spa2/ppc/4> dcterms:isPartOf <plan/spa2> .",
        (TYPED + "<plan/spa2/ppc/4> dcterms:isPartOf <plan/spa3> .",
         TYPED + "<plan/spa2/ppc/4> skos:notation \"4\" .")),
    "PPC number": case(
        "plan/spa2/ppc/4", '<plan/spa2/ppc/4> a ck:ProjectProposalConcept ; skos:notation "4" .',
        ('<plan/spa2/ppc/4> a ck:ProjectProposalConcept ; skos:notation "04" .',
         '<plan/spa2/ppc/4> a ck:ProjectProposalConcept ; skos:notation "4" , "5" .')),
    "lineage target exists": case(
        "plan/spa2/ppc/4", TYPED + "<plan/spa2/ppc/4> prov:wasDerivedFrom <plan/spa2005r/ppc/2> .",
        TYPED + "<plan/spa2/ppc/4> prov:wasDerivedFrom <plan/spa2005r/ppc/99> ."),
    "activity in one PPC": case(
        "plan/spa2/activity/4.8", TYPED + ACTIVITY + "; dcterms:isPartOf <plan/spa2/ppc/4> .",
        (TYPED + ACTIVITY + "; dcterms:isPartOf <plan/spa2> .", TYPED + ACTIVITY + ".")),
    "activity code": case(
        "plan/spa2/activity/4.8", ACTIVITY + '; skos:notation "4.8" .',
        (ACTIVITY + '; skos:notation "4-8" .', ACTIVITY + ".")),
    "activity code names its PPC": case(
        "plan/spa2/activity/4.8",
        ACTIVITY + "; ck:codeImpliesPPC <plan/spa2/ppc/4> ; dcterms:isPartOf <plan/spa2/ppc/4> .",
        (ACTIVITY + "; ck:codeImpliesPPC <plan/spa2/ppc/4> .", ACTIVITY + ".")),
    "implementation steps": case("plan/spa2/activity/4.8", *bilingual(ACTIVITY, "ck:implementationSteps")),
    "regional role": case("plan/spa2/activity/4.8", *bilingual(ACTIVITY, "ck:regionalRole")),
    "national role": case("plan/spa2/activity/4.8", *bilingual(ACTIVITY, "ck:nationalRole")),
    "bilingual text": case("plan/spa2/ppc/4/goal/4", *bilingual(GOAL, "ck:text")),
    "statement number": case(
        "plan/spa2/ppc/4/goal/4", GOAL + '; skos:notation "4" .', (GOAL + ".", GOAL + '; skos:notation "4" , "5" .')),
    "monitored PPC": case(
        "plan/spa2/ppc/4/target/7",
        TYPED + "<plan/spa2/ppc/4/target/7> a ck:SpaTwoTarget ; ck:monitoredPPC <plan/spa2/ppc/4> .",
        (TYPED + "<plan/spa2/ppc/4/target/7> a ck:SpaTwoTarget .",
         TYPED + "<plan/spa2/ppc/4/target/7> a ck:SpaTwoTarget ; ck:monitoredPPC <plan/spa2> .")),
    # lineage
    "derived-from PPC": case(
        "lineage/spa2-4--spa2005r-2",
        TYPED + DERIVATION + "a ck:PPCDerivation , ck:Continuation ; prov:entity <plan/spa2005r/ppc/2> .",
        (TYPED + DERIVATION + "a ck:PPCDerivation , ck:Continuation ; prov:entity <plan/spa2005r/ppc/99> .",
         TYPED + DERIVATION + "a ck:PPCDerivation , ck:Continuation .")),
    "newer PPC": case(
        "lineage/spa2-4--spa2005r-2",
        TYPED + DERIVATION + "a ck:PPCDerivation . <plan/spa2/ppc/4> prov:qualifiedDerivation " + DERIVATION + ".",
        (TYPED + DERIVATION + "a ck:PPCDerivation .",
         TYPED + DERIVATION + "a ck:PPCDerivation . <plan/spa2/ppc/4> prov:qualifiedDerivation " + DERIVATION + ". "
         "<plan/spa2/ppc/5> a ck:ProjectProposalConcept ; prov:qualifiedDerivation " + DERIVATION + ".")),
    "stated or inferred": case(
        "lineage/spa2-4--spa2005r-2",
        (DERIVATION + "a ck:PPCDerivation ; ck:evidenceStatus ck:Stated .",
         DERIVATION + "a ck:PPCDerivation ; ck:evidenceStatus ck:Inferred ."),
        (DERIVATION + "a ck:PPCDerivation ; ck:evidenceStatus ck:Guessed .", DERIVATION + "a ck:PPCDerivation .")),
    # "says how: at least one of continuation, renaming, ...": a derivation typed only with its kind (a
    # subclass of ck:PPCDerivation) says how; one with no kind among its types does not.
    "derivation kind": case(
        "lineage/spa2-4--spa2005r-2",
        (DERIVATION + "a ck:PPCDerivation , ck:Continuation .",
         DERIVATION + "a ck:PPCDerivation , ck:Renaming , ck:Renumbering .",
         DERIVATION + "a ck:Continuation ."),
        (DERIVATION + "a ck:PPCDerivation .",
         DERIVATION + "a ck:PPCDerivation , prov:Derivation .")),
    # criteria, countries, meetings
    "criterion number": case(
        "criterion/4", '<criterion/4> a ck:LegalFrameworkCriterion ; skos:notation "4" .',
        ('<criterion/4> a ck:LegalFrameworkCriterion ; skos:notation "6" .',
         "<criterion/4> a ck:LegalFrameworkCriterion .")),
    "criterion scheme": case(
        "criterion/4", "<criterion/4> a ck:LegalFrameworkCriterion ; skos:inScheme <criterion> .",
        ("<criterion/4> a ck:LegalFrameworkCriterion ; skos:inScheme <thematic-area> .",
         "<criterion/4> a ck:LegalFrameworkCriterion ; skos:inScheme <criterion/4> .")),
    "ISO alpha-2": case(
        "country/KHM", KHM, ('<country/KHM> a ck:Country ; ck:iso3166Alpha2 "kh" .',
                             '<country/KHM> a ck:Country ; ck:iso3166Alpha2 "KH" , "CB" .')),
    "ISO alpha-3": case(
        "country/KHM", KHM, ('<country/KHM> a ck:Country ; ck:iso3166Alpha3 "KH1" .', "<country/KHM> a ck:Country .")),
    "UN M49": case(
        "country/KHM", KHM, ('<country/KHM> a ck:Country ; ck:unM49 "11" .', "<country/KHM> a ck:Country .")),
    "Wikidata entity": case(
        "country/KHM", KHM,
        ("<country/KHM> a ck:Country ; owl:sameAs <https://www.wikidata.org/wiki/Q424> .",
         "<country/KHM> a ck:Country .")),
    "meeting date": case(
        "meeting/imm1",
        ('<meeting/imm1> a ck:InterMinisterialMeeting ; ck:startDate "2004-10-29"^^xsd:date .',
         '<meeting/imm1> a ck:InterMinisterialMeeting ; ck:startDate "2004-10"^^xsd:gYearMonth .'),
        ("<meeting/imm1> a ck:InterMinisterialMeeting .",
         '<meeting/imm1> a ck:InterMinisterialMeeting ; ck:startDate "29 October 2004" .')),
    # citations
    "cited document": case(
        "source/spa2-overview-th/L146", CITATION + ".",
        ('<source/spa2-overview-th/L146> a ck:SourceCitation ; ck:inDocument "spa2-overview-th" .',
         "<source/spa2-overview-th/L146> a ck:SourceCitation .",
         CITATION + ", <source/spa2-overview-en> .")),
    "first line": case(
        "source/spa2-overview-th/L146",
        (CITATION + "; ck:lineStart 146 ; ck:lineEnd 150 .", CITATION + "; ck:lineStart 146 ; ck:lineEnd 146 ."),
        (CITATION + "; ck:lineStart 150 ; ck:lineEnd 146 .", CITATION + "; ck:lineStart 0 .",
         CITATION + "; ck:lineStart 146 , 147 .")),
    "last line": case(
        "source/spa2-overview-th/L146", CITATION + "; ck:lineEnd 150 .",
        (CITATION + "; ck:lineEnd 0 .", CITATION + "; ck:lineEnd 150 , 151 .")),
    "line count": case(
        "source/spa2-overview-th", CITATION + ". <source/spa2-overview-th> ck:lineCount 412 .",
        (CITATION + '. <source/spa2-overview-th> ck:lineCount "412" .',
         CITATION + ". <source/spa2-overview-th> ck:lineCount 412 , 413 .")),
    # legal instruments, participations, claims
    "instrument form": case(
        "instrument/commit-mou-2004",
        (MOU + "a ck:MemorandumOfUnderstanding , ck:MultilateralInstrument .", MOU + "a ck:Treaty ."),
        (MOU + "a ck:MultilateralInstrument .", MOU + "a ck:Treaty , ck:Agreement , ck:BilateralInstrument .")),
    "instrument scope": case(
        "instrument/commit-mou-2004",
        (MOU + "a ck:MemorandumOfUnderstanding , ck:MultilateralInstrument .", MOU + "a ck:BilateralInstrument ."),
        (MOU + "a ck:MemorandumOfUnderstanding .",
         MOU + "a ck:Treaty , ck:BilateralInstrument , ck:MultilateralInstrument .")),
    "kind of cooperation": case(
        "instrument/commit-mou-2004",
        MOU + "a ck:MemorandumOfUnderstanding ; ck:covers <cooperation-kind/anti-trafficking> , "
              "<cooperation-kind/mla> , <cooperation-kind/extradition> , <cooperation-kind/civil-judicial-assistance> .",
        MOU + "a ck:MemorandumOfUnderstanding ; ck:covers <cooperation-kind/anti-trafficking> , "
              "<cooperation-kind/police-cooperation> ."),
    "instrument status": case(
        "instrument/commit-mou-2004",
        (MOU + "a ck:MemorandumOfUnderstanding ; ck:status <instrument-status/in-force> .",
         MOU + "a ck:MemorandumOfUnderstanding ."),
        (MOU + "a ck:MemorandumOfUnderstanding ; ck:status <instrument-status/ratified> .",
         MOU + "a ck:MemorandumOfUnderstanding ; ck:status <instrument-status/signed> , <instrument-status/in-force> .")),
    "instrument label": case(
        "instrument/commit-mou-2004",
        MOU + 'a ck:MemorandumOfUnderstanding ; rdfs:label "COMMIT MOU"@en , "บันทึกความเข้าใจ COMMIT"@th .',
        (MOU + 'a ck:MemorandumOfUnderstanding ; rdfs:label "บันทึกความเข้าใจ COMMIT"@th .',
         MOU + "a ck:MemorandumOfUnderstanding .")),
    "two parties": case(
        "instrument/kh-th-extradition-1998",
        KHM + TYPED + "<instrument/kh-th-extradition-1998> a ck:Treaty , ck:BilateralInstrument ; "
                      "ck:party <country/KHM> , <country/THA> .",
        (KHM + TYPED + "<instrument/kh-th-extradition-1998> a ck:Treaty , ck:BilateralInstrument ; ck:party <country/THA> .",
         KHM + TYPED + "<instrument/kh-th-extradition-1998> a ck:Treaty , ck:BilateralInstrument ; "
                       "ck:party <country/THA> , <organization/taskforce-KHM> .",
         KHM + TYPED + "<country/LAO> a ck:Country . <instrument/kh-th-extradition-1998> a ck:Treaty , "
                       "ck:BilateralInstrument ; ck:party <country/KHM> , <country/THA> , <country/LAO> .")),
    "participant": case(
        "participation/untoc-2000/THA", TYPED + PARTICIPATION + "; ck:participant <country/THA> .",
        (TYPED + PARTICIPATION + ".", TYPED + PARTICIPATION + "; ck:participant <country/XXX> .")),
    "participation in one instrument": case(
        "participation/untoc-2000/THA",
        PARTICIPATION + ". <instrument/untoc-2000> a ck:Convention , ck:MultilateralInstrument ; "
                        "ck:hasParticipation <participation/untoc-2000/THA> .",
        (PARTICIPATION + ".",
         PARTICIPATION + ". <instrument/kh-th-extradition-1998> a ck:Treaty , ck:BilateralInstrument ; "
                         "ck:hasParticipation <participation/untoc-2000/THA> .")),
    "reservation text": case(
        "reservation/untoc-2000/THA/art-35",
        '<reservation/untoc-2000/THA/art-35> a ck:Reservation ; ck:text "Thailand does not consider itself bound by '
        'Article 35, paragraph 2."@en .',
        "<reservation/untoc-2000/THA/art-35> a ck:Reservation ."),
    "confidence": case(
        "law/tha-anti-trafficking-act-2008",
        (LAW + "; ck:confidence <confidence/confirmed> .", LAW + "; ck:confidence <confidence/low> ."),
        (LAW + "; ck:confidence <confidence/certain> .", LAW + ".",
         LAW + "; ck:confidence <confidence/high> , <confidence/low> .")),
    "source URL": case(
        "law/tha-anti-trafficking-act-2008",
        LAW + "; dcterms:source <source/tha-act> . <source/tha-act> ck:inDocument <https://example.org/tha-act-2008> .",
        (LAW + "; dcterms:source <source/tha-act> .", LAW + ".")),
    "claimed property": case(
        "claim/untoc-2000-THA-entry-into-force", CLAIM + "; ck:claimedProperty ck:entryIntoForceOn .",
        (CLAIM + '; ck:claimedProperty "entry into force" .', CLAIM + ".",
         CLAIM + "; ck:claimedProperty ck:entryIntoForceOn , ck:ratifiedOn .")),
    "claimed value": case(
        "claim/untoc-2000-THA-entry-into-force", CLAIM + '; ck:claimedValue "2013-10-17"^^xsd:date .',
        (CLAIM + ".", CLAIM + '; ck:claimedValue "2013-10-17"^^xsd:date , "2013-10-18"^^xsd:date .')),
    "chosen or not": case(
        "claim/untoc-2000-THA-entry-into-force", (CLAIM + "; ck:chosen true .", CLAIM + "; ck:chosen false ."),
        (CLAIM + '; ck:chosen "yes" .', CLAIM + ".", CLAIM + "; ck:chosen true , false .")),
    "reason": case(
        "claim/untoc-2000-THA-entry-into-force",
        CLAIM + '; ck:reason "The depositary\'s record is the primary source."@en .', CLAIM + "."),
    # laws and assessments
    "jurisdiction": case(
        "law/tha-anti-trafficking-act-2008", TYPED + LAW + "; ck:jurisdiction <country/THA> .",
        (TYPED + LAW + ".", TYPED + LAW + "; ck:jurisdiction <country/XXX> .",
         KHM + TYPED + LAW + "; ck:jurisdiction <country/THA> , <country/KHM> .")),
    "law title": case(
        "law/tha-anti-trafficking-act-2008",
        LAW + '; dcterms:title "Anti-Trafficking in Persons Act B.E. 2551 (2008)"@en , '
              '"พระราชบัญญัติป้องกันและปราบปรามการค้ามนุษย์ พ.ศ. 2551"@th .',
        (LAW + '; dcterms:title "พระราชบัญญัติป้องกันและปราบปรามการค้ามนุษย์ พ.ศ. 2551"@th .', LAW + ".")),
    "assessed country": case(
        "assessment/THA/1/2009-12-31", TYPED + ASSESSMENT + "; ck:assessedCountry <country/THA> .",
        (TYPED + ASSESSMENT + ".", TYPED + ASSESSMENT + "; ck:assessedCountry <country/XXX> .")),
    "assessed criterion": case(
        "assessment/THA/1/2009-12-31", TYPED + ASSESSMENT + "; ck:criterion <criterion/1> .",
        (TYPED + ASSESSMENT + ".", TYPED + ASSESSMENT + "; ck:criterion <criterion/6> .")),
    "assessment status": case(
        "assessment/THA/1/2009-12-31",
        tuple(ASSESSMENT + f"; ck:assessmentStatus <assessment-status/{s}> ."
              for s in ("met", "partly-met", "not-met", "unknown")),
        (ASSESSMENT + "; ck:assessmentStatus <assessment-status/compliant> .", ASSESSMENT + ".",
         ASSESSMENT + "; ck:assessmentStatus <assessment-status/met> , <assessment-status/not-met> .")),
    "assessment date": case(
        "assessment/THA/1/2009-12-31", ASSESSMENT + '; ck:assessedOn "2009-12-31"^^xsd:date .',
        (ASSESSMENT + '; ck:assessedOn "2009"^^xsd:gYear .', ASSESSMENT + ".")),
    "evidence law": case(
        "assessment/THA/1/2009-12-31",
        (ASSESSMENT + "; ck:evidenceLaw <law/tha-anti-trafficking-act-2008> . " + LAW + ".", ASSESSMENT + "."),
        ASSESSMENT + "; ck:evidenceLaw <law/tha-penal-code> . " + LAW + "."),
    # dates
    "real date": case(
        "participation/untoc-2000/THA",
        PARTICIPATION + '; ck:signedOn "2000-12-13"^^xsd:date ; ck:ratifiedOn "2013-10"^^xsd:gYearMonth ; '
                        'ck:entryIntoForceOn "2013"^^xsd:gYear .',
        (PARTICIPATION + '; ck:signedOn "13 December 2000" .',
         PARTICIPATION + '; ck:signedOn "2000-12-13T00:00:00"^^xsd:dateTime .',
         PARTICIPATION + '; ck:ratifiedOn "2013-13"^^xsd:gYearMonth .',
         PARTICIPATION + '; ck:entryIntoForceOn "20130"^^xsd:gYear .',
         PARTICIPATION + '; ck:signedOn "2001-02-30"^^xsd:date .')),
    # what the build derives
    "coverage level": case(
        "coverage-status/KHM-THA/mla/2010-12-31",
        tuple(COVERAGE_STATUS + f"; ck:coverageLevel <coverage-level/{level}> ."
              for level in ("bilateral", "regional", "untoc", "none", "unknown")),
        (COVERAGE_STATUS + "; ck:coverageLevel <coverage-level/partial> .", COVERAGE_STATUS + ".",
         COVERAGE_STATUS + "; ck:coverageLevel <coverage-level/untoc> , <coverage-level/none> .")),
    "coverage status date": case(
        "coverage-status/KHM-THA/mla/2010-12-31", COVERAGE_STATUS + '; ck:statusDate "2010-12-31"^^xsd:date .',
        (COVERAGE_STATUS + '; ck:statusDate "2010"^^xsd:gYear .', COVERAGE_STATUS + ".")),
    "criterion status value": case(
        "criterion-status/THA/1/2010-12-31",
        "<criterion-status/THA/1/2010-12-31> a ck:CriterionStatus ; ck:assessmentStatus <assessment-status/partly-met> .",
        ("<criterion-status/THA/1/2010-12-31> a ck:CriterionStatus .",
         "<criterion-status/THA/1/2010-12-31> a ck:CriterionStatus ; ck:assessmentStatus <assessment-status/met-ish> .")),
    # links to other datasets (data/alignments/)
    "qualified link": case(
        "country/KHM",
        ("<country/KHM> owl:sameAs <http://www.wikidata.org/entity/Q424> ; ck:qualifiedLink <link/country/KHM/wikidata> ."
         " <link/country/KHM/wikidata> a ck:ExternalLink .",
         "<criterion/1> a ck:LegalFrameworkCriterion ."),
        ("<country/KHM> owl:sameAs <http://www.wikidata.org/entity/Q424> .",
         "<country/KHM> skos:relatedMatch <http://metadata.un.org/sdg/16.2> ; ck:qualifiedLink <link/x> .")),
    "link target": case(
        "link/country/KHM/wikidata", LINK,
        (LINK_NODE + ".", LINK_NODE + '; ck:linkTarget "Q424" .',
         LINK_NODE + "; ck:linkTarget <http://www.wikidata.org/entity/Q424> , <http://www.wikidata.org/entity/Q148> .")),
    "link predicate": case(
        "link/country/KHM/wikidata", LINK,
        (LINK_NODE + ".", LINK_NODE + '; ck:linkPredicate "http://www.w3.org/2002/07/owl#sameAs" .',
         LINK_NODE + '; ck:linkPredicate "http://www.w3.org/2000/01/rdf-schema#seeAlso"^^xsd:anyURI .')),
    "link basis": case(
        "link/country/KHM/wikidata", LINK,
        (LINK_NODE + ".", LINK_NODE + "; ck:linkBasis ck:Stated .",
         LINK_NODE + "; ck:linkBasis ck:VerifiedLink , ck:PatternDerivedLink .")),
    "link confidence": case(
        "link/country/KHM/wikidata", LINK,
        (LINK_NODE + ".", LINK_NODE + "; ck:confidence <confidence/sure> .")),
    "linked subject": case(
        "link/country/KHM/wikidata", LINK,
        (LINK_NODE + ".", LINK + " <country/CHN> ck:qualifiedLink <link/country/KHM/wikidata> .")),
    "Derived link": case(
        "link/plan/spa2/ppc/5/sdg-16.2",
        ("<link/plan/spa2/ppc/5/sdg-16.2> a ck:ExternalLink ; ck:linkBasis ck:PatternDerivedLink ;"
         ' ck:iriPattern "http://metadata.un.org/sdg/{goal}.{target}" .',
         "<link/plan/spa2/ppc/5/sdg-16.2> a ck:ExternalLink ; ck:linkBasis ck:VerifiedLink ."),
        "<link/plan/spa2/ppc/5/sdg-16.2> a ck:ExternalLink ; ck:linkBasis ck:PatternDerivedLink ."),
}


# ---- generated fixtures: coverage pairs and criteria --------------------------------------------


def read_labels(path, key: rdflib.URIRef) -> dict[str, dict[str, str]]:
    graph = rdflib.Graph().parse(path, format="turtle")
    labels: dict[str, dict[str, str]] = {}
    for node, code in graph.subject_objects(key):
        labels[str(code)] = {v.language: str(v) for v in graph.objects(node, RDFS.label) if v.language}
    return labels


COUNTRIES = read_labels(DATA_DIR / "countries.ttl", rdflib.URIRef(CK + "iso3166Alpha3"))
CRITERIA = read_labels(DATA_DIR / "criteria.ttl", rdflib.URIRef("http://www.w3.org/2004/02/skos/core#notation"))
KINDS = {  # slug: (English words in names and messages, Thai words in messages)
    "mla": ("mutual legal assistance", "ความช่วยเหลือซึ่งกันและกันทางกฎหมาย"),
    "extradition": ("extradition", "การส่งผู้ร้ายข้ามแดน"),
}
LEVELS = ("bilateral", "regional", "untoc", "none", "unknown")
FAILS = {"warning": ("none",), "info": ("untoc", "unknown")}  # the levels that each kind of rule reports
PAIRS = list(itertools.combinations(sorted(COUNTRIES), 2))


@dataclass(frozen=True)
class CoverageRule:
    a: str
    b: str
    kind: str
    severity: str

    @property
    def pair(self) -> str:
        return f"pair/{self.a}-{self.b}"

    @property
    def name(self) -> str:
        words = KINDS[self.kind][0]
        between = f"{COUNTRIES[self.a]['en']} – {COUNTRIES[self.b]['en']}"
        return f"No {words}: {between}" if self.severity == "warning" else \
            f"{words[0].upper()}{words[1:]} below regional: {between}"


def status(pair: str, kind: str, level: str, day: str = "2010-12-31") -> tuple[str, str]:
    node = f"{pair.replace('pair/', 'coverage-status/')}/{kind}/{day}"
    return node, (f"<{pair}> a ck:CountryPair ; ck:hasCoverageStatus <{node}> .\n"
                  f"<{node}> a ck:CoverageStatus ; ck:cooperationKind <cooperation-kind/{kind}> ; "
                  f"ck:coverageLevel <coverage-level/{level}> ; ck:statusDate \"{day}\"^^xsd:date .\n")


def coverage_case(rule: CoverageRule) -> Case:
    other = next(k for k in KINDS if k != rule.kind)
    days = iter(f"20{y:02d}-12-31" for y in range(10, 30))
    # every passing level of this kind, and every level of the other kind, on one pair at once
    valid = "".join(status(rule.pair, rule.kind, level, next(days))[1]
                    for level in LEVELS if level not in FAILS[rule.severity])
    valid += "".join(status(rule.pair, other, level, next(days))[1] for level in LEVELS)
    invalid = tuple(status(rule.pair, rule.kind, level)[1] for level in FAILS[rule.severity])
    return case(rule.pair, valid, invalid, severity=rule.severity, value=status(rule.pair, rule.kind, "none")[0])


COVERAGE_RULES = {r.name: r for a, b in PAIRS for kind in KINDS for sev in FAILS
                  for r in [CoverageRule(a, b, kind, sev)]}


def title(n: int, lang: str = "en") -> str:
    words = CRITERIA[str(n)][lang]
    return words[0].lower() + words[1:] if lang == "en" else words


def criterion_status(n: int, country: str = "THA", day: str = "2010-12-31", **props: str) -> tuple[str, str]:
    node = f"criterion-status/{country}/{n}/{day}"
    extra = "".join(f" ; ck:{p} <{o}>" for p, o in props.items())
    return node, (f"<{node}> a ck:CriterionStatus ; ck:assessedCountry <country/{country}> ; "
                  f"ck:criterion <criterion/{n}> ; ck:statusDate \"{day}\"^^xsd:date{extra} .\n")


def data_gap_case(n: int) -> Case:
    other = n % 5 + 1
    node, _ = criterion_status(n)
    valid = (criterion_status(n, basedOnAssessment=f"assessment/THA/{n}/2009-12-31",
                              assessmentStatus="assessment-status/not-met")[1]
             + criterion_status(other, assessmentStatus="assessment-status/unknown")[1])  # another criterion's gap
    invalid = (criterion_status(n, assessmentStatus="assessment-status/unknown")[1], criterion_status(n)[1],
               # a valid assessment whose status is unknown is a data gap too
               criterion_status(n, basedOnAssessment=f"assessment/THA/{n}/2009-12-31",
                                assessmentStatus="assessment-status/unknown")[1])
    return case(node, valid, invalid, severity="warning")


def legal_gap_case(n: int) -> Case:
    other = n % 5 + 1
    node, _ = criterion_status(n)
    valid = "".join(criterion_status(n, country, basedOnAssessment=f"assessment/{country}/{n}/2009-12-31",
                                     assessmentStatus=f"assessment-status/{s}")[1]
                    for country, s in (("THA", "met"), ("KHM", "unknown")))
    valid += criterion_status(other, assessmentStatus="assessment-status/not-met")[1]  # another criterion's gap
    invalid = tuple(criterion_status(n, basedOnAssessment=f"assessment/THA/{n}/2009-12-31",
                                     assessmentStatus=f"assessment-status/{s}")[1] for s in ("not-met", "partly-met"))
    return case(node, valid, invalid, severity="warning")


CRITERION_RULES = {f"{gap} gap: {CRITERIA[str(n)]['en']} (criterion {n})": n for n in range(1, 6) for gap in ("Data", "Legal")}

FIXTURES: dict[str, Case] = {
    **INTEGRITY,
    **{name: coverage_case(rule) for name, rule in COVERAGE_RULES.items()},
    **{name: (data_gap_case(n) if name.startswith("Data") else legal_gap_case(n)) for name, n in CRITERION_RULES.items()},
}


# ---- the tests ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def full_ontology() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def ontology(full_ontology: rdflib.Graph) -> rdflib.Graph:
    """What the shapes need from the ontology: its class hierarchy (sh:class and sh:targetClass follow
    rdfs:subClassOf). pySHACL copies the ontology into every data graph it validates, which for the whole
    ontology costs ~90 ms a validation against ~6 ms for this; test_hierarchy_is_enough checks the two agree."""
    return hierarchy(full_ontology)


def hierarchy(full: rdflib.Graph) -> rdflib.Graph:
    graph = rdflib.Graph()
    for s, o in full.subject_objects(RDFS.subClassOf):
        if isinstance(s, rdflib.URIRef) and isinstance(o, rdflib.URIRef):
            graph.add((s, RDFS.subClassOf, o))
    return graph


_isolated: dict[str, rdflib.Graph] = {}


def run(rule: Rule, body: str, ontology: rdflib.Graph):
    if rule.name not in _isolated:
        _isolated[rule.name] = isolated(rule)
    data = rdflib.Graph().parse(data=HEADER + body, format="turtle")
    return validate(data, _isolated[rule.name], ontology).results


def check(name: str, ontology: rdflib.Graph) -> list[str]:
    """What is wrong with `name` on its fixtures, in words; [] when the rule does what it says."""
    rule, fixture = RULE_BY_NAME[name], FIXTURES[name]
    problems = []
    if severity(rule) != fixture.severity:
        problems.append(f"declared {severity(rule)}, expected {fixture.severity}")
    for i, body in enumerate(fixture.valid):
        results = run(rule, body, ontology)
        if results:
            problems.append(f"valid fixture {i} was reported:\n  {body.strip()}\n  " + "\n  ".join(map(str, results)))
    english, thai = messages(rule)["en"][0], messages(rule)["th"][0]
    path = SHAPES.value(rule.node, SH.path)
    for i, body in enumerate(fixture.invalid):
        results = run(rule, body, ontology)
        if len(results) != 1:
            problems.append(f"invalid fixture {i} gave {len(results)} results, not 1:\n  {body.strip()}\n  "
                            + "\n  ".join(map(str, results)))
            continue
        result = results[0]
        expected = {"focus node": (result.focus_node, ID + fixture.focus), "name": (result.name, name),
                    "severity": (result.severity, severity(rule)), "message": (result.message, english),
                    "Thai message": (result.message_th, thai)}
        if isinstance(path, rdflib.URIRef):
            expected["path"] = (result.path, str(path))
        if fixture.value is not None:
            expected["value"] = (result.value, ID + fixture.value)
        for what, (got, want) in expected.items():
            if got != want:
                problems.append(f"invalid fixture {i}: {what} is {got!r}, not {want!r}")
    return problems


def test_rule_names_are_unique_and_every_rule_is_complete():
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    for rule in RULES:
        assert SHAPES.value(rule.node, SH.name) is not None, f"{rule.file}: a rule without sh:name: {rule.node}"
        assert SHAPES.value(rule.node, SH.severity) in SEVERITY_NAMES, f"{rule.name}: no sh:severity"
        found = messages(rule)
        assert len(found.get("en", [])) == 1 and len(found.get("th", [])) == 1 and set(found) == {"en", "th"}, \
            f"{rule.name}: needs one sh:message @en and one @th, has {found}"


def test_every_rule_has_fixtures_and_every_fixture_a_rule():
    rules, fixtures = set(RULE_BY_NAME), set(FIXTURES)
    assert not rules - fixtures, f"rules without fixtures: {sorted(rules - fixtures)}"
    assert not fixtures - rules, f"fixtures for rules that do not exist: {sorted(fixtures - rules)}"


def test_the_shape_files_hold_the_expected_families():
    by_file: dict[str, set[str]] = {}
    for rule in RULES:
        by_file.setdefault(rule.file, set()).add(rule.name)
    assert by_file["integrity.ttl"] == set(INTEGRITY)
    assert by_file["coverage-gaps.ttl"] == set(COVERAGE_RULES) and len(COVERAGE_RULES) == 60
    assert by_file["completeness.ttl"] | by_file["legal-gaps.ttl"] == set(CRITERION_RULES)
    assert set(by_file) == {"integrity.ttl", "coverage-gaps.ttl", "completeness.ttl", "legal-gaps.ttl"}


@pytest.mark.parametrize("name", sorted(RULE_BY_NAME), ids=sorted(RULE_BY_NAME))
def test_rule(name: str, ontology: rdflib.Graph):
    if name not in FIXTURES:
        pytest.fail(f"no fixture for rule {name!r} ({RULE_BY_NAME[name].file})")
    problems = check(name, ontology)
    assert not problems, f"rule {name!r}:\n" + "\n".join(problems)


def test_hierarchy_is_enough(full_ontology: rdflib.Graph, ontology: rdflib.Graph):
    """The rules that depend on classes answer the same with the whole ontology as with its hierarchy."""
    for name in ("monitored PPC", "meeting date", "reservation text", "instrument form", "participation in one instrument",
                 "No extradition: Cambodia – Thailand", "Legal gap: Witness support (criterion 4)"):
        if name in RULE_BY_NAME and name in FIXTURES:
            assert check(name, full_ontology) == check(name, ontology), name


@pytest.mark.parametrize("name", sorted(COVERAGE_RULES), ids=sorted(COVERAGE_RULES))
def test_coverage_message_names_the_pair_and_the_kind(name: str):
    rule, expected = RULE_BY_NAME[name], COVERAGE_RULES[name]
    assert str(SHAPES.value(rule.parent, SH.targetNode)) == ID + expected.pair
    english, thai = messages(rule)["en"][0], messages(rule)["th"][0]
    named = {code for code, label in COUNTRIES.items() if re.search(rf"\b{re.escape(label['en'])}\b", english)}
    assert named == {expected.a, expected.b}, f"{name}: the English message names {sorted(named)}"
    assert COUNTRIES[expected.a]["th"] in thai and COUNTRIES[expected.b]["th"] in thai
    other = next(k for k in KINDS if k != expected.kind)
    assert KINDS[expected.kind][0] in english and KINDS[other][0] not in english
    assert KINDS[expected.kind][1] in thai and KINDS[other][1] not in thai
    if expected.severity == "warning":
        assert "no legal basis" in english
    else:
        assert "UNTOC" in english and "unknown" in english and "UNTOC" in thai


@pytest.mark.parametrize("name", sorted(CRITERION_RULES), ids=sorted(CRITERION_RULES))
def test_criterion_message_names_the_criterion(name: str):
    n = CRITERION_RULES[name]
    english, thai = messages(RULE_BY_NAME[name])["en"][0], messages(RULE_BY_NAME[name])["th"][0]
    assert set(re.findall(r"criterion (\d)", english)) == {str(n)}, english
    assert set(re.findall(r"เกณฑ์ข้อ (\d)", thai)) == {str(n)}, thai
    # the label comes first: a reader sees the criterion's name, the number only in brackets
    assert english.split(": ", 1)[1].startswith(title(n)) and thai.split(": ", 1)[1].startswith(title(n, "th"))


PAIR_SHAPES = sorted({RULE_BY_NAME[name].parent for name in COVERAGE_RULES if name in RULE_BY_NAME}, key=str)


@pytest.mark.parametrize("shape", PAIR_SHAPES, ids=[str(s).rsplit("#", 1)[-1] for s in PAIR_SHAPES])
def test_a_pair_shape_reports_each_level_once_at_the_right_severity(shape: rdflib.term.Node, ontology: rdflib.Graph):
    """With all four rules of a pair: none gives only the warning (not the info too), UNTOC and unknown
    only the info, bilateral and regional nothing; and never a rule of the other kind."""
    whole = rdflib.Graph()
    copy_closure(SHAPES, whole, shape)
    pair = str(SHAPES.value(shape, SH.targetNode))[len(ID):]
    rules = {(r.kind, r.severity): name for name, r in COVERAGE_RULES.items() if r.pair == pair}
    for kind in KINDS:
        for level in LEVELS:
            expected = {rules[(kind, sev)] for sev, levels in FAILS.items() if level in levels}
            results = validate(rdflib.Graph().parse(data=HEADER + status(pair, kind, level)[1], format="turtle"),
                               whole, ontology).results
            assert sorted(r.name for r in results) == sorted(expected), f"{pair} {kind} {level}"
