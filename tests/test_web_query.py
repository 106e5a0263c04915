"""The query page over HTTP: a named query put in the form, a SELECT answer as a table of labels linking
to pages, its CSV from /sparql, and errors shown in the page in plain words."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

import httpx

from commit_kg.catalogue import Catalogue
from commit_kg.coverage import country_labels
from commit_kg.namespaces import ID
from commit_kg.web.html import public_url
from commit_kg.web.query import example_text

MEMBERS = f"""PREFIX ck: <https://w3id.org/commit-kg/ontology#>
SELECT ?country ?name WHERE {{ <{ID}process/commit> ck:memberCountry ?country .
  ?country <http://www.w3.org/2000/01/rdf-schema#label> ?name FILTER (lang(?name) = "en") }} ORDER BY ?name"""


class Page(HTMLParser):
    """The parts of the query page a test reads: the textarea, the example links, the result cells, the
    CSV link and the error section."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.textarea, self.examples, self.cells, self.csv, self.error = "", [], [], None, ""
        self._in: list[str] = []
        self._cell: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "textarea":
            self._in.append(tag)
        elif a.get("id") in ("examples", "results", "query-error"):
            self._in.append(a["id"])
        elif tag == "td" and "results" in self._in:
            self._cell = {"text": "", "href": None, "lang": a.get("lang")}
        elif tag == "a" and a.get("id") == "csv":
            self.csv = a["href"]
        elif tag == "a" and self._cell is not None:
            self._cell["href"] = a["href"]
        elif tag == "a" and "examples" in self._in:
            self.examples.append(a["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.cells.append(self._cell)
            self._cell = None
        elif self._in and tag in ("textarea", "ul", "table", "section") and (
                tag == "textarea" or self._in[-1] != "textarea"):
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "textarea":
            self.textarea += data
        elif self._cell is not None:
            self._cell["text"] += data
        elif "query-error" in self._in:
            self.error += data


def test_every_named_query_is_an_example_that_fills_the_form(server: str, catalogue: Catalogue):
    page = Page(httpx.get(f"{server}/query?lang=en").text)
    assert len(page.examples) == len(catalogue.queries) > 5
    for href in page.examples:
        name = href.split("example=")[1].split("&")[0]
        filled = Page(httpx.get(f"{server}{href.removeprefix(server)}").text)
        assert filled.textarea.strip() == example_text(catalogue.get(name).text).strip(), name
        assert "#+" not in filled.textarea and "SELECT" in filled.textarea


def test_a_select_answer_is_a_table_of_labels_linking_to_pages(server: str, store):
    labels = country_labels(store)
    for lang in ("en", "th"):
        answer = httpx.get(f"{server}/query", params={"query": MEMBERS, "lang": lang})
        assert answer.status_code == 200, answer.text
        page = Page(answer.text)
        assert page.textarea.strip() == MEMBERS
        rows = [page.cells[i:i + 2] for i in range(0, len(page.cells), 2)]
        assert len(rows) == len(labels) == 6
        iri_of = {public_url(iri, server): iri for iri in labels}
        for country, name in rows:
            iri = iri_of[country["href"]]  # each IRI links to its page on this server
            assert country["text"] == labels[iri][lang]  # shown by its label in the page's language
            assert name["text"] == labels[iri]["en"] and name["lang"] == "en"


def test_the_csv_link_is_the_same_query_through_sparql(server: str, store):
    page = Page(httpx.get(f"{server}/query", params={"query": MEMBERS}).text)
    assert page.csv.startswith(f"{server}/sparql?") and "format=csv" in page.csv
    download = httpx.get(page.csv)
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [r["country"] for r in rows] == [
        iri for iri, _ in sorted(country_labels(store).items(), key=lambda item: item[1]["en"])]


def test_errors_are_shown_in_the_page(server: str):
    broken = httpx.get(f"{server}/query", params={"query": "SELECT ?x WHERE { ?x ", "lang": "en"})
    assert broken.status_code == 400 and broken.headers["content-type"].startswith("text/html")
    page = Page(broken.text)
    assert "could not be answered" in page.error and page.cells == [] and page.csv is None
    assert page.textarea.strip() == "SELECT ?x WHERE { ?x"  # kept in the form to be corrected
    update = Page(httpx.get(f"{server}/query", params={"query": "DELETE WHERE { ?s ?p ?o }"}).text)
    assert "read-only" in update.error
    construct = httpx.get(f"{server}/query", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "lang": "th"})
    assert construct.status_code == 400 and "CONSTRUCT" in Page(construct.text).error
    unknown = httpx.get(f"{server}/query", params={"example": "no-such-query"})
    assert unknown.status_code == 404 and "no-such-query" in Page(unknown.text).error
