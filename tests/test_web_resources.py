"""The country and instrument pages: what they list is what the named queries and the criteria table
give, in English and Thai; other kinds keep the generic page and the RDF answers are unchanged."""

from __future__ import annotations

import datetime
import html
import re

import httpx
import pyoxigraph as ox

from commit_kg import criteria
from commit_kg.catalogue import Catalogue
from commit_kg.namespaces import ID
from commit_kg.settings import Settings
from commit_kg.store import EmbeddedStore
from commit_kg.web.i18n import catalogue as catalogue_of

THA = f"{ID}country/THA"
UNTOC = f"{ID}instrument/untoc-2000"


def catalogue() -> Catalogue:
    return Catalogue(Settings().queries_dir)


def attributes(page: str, name: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(rf'{name}="([^"]+)"', page)]


def test_a_country_page_lists_exactly_the_named_query_instruments(server: str, store: EmbeddedStore):
    page = httpx.get(f"{server}/id/country/THA", headers={"Accept": "text/html"}).text
    rows = catalogue().get("country-instruments").select(store, country=ox.NamedNode(THA))
    assert rows
    assert sorted(set(attributes(page, "data-instrument"))) == sorted({r["instrument"].value for r in rows})
    assert "Instruments over time" in page and "Turtle" in page and f"{ID}country/THA?format=ttl" not in page


def test_a_country_page_gives_each_criterion_with_its_judged_law(server: str, store: EmbeddedStore):
    day = datetime.date(2012, 6, 1)
    page = httpx.get(f"{server}/id/country/THA?as_of={day}", headers={"Accept": "text/html"}).text
    cells = [c for c in criteria.table(store, day) if c.country == "THA"]
    assert len(cells) == 5
    assert sorted(attributes(page, "data-criterion")) == sorted(str(c.criterion) for c in cells)
    laws = {c.law.iri for c in cells if c.law}
    assert laws and set(attributes(page, "data-law")) == laws


def test_an_instrument_page_lists_each_participation_and_each_quote(server: str, store: EmbeddedStore):
    page = html.unescape(httpx.get(f"{server}/id/instrument/untoc-2000", headers={"Accept": "text/html"}).text)
    parties = catalogue().get("instrument-parties").select(store, instrument=ox.NamedNode(UNTOC))
    assert len(parties) == 6
    assert sorted(attributes(page, "data-party")) == sorted(r["country"].value for r in parties)
    for row in parties:
        row_html = page.split(f'data-party="{row["country"].value}"')[1].split("</tr>")[0]
        for key in ("signed", "ratified", "acceded", "approved", "in_force"):
            if key in row:
                assert row[key].value in row_html
    quotes = [r["q"].value for r in store.select(
        f"""SELECT ?q WHERE {{ {{ <{UNTOC}> <http://purl.org/dc/terms/source> ?s }} UNION
        {{ <{UNTOC}> <https://w3id.org/commit-kg/ontology#hasParticipation>/<http://purl.org/dc/terms/source> ?s }}
        ?s <https://w3id.org/commit-kg/ontology#quote> ?q }}""")]
    assert quotes and all(q in page for q in quotes)


def test_claims_show_which_was_chosen_and_why(server: str, store: EmbeddedStore):
    page = html.unescape(httpx.get(f"{server}/id/instrument/la-th-mou-2005", headers={"Accept": "text/html"}).text)
    assert attributes(page, "data-chosen").count("true") == 1 and "Chosen: two independent sources" in page


def test_thai_labels_from_the_graph_under_lang_th(server: str, store: EmbeddedStore):
    page = httpx.get(f"{server}/id/country/THA?lang=th", headers={"Accept": "text/html"}).text
    assert '<html lang="th">' in page
    thai = {r["l"].value for r in store.select(f"""SELECT ?l WHERE {{ <{ID}country/KHM>
        <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER (lang(?l) = "th") }}""")}
    assert thai and all(label in page for label in thai)
    instrument = httpx.get(f"{server}/id/instrument/untoc-2000?lang=th", headers={"Accept": "text/html"}).text
    assert '<html lang="th">' in instrument and "<h2>Parties</h2>" not in instrument
    assert f"<h2>{catalogue_of('th')['Parties']}</h2>" in instrument


def test_other_kinds_keep_the_generic_page_and_rdf_is_unchanged(server: str):
    generic = httpx.get(f"{server}/id/process/commit", headers={"Accept": "text/html"}).text
    assert "Referenced by" in generic
    turtle = httpx.get(f"{server}/id/country/THA?format=ttl")
    assert turtle.headers["content-type"].startswith("text/turtle") and "<html" not in turtle.text
