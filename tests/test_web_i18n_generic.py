"""The generic pages speak English and Thai like the rest: the property table of an /id/ resource without
a designed page, the ontology's documentation and the /sparql query form choose their language from
?lang=, the `lang` cookie or Accept-Language, take interface words from the catalogue and names from the
graph, and leave the RDF answers as they were. The ontology documentation is library code: it imports
nothing of the HTTP layer."""

from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser

import html5rdf
import httpx
import pyoxigraph as ox
import pytest

from commit_kg.catalogue import Catalogue
from commit_kg.namespaces import ID, ONTOLOGY, PREFIXES
from commit_kg.publish.describe import ontology_triples
from commit_kg.publish.ontology_doc import ontology_page
from commit_kg.store import EmbeddedStore
from commit_kg.web.i18n import catalogue as words_of

GENERIC = "thematic-area/policy-cooperation"  # a resource of a kind without a designed page
HTML = {"Accept": "text/html"}
THAI = words_of("th")


class Page(HTMLParser):
    """The html element's lang, every element id, and the language switch's links."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.lang, self.ids, self.switch = "", set(), {}
        self._in_switch = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang") or ""
        if found.get("id"):
            self.ids.add(found["id"])
        if tag == "nav" and "lang" in (found.get("class") or "").split():
            self._in_switch = True
        elif tag == "a" and self._in_switch:
            self.switch[found.get("hreflang")] = found.get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_switch = False


def label(store: EmbeddedStore, iri: str, lang: str) -> str:
    """The graph's rdfs:label of `iri` in `lang`."""
    rows = store.select("SELECT ?r ?lang ?label WHERE { ?r <http://www.w3.org/2000/01/rdf-schema#label> ?label "
                        "FILTER (lang(?label) = ?lang) }", r=ox.NamedNode(iri), lang=ox.Literal(lang))
    assert rows, (iri, lang)
    return rows[0]["label"].value


@pytest.mark.parametrize("path", [f"/id/{GENERIC}", "/ontology", "/sparql"])
def test_each_generic_page_is_thai_when_asked_and_remembers_it(server: str, path: str):
    thai = httpx.get(f"{server}{path}", params={"lang": "th"}, headers=HTML, timeout=30)
    assert thai.status_code == 200 and thai.headers["content-type"].startswith("text/html")
    html5rdf.HTMLParser(strict=True).parse(thai.text)  # raises on any HTML5 parse error
    page = Page(thai.text)
    assert page.lang == "th" and thai.headers["content-language"] == "th"
    assert "lang=th" in thai.headers["set-cookie"]
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in thai.headers["vary"].split(",")}
    assert page.switch == {"en": f"{server}{path}?lang=en", "th": f"{server}{path}?lang=th"}
    english = httpx.get(f"{server}{path}", headers=HTML, timeout=30)
    assert Page(english.text).lang == "en" and english.headers["content-language"] == "en"
    assert "set-cookie" not in english.headers
    # The same page in both languages: the same anchors (/ontology#Plan), the same links to formats.
    assert page.ids == Page(english.text).ids


@pytest.mark.parametrize("headers, cookies, chosen", [
    ({"Accept-Language": "th-TH,th;q=0.9,en;q=0.5"}, {}, "th"),
    ({"Accept-Language": "en;q=0.9,th;q=0.5"}, {}, "en"),
    ({"Accept-Language": "en"}, {"lang": "th"}, "th"),  # the remembered choice wins
    ({"Accept-Language": "th"}, {"lang": "en"}, "en"),
])
def test_language_from_the_cookie_then_accept_language(server: str, headers, cookies, chosen):
    for path in (f"/id/{GENERIC}", "/ontology", "/sparql"):
        answer = httpx.get(f"{server}{path}", headers={**HTML, **headers}, cookies=cookies, timeout=30)
        assert Page(answer.text).lang == chosen and answer.headers["content-language"] == chosen, path
        assert "set-cookie" not in answer.headers


def test_the_generic_resource_page_in_thai(server: str, store: EmbeddedStore):
    text = httpx.get(f"{server}/id/{GENERIC}", params={"lang": "th"}, headers=HTML, timeout=30).text
    heading = text[text.index("<h1>"):text.index("</h1>")]
    thai, english = label(store, ID + GENERIC, "th"), label(store, ID + GENERIC, "en")
    assert heading.index(thai) < heading.index(english)  # its Thai name first, its English one beside it
    for word in ("Description", "Referenced by", "property", "value", "Also as:"):
        assert f">{THAI[word]}" in text or f"{THAI[word]} " in text, word
    for word in (">Description<", ">Referenced by<", "Also as:"):
        assert word not in text
    english = httpx.get(f"{server}/id/{GENERIC}", params={"lang": "en"}, headers=HTML, timeout=30).text
    assert ">Description<" in english and ">Referenced by<" in english and "Also as:" in english


def test_the_ontology_documentation_in_thai(server: str, store: EmbeddedStore):
    text = httpx.get(f"{server}/ontology", params={"lang": "th"}, headers=HTML, timeout=30).text
    for word in ("Classes", "Object properties", "Definition", "Contents", "Domain"):
        assert f">{THAI[word]}<" in text, word
    assert ">Classes<" not in text and ">Definition<" not in text
    plan = text[text.index('id="Plan"'):]
    assert plan.index(label(store, PREFIXES["ck"] + "Plan", "th")) < plan.index(label(store, PREFIXES["ck"] + "Plan", "en"))
    # a union domain in Thai words
    signed = text[text.index('id="signedOn"'):]
    assert f"</a> {THAI['or']} <a" in signed[:signed.index("</section>")]


def test_the_ontology_documentation_is_library_code(store: EmbeddedStore, catalogue: Catalogue):
    """Made without the service: the same page in Thai from the function, and importing it loads no
    part of the HTTP layer."""
    page = ontology_page(ontology_triples(store, catalogue), "http://x", [], "th")
    assert '<html lang="th">' in page and f"<code>{ONTOLOGY}</code>" in page
    assert f">{THAI['Classes']}<" in page
    script = ("import sys, commit_kg.publish.ontology_doc; print(sorted(m for m in sys.modules "
              "if m.startswith(('commit_kg.service', 'fastapi', 'starlette'))))")
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    assert loaded.stdout.strip() == "[]"


def test_the_sparql_form_in_thai_keeps_its_form_and_prefixes(server: str):
    text = httpx.get(f"{server}/sparql", params={"lang": "th"}, headers=HTML, timeout=30).text
    assert f"<h1>{THAI['commit-kg SPARQL endpoint']}</h1>" in text
    assert f">{THAI['Predeclared prefixes']}<" in text and f">{THAI['Run']}<" in text
    assert f'<form method="post" action="{server}/sparql">' in text and 'name="query"' in text
    assert all(f"<code>{name}:</code>" in text and namespace in text for name, namespace in PREFIXES.items())


@pytest.mark.parametrize("path", [f"/id/{GENERIC}", "/ontology", "/sparql"])
def test_an_unknown_language_is_a_clear_400(server: str, path: str):
    answer = httpx.get(f"{server}{path}", params={"lang": "fr"}, headers=HTML, timeout=30)
    assert answer.status_code == 400
    body = answer.json()
    assert body["error"] == "invalid_parameter" and "'lang'" in body["message"] and "fr" in body["message"]


def test_rdf_answers_do_not_change_with_the_language(server: str):
    for path in (f"/id/{GENERIC}", "/ontology"):
        plain = httpx.get(f"{server}{path}", headers={"Accept": "text/turtle"}, timeout=30)
        thai = httpx.get(f"{server}{path}", params={"lang": "th"},
                         headers={"Accept": "text/turtle", "Accept-Language": "th"}, timeout=30)
        assert thai.status_code == 200 and thai.content == plain.content
        assert "content-language" not in thai.headers and "set-cookie" not in thai.headers
