"""The web pages over HTTP, without a browser: language negotiation and its cookie, the translation
catalogue covering every interface string, bad input, static files and the dashboard's render time."""

from __future__ import annotations

import datetime
from pathlib import Path

import httpx
import pytest
from babel.messages.extract import extract_from_dir, extract_python

from commit_kg.coverage import country_labels
from commit_kg.publish import ontology_doc
from commit_kg.store import EmbeddedStore
from commit_kg.web import dashboard, routes
from commit_kg.web.dashboard import graph_view
from commit_kg.web.i18n import catalogue, negotiate

WEB = Path(routes.__file__).resolve().parent
ONTOLOGY_DOC = Path(ontology_doc.__file__).resolve()


@pytest.mark.parametrize(("asked", "cookie", "header", "chosen"), [
    (None, None, None, "en"),
    (None, None, "th-TH,th;q=0.9,en;q=0.8", "th"),
    (None, None, "fr, en;q=0.5, th;q=0.9", "th"),
    (None, None, "th;q=0, en", "en"),
    (None, "th", "en", "th"),
    ("en", "th", "th", "en"),
    ("xx", None, "garbage;q=x", "en"),
])
def test_language_is_the_query_then_the_cookie_then_accept_language(asked, cookie, header, chosen):
    assert negotiate(asked, cookie, header) == chosen


def test_every_interface_string_has_a_thai_translation():
    """Extracted from the templates and code as pybabel would (babel.cfg), each msgid is in th/web.po; the
    ontology documentation (publish/ontology_doc.py) takes its words from the same catalogue."""
    keywords = {"_": None, "N_": None}
    found = {message for _, _, message, _, _ in extract_from_dir(
        str(WEB), method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
        keywords=keywords) if isinstance(message, str)}
    with ONTOLOGY_DOC.open("rb") as source:
        found |= {message for _, _, message, _ in extract_python(source, keywords, [], {}) if isinstance(message, str)}
    assert len(found) > 30
    assert sorted(found - set(catalogue("th"))) == []


def test_thai_from_accept_language_and_a_choice_remembered(server: str, store: EmbeddedStore):
    thai = httpx.get(f"{server}/?as_of=2005-01-01", headers={"Accept-Language": "th-TH,th;q=0.9"})
    assert thai.status_code == 200 and '<html lang="th">' in thai.text
    assert thai.headers["content-language"] == "th" and "set-cookie" not in thai.headers
    for labels in country_labels(store).values():
        assert labels["th"] in thai.text
    chosen = httpx.get(f"{server}/?as_of=2005-01-01&lang=en", headers={"Accept-Language": "th"})
    assert '<html lang="en">' in chosen.text and "lang=en" in chosen.headers["set-cookie"]
    remembered = httpx.get(f"{server}/", headers={"Accept-Language": "th"}, cookies={"lang": "en"})
    assert '<html lang="en">' in remembered.text


@pytest.mark.parametrize(("path", "status", "names"), [
    ("/?as_of=2005-13-01", 400, "as_of"),
    ("/?lang=fr", 400, "lang"),
    ("/coverage/mla/THA/THA", 404, "THA-THA"),
    ("/coverage/mla/THA/XXX", 404, "THA-XXX"),
    ("/coverage/bribery/THA/KHM", 400, "kind"),
    ("/web/static/../routes.py", 404, ""),
    ("/web/static/nothing.css", 404, "nothing.css"),
])
def test_bad_input_is_refused_naming_what(server: str, path: str, status: int, names: str):
    answer = httpx.get(f"{server}{path}")
    assert answer.status_code == status, answer.text
    assert set(answer.json()) == {"error", "message"} and names in answer.json()["message"]


def test_static_files_are_the_packages_own(server: str):
    css = httpx.get(f"{server}/web/static/site.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert css.text == (WEB / "static" / "site.css").read_text(encoding="utf-8")
    for name in ("noto-sans-thai-thai-400-normal.woff2", "noto-sans-thai-thai-700-normal.woff2"):
        assert f"fonts/{name}" in css.text
        assert httpx.get(f"{server}/web/static/fonts/{name}").content == (WEB / "static" / "fonts" / name).read_bytes()
    assert "Open Font License" in (WEB / "static" / "fonts" / "OFL-NotoSansThai.txt").read_text(encoding="utf-8")


def test_a_date_is_computed_once_per_graph_version_and_the_kept_dates_are_bounded(store: EmbeddedStore):
    """What keeps the dashboard fast (its server time is measured in bench/pages.py): a date seen before
    is the stored answer itself, not a new computation, and at most MAX_DAYS dates are kept."""
    view = graph_view(store)
    first = dashboard.answers(view, datetime.date(2006, 3, 1))
    assert dashboard.answers(view, datetime.date(2006, 3, 1)) is first
    for n in range(dashboard.MAX_DAYS + 5):
        dashboard.answers(view, datetime.date(2000, 1, 1) + datetime.timedelta(days=n))
    assert len(view.days) == dashboard.MAX_DAYS
    assert dashboard.answers(view, datetime.date(2006, 3, 1)) is not first  # pushed out, computed anew
    html = routes.render_dashboard(view, datetime.date(2008, 7, 1), "th", "http://x")
    assert 'value="2008-07-01"' in html


def test_search_finds_names_in_every_language(store: EmbeddedStore):
    """Each name of each member (English, Thai, and any national name the graph holds) finds that member,
    as typed, in capitals, or in part; nonsense and blanks find nothing; an exact name comes first."""
    from commit_kg.web.search import names, search

    index = names(store)
    languages = set()
    for _, iri, name, lang in index:
        if "/id/country/" in iri:
            languages.add(lang)
            for typed in (name, name.upper(), name[1:-1]):
                if typed.strip():
                    assert iri in [h.iri for h in search(index, typed)], (typed, iri)
    assert {"en", "th"} < languages
    assert search(index, "Thailand")[0].name == "Thailand"
    assert search(index, "zzqx-no-such-name") == [] and search(index, "  ") == []
