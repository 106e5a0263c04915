"""/sparql over real HTTP, from a real server process, with a real SPARQL client (SPARQLWrapper)."""

from __future__ import annotations

import httpx
from SPARQLWrapper import JSON, SPARQLWrapper

from commit_kg.namespaces import ID

PREFIXES = """PREFIX ck: <https://w3id.org/commit-kg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""


def select(url: str, query: str, method: str = "GET") -> list[dict[str, str]]:
    client = SPARQLWrapper(f"{url}/sparql")
    client.setQuery(PREFIXES + query)
    client.setReturnFormat(JSON)
    client.setMethod(method)
    bindings = client.query().convert()["results"]["bindings"]
    return [{k: v["value"] for k, v in b.items()} for b in bindings]


def test_ppc_counts_per_plan_with_only_the_public_vocabulary(server):
    found = select(server, """SELECT ?plan (COUNT(?ppc) AS ?n) WHERE {
        ?ppc dcterms:isPartOf ?plan ; skos:notation ?x . ?plan skos:notation ?pn
        FILTER NOT EXISTS { ?ppc dcterms:isPartOf/dcterms:isPartOf ?any } } GROUP BY ?plan""")
    assert {r["plan"].removeprefix(ID): int(r["n"]) for r in found} == {
        "plan/spa2005": 12, "plan/spa2005r": 10, "plan/spa2": 8}


def test_activity_counts_via_post(server):
    found = select(server, f"""SELECT ?ppcn (COUNT(?a) AS ?n) WHERE {{
        ?a dcterms:isPartOf ?ppc ; skos:notation ?code . ?ppc dcterms:isPartOf <{ID}plan/spa2> ; skos:notation ?ppcn }}
        GROUP BY ?ppcn""", method="POST")
    assert {int(r["ppcn"]): int(r["n"]) for r in found} == {1: 6, 2: 4, 3: 4, 4: 8, 5: 4, 6: 6, 7: 2, 8: 5}


def test_lineage_links_of_the_acceptance(server):
    found = select(server, f"""SELECT ?new ?old WHERE {{ VALUES ?new {{ <{ID}plan/spa2/ppc/4> <{ID}plan/spa2/ppc/5> }}
        ?new prov:wasDerivedFrom ?old }}""")
    got = {(r["new"].removeprefix(ID + "plan/spa2/ppc/"), r["old"].removeprefix(ID)) for r in found}
    assert got == {("4", "plan/spa2005r/ppc/2"), ("4", "plan/spa2005r/ppc/5"), ("5", "plan/spa2005r/ppc/2"),
                   ("5", "plan/spa2005r/ppc/6"), ("5", "plan/spa2005r/ppc/7")}


def test_labels_in_thai_and_english_and_wikidata_same_as(server):
    found = select(server, """SELECT ?c ?en ?th ?wd WHERE { ?c ck:iso3166Alpha3 ?code ;
        rdfs:label ?en , ?th ; skos:prefLabel ?en ; owl:sameAs ?wd
        FILTER (lang(?en) = "en" && lang(?th) = "th" && STRSTARTS(STR(?wd), "http://www.wikidata.org/entity/Q")) }""")
    assert {r["c"].removeprefix(ID + "country/") for r in found} == {"KHM", "CHN", "LAO", "MMR", "THA", "VNM"}
    thai = {r["c"].removeprefix(ID + "country/"): r["th"] for r in found}
    assert thai["THA"] == "ไทย" and thai["KHM"] == "กัมพูชา"


def test_activity_notation_and_part_of(server):
    found = select(server, f"""SELECT ?n ?ppc ?th WHERE {{ <{ID}plan/spa2/activity/4.8> skos:notation ?n ;
        dcterms:isPartOf ?ppc ; skos:prefLabel ?th FILTER (lang(?th) = "th") }}""")
    assert found == [{"n": "4.8", "ppc": f"{ID}plan/spa2/ppc/4", "th": found[0]["th"]}]
    assert "กฎหมาย" in found[0]["th"]


def test_direct_post_and_url_encoded_post(server):
    direct = httpx.post(f"{server}/sparql", content="ASK { ?s ?p ?o }",
                        headers={"content-type": "application/sparql-query"})
    assert direct.status_code == 200 and direct.json() == {"head": {}, "boolean": True}
    form = httpx.post(f"{server}/sparql", data={"query": "ASK { ?s ?p ?o }"})
    assert form.status_code == 200 and form.json()["boolean"] is True


def test_syntax_error_is_a_400_naming_the_position(server):
    response = httpx.get(f"{server}/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "query_syntax_error" and "1:" in body["message"]


def test_update_is_refused_clearly(server):
    response = httpx.post(f"{server}/sparql", data={"update": "INSERT DATA { <a:b> <a:c> <a:d> }"})
    assert response.status_code == 400 and response.json()["error"] == "unsupported_operation"
    response = httpx.post(f"{server}/sparql", content="INSERT DATA { <a:b> <a:c> <a:d> }",
                          headers={"content-type": "application/sparql-query"})
    assert response.status_code == 400 and "read-only" in response.json()["message"]


def test_unsupported_body_type_is_415(server):
    response = httpx.post(f"{server}/sparql", content="x", headers={"content-type": "text/plain"})
    assert response.status_code == 415 and response.json()["error"] == "unsupported_media_type"
