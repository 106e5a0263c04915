"""Linked-data resources over real HTTP, from a real server process: /id/... and /ontology, by content
negotiation, parsed back with rdflib (a second RDF toolkit) and a strict HTML5 parser."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlsplit

import html5rdf
import httpx
import pytest
import rdflib
from conftest import running_server
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from commit_kg.namespaces import CK, ID, ONTOLOGY
from commit_kg.settings import PROJECT_ROOT

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
THA = rdflib.URIRef(ID + "country/THA")
CKNS = rdflib.Namespace(CK)
RDF_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
             "application/rdf+xml": "xml"}
PUBLIC = "https://kg.example.org/commit"
NOTE = "a note in a <b>blank</b> node & more"


def get(url: str, accept: str | None = None, **params: str) -> httpx.Response:
    return httpx.get(url, headers={"Accept": accept} if accept else {}, params=params, timeout=30)


def parse(response: httpx.Response) -> rdflib.Graph:
    media = response.headers["content-type"].split(";")[0]
    return rdflib.Graph().parse(data=response.content, format=RDF_TYPES[media])


class Page(HTMLParser):
    """What the tests look at in a page: element ids, link targets, tags, the html element's lang."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if found.get("id"):
            self.ids.add(found["id"] or "")
        if found.get("href"):
            self.hrefs.append(found["href"] or "")


def html_page(response: httpx.Response) -> Page:
    """The page, after checking it is valid HTML5 in English and UTF-8, with nothing it must fetch."""
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html5rdf.HTMLParser(strict=True).parse(response.text)  # raises on any HTML5 parse error
    page = Page(response.text)
    assert response.text.startswith("<!DOCTYPE html>")
    assert ("html", {"lang": "en"}) in page.tags
    assert ("meta", {"charset": "utf-8"}) in page.tags
    assert not [tag for tag, attrs in page.tags if tag in ("script", "img", "iframe", "object") or "src" in attrs]
    # Only alternates and the site's own stylesheet (this server, under /web/static/) are linked.
    own_style = lambda attrs: attrs.get("rel") == "stylesheet" and urlsplit(attrs.get("href", "")).hostname in (  # noqa: E731
        None, "127.0.0.1", urlsplit(PUBLIC).hostname) and "/web/static/" in attrs.get("href", "")
    assert not [attrs for tag, attrs in page.tags if tag == "link" and attrs.get("rel") != "alternate"
                and not own_style(attrs)]
    return page


def assert_links_use(base: str, page: Page) -> None:
    """Every link goes to this server, or outside commit-kg altogether (Wikidata, a licence)."""
    assert page.hrefs
    for href in page.hrefs:
        assert href.startswith((base + "/", "#")) or (
            href.startswith(("http://", "https://")) and "w3id.org/commit-kg" not in href), href


@pytest.fixture(scope="module")
def public_server(tmp_path_factory: pytest.TempPathFactory, backend) -> Iterator[str]:
    """A server configured with a public base URL, on the repository's data plus one blank node."""
    data = tmp_path_factory.mktemp("resources") / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    (data / "blank-node-fixture.ttl").write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f"<{THA}> rdfs:seeAlso [ rdfs:comment \"{NOTE}\"@en ;\n"
        f"    rdfs:seeAlso <{ID}country/KHM> ] .\n", encoding="utf-8")
    with backend("--data-dir", str(data)) as arguments, \
            running_server(*arguments, env={"COMMIT_KG_BASE_URL": PUBLIC + "/"}) as url:
        yield url


# ---------------------------------------------------------------- descriptions

def test_country_in_turtle_has_its_labels_and_the_instruments_it_is_party_to(server):
    response = get(f"{server}/id/country/THA", "text/turtle")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    graph = parse(response)
    assert (THA, RDFS.label, rdflib.Literal("Thailand", lang="en")) in graph
    assert (THA, RDFS.label, rdflib.Literal("ไทย", lang="th")) in graph
    assert (THA, SKOS.prefLabel, rdflib.Literal("ไทย", lang="th")) in graph
    parties = set(graph.subjects(CKNS.party, THA))
    participations = set(graph.subjects(CKNS.participant, THA))
    assert rdflib.URIRef(ID + "participation/untoc-2000/THA") in participations
    assert parties, "no bilateral instrument names Thailand as a party"
    for instrument in parties:  # incoming links come with their names, so a page can show them
        assert any(True for _ in graph.objects(instrument, RDFS.label)), instrument


def test_a_description_holds_the_resource_its_neighbours_and_their_labels_only(server):
    graph = parse(get(f"{server}/id/plan/spa2/ppc/4", "text/turtle"))
    ppc = rdflib.URIRef(ID + "plan/spa2/ppc/4")
    assert (ppc, rdflib.URIRef("http://purl.org/dc/terms/isPartOf"), rdflib.URIRef(ID + "plan/spa2")) in graph
    assert (rdflib.URIRef(ID + "plan/spa2/activity/4.8"), rdflib.URIRef("http://purl.org/dc/terms/isPartOf"),
            ppc) in graph
    for s, p, o in graph:
        assert ppc in (s, o) or p in (RDFS.label, SKOS.prefLabel), (s, p, o)
    # the labels of the properties used, from the ontology, and of the plan it is part of
    assert (rdflib.URIRef(ID + "plan/spa2"), RDFS.label, None) in graph
    assert (CKNS.hasGoal, RDFS.label, None) in graph


@pytest.mark.parametrize("media", ["application/ld+json", "application/n-triples", "application/rdf+xml"])
def test_every_rdf_format_parses_to_the_same_graph(server, media):
    turtle = parse(get(f"{server}/id/country/THA", "text/turtle"))
    response = get(f"{server}/id/country/THA", media)
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == media
    other = parse(response)
    assert len(other) == len(turtle) and (THA, RDFS.label, rdflib.Literal("ไทย", lang="th")) in other


def test_format_parameter_wins_over_accept(server):
    response = get(f"{server}/id/country/THA", BROWSER, format="jsonld")
    assert response.headers["content-type"] == "application/ld+json"
    assert (THA, RDF.type, CKNS.Country) in parse(response)
    assert get(f"{server}/id/country/THA", "text/turtle", format="html").headers["content-type"].startswith("text/html")
    refused = get(f"{server}/id/country/THA", format="png")
    assert refused.status_code == 406 and refused.json()["error"] == "not_acceptable"


# ---------------------------------------------------------------- negotiation

def test_a_browser_gets_html_with_the_thai_label(server):
    response = get(f"{server}/id/country/THA", BROWSER)
    assert response.status_code == 200
    page = html_page(response)
    assert "ไทย" in response.text and '<span lang="th">ไทย</span>' in response.text
    assert "<title>Thailand · ไทย" in response.text and "Referenced by" in response.text
    assert f"{server}/id/participation/untoc-2000/THA" in page.hrefs  # an incoming link, clickable
    assert f"{server}/ontology#party" in page.hrefs  # a property, to its documentation


@pytest.mark.parametrize(("accept", "expected"), [
    ("text/turtle;q=0.9, application/ld+json", "application/ld+json"),
    ("application/ld+json;q=0.5, text/html", "text/html"),
    ("text/html;q=0.5, text/turtle", "text/turtle"),
    ("*/*", "text/turtle"),
    ("", "text/turtle"),
    ("application/*", "application/ld+json"),
    ("application/n-triples, */*;q=0.1", "application/n-triples"),
])
def test_q_values_decide(server, accept, expected):
    response = get(f"{server}/id/country/THA", accept)
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == expected


def test_an_unsupported_type_is_a_406_in_json(server):
    response = get(f"{server}/id/country/THA", "image/png")
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"] == "not_acceptable" and "text/turtle" in response.json()["message"]


@pytest.mark.parametrize("path", ["nothing/here", "country/XXX", "", "country/THA/extra", "bad%20iri"])
def test_an_unknown_resource_is_a_404_in_json(server, path):
    response = get(f"{server}/id/{path}", "text/turtle")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_vary_link_and_content_location(server):
    url = f"{server}/id/country/THA"
    response = get(url, "text/turtle")
    assert "Accept" in response.headers["vary"]
    assert response.headers["content-location"] == f"{url}?format=ttl"
    alternates = re.findall(r'<([^>]*)>; rel="alternate"; type="([^"]*)"', response.headers["link"])
    assert sorted(media for _, media in alternates) == [
        "application/ld+json", "application/n-triples", "application/rdf+xml", "text/html"]
    for href, media in alternates:  # each alternate is served, as the type it names
        served = httpx.get(href, timeout=30)
        assert served.status_code == 200 and served.headers["content-type"].split(";")[0] == media
        assert "Accept" in served.headers["vary"] and f"<{url}?format=ttl>" in served.headers["link"]


def test_head_answers_with_the_headers_only(server):
    response = httpx.head(f"{server}/id/country/THA", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"].startswith("text/turtle") and "link" in response.headers


# ---------------------------------------------------------------- the ontology

def test_ontology_in_turtle_is_every_triple_of_the_ontology_graphs(server):
    response = get(f"{server}/ontology", "text/turtle")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    graph = parse(response)
    assert (rdflib.URIRef(ONTOLOGY), RDF.type, OWL.Ontology) in graph
    assert (CKNS.Plan, RDF.type, OWL.Class) in graph
    assert not list(graph.subjects(None, THA))  # no instance data
    count = httpx.get(f"{server}/sparql", params={"query": """SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o
        WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "https://w3id.org/commit-kg/graph/ontology/")) } }"""},
        headers={"Accept": "application/sparql-results+json"}).json()
    assert len(graph) == int(count["results"]["bindings"][0]["n"]["value"])


def test_ontology_documentation_in_html(server):
    response = get(f"{server}/ontology", BROWSER)
    assert response.status_code == 200
    page = html_page(response)
    graph = parse(get(f"{server}/ontology", "text/turtle"))
    documented = {str(t)[len(CK):] for t in graph.subjects(RDF.type, None) if str(t).startswith(CK)}
    assert "Plan" in page.ids and "party" in page.ids and "AdoptionDate" in page.ids
    assert documented <= page.ids, documented - page.ids  # /ontology#Term works for every term
    for words in ("0.3.0", "https://w3id.org/commit-kg/ontology/0.3.0", "creativecommons.org/licenses/by/4.0",
                  "แผนปฏิบัติการอนุภูมิภาค", "0.1.0: first release"):
        assert words in response.text, words
    # a union domain is written out, not left as a blank node
    section = response.text[response.text.index('id="signedOn"'):]
    assert "legal instrument</a> or <a" in section[:section.index("</section>")]


def test_the_ontology_iri_and_its_terms_resolve_from_resource_pages(server):
    page = Page(get(f"{server}/id/country/THA", BROWSER).text)
    assert f"{server}/ontology#Country" in page.hrefs
    assert get(f"{server}/ontology#Country", BROWSER).status_code == 200  # the fragment stays in the client


# ---------------------------------------------------------------- public links

@pytest.mark.parametrize("path", ["/id/country/THA", "/id/plan/spa2/ppc/4", "/id/instrument/untoc-2000", "/ontology"])
def test_every_link_in_a_page_uses_the_public_base(server, path):
    assert_links_use(server, html_page(get(f"{server}{path}", BROWSER)))


def test_a_configured_public_base_is_used_in_links_and_headers(public_server):
    response = get(f"{public_server}/id/country/THA", BROWSER)
    page = html_page(response)
    assert_links_use(PUBLIC, page)
    assert f"{PUBLIC}/id/country/KHM" in page.hrefs
    assert response.headers["content-location"] == f"{PUBLIC}/id/country/THA?format=html"
    assert f"<{PUBLIC}/id/country/THA?format=ttl>" in response.headers["link"]
    assert_links_use(PUBLIC, html_page(get(f"{public_server}/ontology", BROWSER)))
    # the IRIs in the data stay the w3id.org ones
    assert (THA, RDF.type, CKNS.Country) in parse(get(f"{public_server}/id/country/THA", "text/turtle"))


def test_one_level_of_outgoing_blank_nodes_is_included(public_server):
    graph = parse(get(f"{public_server}/id/country/THA", "text/turtle"))
    notes = list(graph.objects(THA, RDFS.seeAlso))
    assert len(notes) == 1 and isinstance(notes[0], rdflib.BNode)
    assert (notes[0], RDFS.comment, rdflib.Literal(NOTE, lang="en")) in graph
    assert (notes[0], RDFS.seeAlso, rdflib.URIRef(ID + "country/KHM")) in graph
    assert (rdflib.URIRef(ID + "country/KHM"), RDFS.label, rdflib.Literal("Cambodia", lang="en")) in graph
    page = html_page(get(f"{public_server}/id/country/THA", BROWSER))
    assert f"{PUBLIC}/id/country/KHM" in page.hrefs


def test_text_from_the_data_is_escaped(public_server):
    """Literals reach a page as text: markup in the data is shown, never interpreted."""
    text = get(f"{public_server}/id/country/THA", BROWSER).text
    assert "a note in a &lt;b&gt;blank&lt;/b&gt; node &amp; more" in text and "<b>" not in text
    assert "&#x27;ประเทศไทย&#x27;" in text  # Thailand's editorial note quotes words in single quotes
