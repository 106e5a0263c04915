"""Links to other datasets (issue 12, Alignments): every link triple on our resources has a sourced record that
says whether its target was verified or derived from a documented pattern; the IRIs have their datasets'
forms; the VoID linksets count what the graph holds, computed here another way; the integrity gate refuses a
link without its record."""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import parse_qs, urlparse

import httpx
import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from support import rows

from commit_kg.build import BuiltGraph, build
from commit_kg.errors import IntegrityError
from commit_kg.namespaces import CK, ID
from commit_kg.publish.dumps import DatasetCache
from commit_kg.publish.linksets import LINK_PREDICATES
from commit_kg.publish.void import void_quads

VOID = Namespace("http://rdfs.org/ns/void#")
SKOS = "http://www.w3.org/2004/02/skos/core#"
WIKIDATA = "http://www.wikidata.org/entity/"
SDG = "http://metadata.un.org/sdg/"
# The UN SDG KOS's own configuration (metadata-un-org, metadata/sdg/config.py): uri_base and the Target id.
SDG_TARGET = re.compile(r"^http://metadata\.un\.org/sdg/\d{1,2}\.[0-9a-z]$")
UNTC = re.compile(r"^https?://treaties\.un\.org/Pages/ShowMTDSGDetails\.aspx\?")
PREFIX = f"PREFIX ck: <{CK}> PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX skos: <{SKOS}>\n"
VALUES_P = "VALUES ?p { " + " ".join(f"<{p}>" for p in LINK_PREDICATES) + " }"
COUNTRIES = ("KHM", "CHN", "LAO", "MMR", "THA", "VNM")


@pytest.fixture(scope="module")
def links(store) -> set[tuple[str, str, str]]:
    """Every link triple (subject under id/, link predicate, IRI object), once."""
    found = rows(store, f"""SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o {VALUES_P}
        FILTER(isIRI(?o) && STRSTARTS(STR(?s), "{ID}")) }}""")
    assert found, "the graph should hold links"
    return {(r["s"], r["p"], r["o"]) for r in found}


@pytest.fixture(scope="module")
def records(store) -> dict[str, dict]:
    """Each ck:ExternalLink: its subject, predicate, target, basis, pattern, confidence and sources."""
    found = rows(store, PREFIX + """SELECT ?r ?s ?p ?o ?basis ?pattern ?conf ?src ?doc ?quote WHERE {
        ?r a ck:ExternalLink . OPTIONAL { ?s ck:qualifiedLink ?r } OPTIONAL { ?r ck:linkPredicate ?p }
        OPTIONAL { ?r ck:linkTarget ?o } OPTIONAL { ?r ck:linkBasis ?basis } OPTIONAL { ?r ck:iriPattern ?pattern }
        OPTIONAL { ?r ck:confidence ?conf }
        OPTIONAL { ?r dcterms:source ?src OPTIONAL { ?src ck:inDocument ?doc } OPTIONAL { ?src ck:quote ?quote } } }""")
    out: dict[str, dict] = {}
    for r in found:
        rec = out.setdefault(r["r"], {"sources": defaultdict(dict)})
        for key in ("s", "p", "o", "basis", "pattern", "conf"):
            if key in r:
                rec[key] = r[key]
        if "src" in r:
            rec["sources"][r["src"]].update({k: r[k] for k in ("doc", "quote") if k in r})
    return out


def test_every_link_triple_has_exactly_one_sourced_record_and_every_record_its_triple(links, records):
    by_triple = defaultdict(list)
    for name, rec in records.items():
        by_triple[(rec.get("s"), rec.get("p"), rec.get("o"))].append(name)
    unrecorded = sorted(t for t in links if len(by_triple.get(t, [])) != 1)
    orphans = sorted(n for n, rec in records.items() if (rec.get("s"), rec.get("p"), rec.get("o")) not in links)
    assert (unrecorded, orphans) == ([], [])
    for name, rec in records.items():
        assert rec["sources"], f"{name}: no dcterms:source"
        for src, cited in rec["sources"].items():
            assert "doc" in cited, f"{name}: citation {src} names no document"
        assert rec.get("conf", "").startswith(f"{ID}confidence/"), name
        assert rec.get("basis") in (f"{CK}VerifiedLink", f"{CK}PatternDerivedLink"), name


def test_a_verified_target_was_read_in_a_cited_source(records):
    """Verified: the target IRI is the cited page, or its identifier is in the cited words."""
    for name, rec in records.items():
        if rec["basis"] != f"{CK}VerifiedLink":
            continue
        local = rec["o"].rstrip("/").rsplit("/", 1)[-1]
        seen = [c for c in rec["sources"].values() if c.get("doc") == rec["o"] or local in c.get("quote", "")]
        assert seen, f"{name}: {rec['o']} appears in none of its sources"


def test_a_derived_target_follows_the_pattern_its_source_documents(records):
    derived = {n: r for n, r in records.items() if r["basis"] == f"{CK}PatternDerivedLink"}
    assert derived
    for name, rec in derived.items():
        pattern = rec.get("pattern")
        assert pattern, f"{name}: derived without ck:iriPattern"
        fixed = pattern.split("{", 1)[0]
        assert rec["o"].startswith(fixed), f"{name}: {rec['o']} does not follow {pattern}"
        assert any(fixed in c.get("quote", "") for c in rec["sources"].values()), \
            f"{name}: no cited source quotes the pattern's base {fixed}"


def test_wikidata_iris_are_entities_with_a_qid(links):
    wikidata = [o for _, _, o in links if "wikidata.org" in o]
    assert wikidata
    assert [o for o in wikidata if not re.fullmatch(r"http://www\.wikidata\.org/entity/Q[1-9][0-9]*", o)] == []


def test_each_country_is_the_same_as_one_wikidata_entity_read_for_it(links, records):
    for iso in COUNTRIES:
        country = f"{ID}country/{iso}"
        targets = [o for s, p, o in links if s == country and o.startswith(WIKIDATA)]
        assert len(targets) == 1, (iso, targets)
        (rec,) = [r for r in records.values() if r["s"] == country and r["o"] == targets[0]]
        assert f"{ID}source/web/wikidata-qid-{iso}" in rec["sources"]


def test_no_m49_or_iso_iri_is_claimed_and_each_country_says_it_was_searched(store, links):
    """The UN publishes no M49/ISO IRI (searched, recorded): no link may pretend one, each country notes it."""
    assert [o for _, _, o in links if "unstats.un.org" in o or "iso.org" in o or "m49" in o.lower()] == []
    noted = {r["c"] for r in rows(store, PREFIX + """SELECT ?c WHERE { ?c a ck:Country ; skos:editorialNote ?n
        FILTER(CONTAINS(?n, "M49") && CONTAINS(?n, "not found")) }""")}
    assert noted == {f"{ID}country/{iso}" for iso in COUNTRIES}


def test_untc_links_are_collection_pages_of_the_instruments_own_id(store, links):
    untc = [(s, o) for s, _, o in links if "treaties.un.org" in o]
    assert len(untc) >= 2
    notation = {r["i"]: r["n"] for r in rows(store, PREFIX + "SELECT ?i ?n WHERE { ?i a ck:LegalInstrument ; skos:notation ?n }")}
    for subject, target in untc:
        assert UNTC.match(target), target
        assert parse_qs(urlparse(target).query)["mtdsg_no"] == [notation[subject]], (subject, target)
    assert {s.removeprefix(ID) for s, _ in untc} >= {"instrument/untoc-2000", "instrument/tip-protocol-2000"}


def test_instruments_without_a_wikidata_item_say_it_was_searched(store, links):
    multilateral = {r["i"] for r in rows(store, PREFIX + "SELECT ?i WHERE { ?i a ck:MultilateralInstrument }")}
    linked = {s for s, _, o in links if o.startswith(WIKIDATA)}
    noted = {r["i"] for r in rows(store, PREFIX + """SELECT ?i WHERE { ?i skos:editorialNote ?n
        FILTER(CONTAINS(?n, "Wikidata item: searched")) }""")}
    for slug in ("untoc-2000", "tip-protocol-2000", "asean-mlat-2004", "actip-2015", "commit-mou-2004"):
        instrument = f"{ID}instrument/{slug}"
        assert instrument in multilateral and (instrument in linked or instrument in noted), slug


def test_ppcs_and_criteria_map_to_sdg_targets_of_the_documented_pattern(store, links, records):
    sdg = [(s, p, o) for s, p, o in links if o.startswith(SDG)]
    assert sdg
    for s, p, o in sdg:
        assert SDG_TARGET.match(o), o
        assert p in (SKOS + "relatedMatch", SKOS + "broadMatch"), p
    ppcs = {r["x"] for r in rows(store, PREFIX + """SELECT ?x WHERE { ?x a ck:ProjectProposalConcept ;
        dcterms:isPartOf <https://w3id.org/commit-kg/id/plan/spa2> }""")}
    criteria = {r["x"] for r in rows(store, PREFIX + "SELECT ?x WHERE { ?x a ck:LegalFrameworkCriterion }")}
    mapped = defaultdict(set)
    for s, _, o in sdg:
        mapped[s].add(o.removeprefix(SDG))
    # The rule README and data/alignments/sdg.ttl state: PPCs 1–7 and the five criteria to 5.2, 8.7, 16.2.
    expected = {f"{ID}plan/spa2/ppc/{n}" for n in range(1, 8)} | criteria
    assert len(criteria) == 5 and expected <= ppcs | criteria
    assert set(mapped) == expected
    assert all(targets == {"5.2", "8.7", "16.2"} for targets in mapped.values()), dict(mapped)
    for name, rec in records.items():
        if rec["o"].startswith(SDG):
            target = rec["o"].removeprefix(SDG)
            assert any(f"Target {target}" in c.get("quote", "") for c in rec["sources"].values()), name
            assert any(c.get("doc") == f"{ID}source/spa2-overview-th" for c in rec["sources"].values()), name


# ---- the VoID linksets ------------------------------------------------------------------------


def linksets_of(void: Graph) -> dict[tuple[str, str], int]:
    """(objects-target IRI space, predicate) → void:triples, for each void:Linkset of a VoID graph."""
    out = {}
    for linkset in void.subjects(RDF.type, VOID.Linkset):
        target = void.value(linkset, VOID.objectsTarget)
        spaces = sorted(str(s) for s in void.objects(target, VOID.uriSpace))
        out[(" ".join(spaces), str(void.value(linkset, VOID.linkPredicate)))] = int(void.value(linkset, VOID.triples))
    return out


def counted_in_python(graph: BuiltGraph, spaces: list[str], predicate: str) -> int:
    """The same count another way: every quad of the store, in Python, each triple once."""
    return len({(q.subject, q.predicate, q.object) for q in graph.store
                if q.predicate.value == predicate and isinstance(q.subject, ox.NamedNode)
                and q.subject.value.startswith(ID) and isinstance(q.object, ox.NamedNode)
                and q.object.value.startswith(tuple(spaces))})


@pytest.fixture(scope="module")
def void_graph(graph: BuiltGraph) -> Graph:
    base = "http://127.0.0.1:1"
    triples = Graph()
    for quad in void_quads(DatasetCache().get(graph), base):
        triples.parse(data=ox.serialize([quad.triple], format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    return triples


def test_void_linkset_counts_equal_the_graphs_counted_another_way(graph, void_graph, links):
    found = linksets_of(void_graph)
    assert {space for space, _ in found} >= {WIKIDATA, SDG, "http://treaties.un.org/ https://treaties.un.org/"}
    for (spaces, predicate), n in found.items():
        assert n > 0 and n == counted_in_python(graph, spaces.split(), predicate), (spaces, predicate)
    # Every link to one of those datasets is in some linkset.
    every_space = tuple(s for spaces, _ in found for s in spaces.split())
    assert sum(found.values()) == len([t for t in links if t[2].startswith(every_space)])


def test_void_linksets_name_their_subjects_target_and_predicate(void_graph):
    dataset = URIRef("http://127.0.0.1:1/.well-known/void#dataset")
    linksets = set(void_graph.subjects(RDF.type, VOID.Linkset))
    assert len(linksets) >= 3
    for linkset in linksets:
        assert void_graph.value(linkset, VOID.subjectsTarget) == dataset
        target = void_graph.value(linkset, VOID.objectsTarget)
        assert (target, RDF.type, VOID.Dataset) in void_graph and void_graph.value(target, VOID.uriSpace)
        assert str(void_graph.value(linkset, VOID.linkPredicate)) in LINK_PREDICATES


def test_the_served_void_has_the_same_linksets(server, void_graph):
    response = httpx.get(f"{server}/.well-known/void", headers={"Accept": "text/turtle"}, timeout=60)
    assert response.status_code == 200
    served = Graph().parse(data=response.text, format="turtle")
    assert linksets_of(served) == linksets_of(void_graph)


# ---- the integrity gate -----------------------------------------------------------------------


def test_the_build_passes_shacl_with_the_alignments(graph):
    assert graph.validation.conforms


def test_a_link_without_its_record_stops_the_build(file_copy):
    """Cambodia's owl:sameAs (data/countries.ttl) without its record: the gate names the country and the rule."""
    path = file_copy.data_dir / "alignments" / "countries.ttl"
    text = path.read_text(encoding="utf-8")
    record = "<country/KHM> ck:qualifiedLink <link/country/KHM/wikidata> .\n"
    assert record in text
    path.write_text(text.replace(record, "", 1), encoding="utf-8")
    with pytest.raises(IntegrityError) as caught:
        build(file_copy)
    named = {(v.focus_node, v.name) for v in caught.value.violations}
    assert (f"{ID}country/KHM", "qualified link") in named
    assert (f"{ID}link/country/KHM/wikidata", "linked subject") in named
