"""The designed /id/ pages of laws, assessments, plans, PPCs, activities, criteria, meetings, source
citations and source documents: each shows what the graph says of it (checked against the store), in
English and Thai, names things by their labels, shows its sources with their words, and every link it
offers answers."""

from __future__ import annotations

import datetime
import html
import re
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin

import httpx
import pytest

from commit_kg import criteria
from commit_kg.namespaces import CK, ID
from commit_kg.store import EmbeddedStore
from commit_kg.web.i18n import catalogue as catalogue_of

DCT = "http://purl.org/dc/terms/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
PROV = "http://www.w3.org/ns/prov#"
HTML = {"Accept": "text/html"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}  # what a browser sends
# One resource of each kind (IRIs under /id/ never change).
EXAMPLES = {
    "law": "law/khm-law-suppression-human-trafficking-2008",
    "assessment": "assessment/KHM/1/2009-12-31",
    "plan": "plan/spa2",
    "ppc": "plan/spa2005r/ppc/3",
    "activity": "plan/spa2/activity/1.1",
    "criterion": "criterion/1",
    "meeting": "meeting/imm2",
    "citation": "source/web/qdnd-2007-12-16",
    "seed-citation": "source/spa2-overview-th/L19",
    "document": "source/spa2-overview-th",
}


class Visible(HTMLParser):
    """The text a reader sees in <main>, without the folded list of every statement, the resource's
    own IRI line and the editorial notes (free text from the data); and the links of the same part."""

    SKIP = ({"id": "statements"}, {"class": "iri"}, {"class": "note"})

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self.stack: list[tuple[str, bool]] = []
        self.in_main = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "main":
            self.in_main = True
        skipping = (self.stack and self.stack[-1][1]) or any(
            all(attributes.get(k) == v for k, v in rule.items()) for rule in self.SKIP)
        if tag not in ("br", "img", "input", "meta", "link"):
            self.stack.append((tag, bool(skipping)))
        if self.in_main and not skipping and tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self.in_main and not (self.stack and self.stack[-1][1]):
            self.text.append(data)


def visible(page: str) -> Visible:
    parser = Visible()
    parser.feed(page)
    return parser


def get(server: str, path: str, **params: str) -> str:
    answer = httpx.get(f"{server}/id/{path}", params=params, headers=HTML)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    return answer.text


def attributes(page: str, name: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(rf'{name}="([^"]+)"', page)]


def objects(store: EmbeddedStore, s: str, p: str) -> set[str]:
    return {r["o"].value for r in store.select(f"SELECT ?o WHERE {{ <{s}> <{p}> ?o }}")}


def subjects(store: EmbeddedStore, p: str, o: str) -> set[str]:
    return {r["s"].value for r in store.select(f"SELECT ?s WHERE {{ ?s <{p}> <{o}> }}")}


def label(store: EmbeddedStore, iri: str, lang: str = "en") -> str:
    rows = store.select(f'SELECT ?l WHERE {{ <{iri}> <{RDFS}label> ?l FILTER (lang(?l) = "{lang}") }}')
    return rows[0]["l"].value


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_each_kind_has_its_page_with_downloads_a_ready_query_and_its_sources(server: str, store: EmbeddedStore, kind: str):
    iri = ID + EXAMPLES[kind]
    page = get(server, EXAMPLES[kind])
    assert 'id="statements"' in page and "Referenced by" in page  # every statement, folded below
    assert 'id="facts"' in page, "the kind's own facts, not the generic table"
    for form in ("ttl", "jsonld", "nt", "rdfxml"):
        assert f"/id/{EXAMPLES[kind]}?format={form}" in page
    ready = f"SELECT ?property ?value WHERE {{ <{iri}> ?property ?value }}"
    assert 'id="sparql-link"' in page and html.escape(f"/query?{urlencode({'query': ready})}") in page
    if kind in ("citation", "seed-citation", "document"):
        return  # a source's own page: its lines, quote and citations are checked below
    cited = objects(store, iri, DCT + "source")
    assert cited and cited == set(attributes(page, "data-source")), "every source of the resource is listed"
    quotes = {q for c in cited for q in objects(store, c, CK + "quote")}
    assert all(q in html.unescape(page) for q in quotes)


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
@pytest.mark.parametrize("lang", ["en", "th"])
def test_no_raw_iri_where_a_person_reads(server: str, kind: str, lang: str):
    text = " ".join(visible(get(server, EXAMPLES[kind], lang=lang)).text)
    assert "w3id.org/commit-kg" not in text
    assert not re.search(r"\b(ck|id|dcterms|skos|prov):[A-Za-z]", text)


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_every_link_of_the_page_answers(server: str, kind: str):
    page = get(server, EXAMPLES[kind], lang="th")
    own = sorted({urljoin(f"{server}/id/{EXAMPLES[kind]}", html.unescape(link)).split("#")[0]
                  for link in visible(page).links} - {""})
    internal = [link for link in own if link.startswith(server)]
    assert internal
    with httpx.Client(headers=BROWSER) as client:
        for link in internal:
            assert client.get(link).status_code == 200, link


def test_thai_labels_and_interface_from_the_graph_and_the_catalogue(server: str, store: EmbeddedStore):
    thai = catalogue_of("th")
    for kind in ("plan", "ppc", "activity", "criterion"):
        page = get(server, EXAMPLES[kind], lang="th")
        assert '<html lang="th">' in page
        assert f"<h1>{html.escape(label(store, ID + EXAMPLES[kind], 'th'))}</h1>" in page
        assert f"<h2>{thai['Sources']}</h2>" in page and "<h2>Sources</h2>" not in page
    ppc = get(server, EXAMPLES["ppc"], lang="th")
    older = objects(store, ID + EXAMPLES["ppc"], PROV + "wasDerivedFrom")
    assert older and all(html.escape(label(store, o, "th")) in ppc for o in older)


def test_a_law_lists_the_assessments_that_judge_it(server: str, store: EmbeddedStore):
    law = ID + EXAMPLES["law"]
    page = get(server, EXAMPLES["law"])
    judged = subjects(store, CK + "assessesLaw", law) | subjects(store, CK + "evidenceLaw", law)
    assert judged and set(attributes(page, "data-assessment")) == judged
    country = objects(store, law, CK + "jurisdiction").pop()
    assert f">{label(store, country)}</a>" in page
    statuses = {label(store, s) for a in judged for s in objects(store, a, CK + "assessmentStatus")}
    assert all(s in page for s in statuses)


def test_an_assessment_shows_its_country_criterion_law_status_validity_and_rationale(server: str, store: EmbeddedStore):
    me = ID + EXAMPLES["assessment"]
    page = html.unescape(get(server, EXAMPLES["assessment"]))
    for prop in ("assessedCountry", "criterion", "assessesLaw", "assessmentStatus", "confidence"):
        assert all(label(store, o) in page for o in objects(store, me, CK + prop)), prop
    for prop in ("rationale", "validityReason", "assessedOn", "validFrom"):
        values = objects(store, me, CK + prop)
        assert values and all(v in page for v in values), prop


def test_a_plan_lists_its_ppcs_in_order_and_the_plans_around_it(server: str, store: EmbeddedStore):
    plan = ID + EXAMPLES["plan"]
    page = get(server, EXAMPLES["plan"])
    rows = store.select(f"""SELECT ?p ?n WHERE {{ ?p <{DCT}isPartOf> <{plan}> ; a <{CK}ProjectProposalConcept> ;
        <http://www.w3.org/2004/02/skos/core#notation> ?n }}""")
    assert len(rows) == 8
    assert attributes(page, "data-ppc") == [r["p"].value for r in sorted(rows, key=lambda r: int(r["n"].value))]
    around = objects(store, plan, CK + "followsPlan") | subjects(store, CK + "followsPlan", plan)
    assert len(around) == 2 and all(html.escape(label(store, p)) in page for p in around)


def test_a_ppc_shows_each_step_with_its_kind_and_evidence(server: str, store: EmbeddedStore):
    for path in (EXAMPLES["ppc"], "plan/spa2/ppc/4"):
        me = ID + path
        page = get(server, path)
        assert set(attributes(page, "data-older")) == objects(store, me, PROV + "wasDerivedFrom")
        assert set(attributes(page, "data-newer")) == subjects(store, PROV + "wasDerivedFrom", me)
        steps = store.select(f"""SELECT ?how ?ev WHERE {{ <{me}> <{PROV}qualifiedDerivation> ?s . ?s a ?how ;
            <{CK}evidenceStatus> ?ev FILTER (?how != <{CK}PPCDerivation> && STRSTARTS(STR(?how), "{CK}")) }}""")
        shown = re.findall(r'data-older="[^"]+" data-how="(\w+)" data-evidence="(\w+)"', page)
        assert sorted(shown) == sorted((r["how"].value.split("#")[1], r["ev"].value.split("#")[1]) for r in steps)
        assert 'href="' in page and "/lineage" in page
    merged = get(server, "plan/spa2/ppc/4")
    assert {"Merger", "Split"} <= set(attributes(merged, "data-how"))
    activities = subjects(store, DCT + "isPartOf", ID + "plan/spa2/ppc/4")
    assert activities and set(attributes(merged, "data-activity")) == activities


def test_an_activity_shows_its_texts_in_english_and_thai(server: str, store: EmbeddedStore):
    me = ID + EXAMPLES["activity"]
    page = html.unescape(get(server, EXAMPLES["activity"]))
    for prop in ("implementationSteps", "regionalRole", "nationalRole"):
        texts = store.select(f"SELECT ?t WHERE {{ <{me}> <{CK}{prop}> ?t }}")
        assert {t["t"].language for t in texts} == {"en", "th"}
        assert all(t["t"].value in page for t in texts), prop
    assert label(store, objects(store, me, DCT + "isPartOf").pop()) in page


def test_a_criterion_gives_each_country_status_on_the_date(server: str, store: EmbeddedStore):
    for day in (datetime.date(2009, 6, 1), datetime.date(2020, 1, 1)):
        page = get(server, EXAMPLES["criterion"], as_of=day.isoformat())
        cells = [c for c in criteria.table(store, day) if c.criterion == 1]
        rows = re.findall(r'data-country="([A-Z]{3})" data-status="([a-z-]+)"', page)
        assert len(rows) == 6 and sorted(rows) == sorted((c.country, c.status) for c in cells)


def test_a_meeting_lists_what_it_adopted(server: str, store: EmbeddedStore):
    me = ID + EXAMPLES["meeting"]
    page = html.unescape(get(server, EXAMPLES["meeting"]))
    adopted = subjects(store, CK + "adoptedAt", me)
    assert len(adopted) == 2 and set(attributes(page, "data-adopted")) == adopted
    assert all(p in page for p in objects(store, me, CK + "placeName"))


def test_citations_show_their_lines_or_quote_and_what_they_support(server: str, store: EmbeddedStore):
    seed = ID + EXAMPLES["seed-citation"]
    page = get(server, EXAMPLES["seed-citation"])
    line = objects(store, seed, CK + "lineStart").pop()
    assert f"line {line}" in page
    assert set(attributes(page, "data-cited-by")) == subjects(store, DCT + "source", seed)
    web = ID + EXAMPLES["citation"]
    page = html.unescape(get(server, EXAMPLES["citation"]))
    assert all(q in page for q in objects(store, web, CK + "quote"))
    assert all(d in page for d in objects(store, web, CK + "inDocument"))
    document = get(server, EXAMPLES["document"])
    assert set(attributes(document, "data-source")) == subjects(store, CK + "inDocument", ID + EXAMPLES["document"])


def test_the_rdf_answers_of_these_kinds_are_unchanged(server: str):
    turtle = httpx.get(f"{server}/id/{EXAMPLES['ppc']}?format=ttl")
    assert turtle.headers["content-type"].startswith("text/turtle") and "<html" not in turtle.text
    assert "prov:wasDerivedFrom" in turtle.text


def test_a_language_chosen_on_a_resource_page_is_remembered(server: str):
    chosen = httpx.get(f"{server}/id/{EXAMPLES['plan']}", params={"lang": "th"}, headers=HTML)
    assert chosen.cookies.get("lang") == "th" and "Accept-Language" in chosen.headers["vary"]
    later = httpx.get(f"{server}/id/{EXAMPLES['ppc']}", headers=HTML, cookies={"lang": "th"})
    assert '<html lang="th">' in later.text


def test_a_law_shows_its_claims_and_which_was_chosen(server: str, store: EmbeddedStore):
    law = ID + EXAMPLES["law"]
    page = html.unescape(get(server, EXAMPLES["law"]))
    claims = objects(store, law, CK + "hasClaim")
    chosen = [objects(store, c, CK + "chosen") for c in claims]
    assert len(claims) >= 2 and attributes(page, "data-chosen").count("true") == sum("true" in c for c in chosen)
    assert all(r in page for c in claims for r in objects(store, c, CK + "reason"))


def test_every_plan_ppc_meeting_criterion_and_law_has_its_designed_page(server: str, store: EmbeddedStore):
    """Not only the examples: each resource of these kinds renders its page, naming things by label."""
    rows = store.select(f"""SELECT DISTINCT ?s WHERE {{ VALUES ?c {{ <{CK}Plan> <{CK}ProjectProposalConcept> <{CK}Meeting>
        <{CK}LegalFrameworkCriterion> <{CK}NationalLegislation> }} ?s a/<{RDFS}subClassOf>* ?c }}""")
    assert len(rows) > 70
    with httpx.Client(headers=HTML) as client:
        for row in rows:
            page = client.get(f"{server}/id/{row['s'].value.split('/id/', 1)[1]}", params={"lang": "th"}).text
            assert 'id="facts"' in page, row["s"].value
            assert "w3id.org/commit-kg" not in " ".join(visible(page).text), row["s"].value
