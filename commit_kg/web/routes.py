"""The pages for people: the dashboard at / and each coverage cell's page, in English or Thai.

A page is rendered from the answers kept per graph version (dashboard.py) and the rendered HTML is kept
per graph version, date, language and base URL, so a repeated request costs a dictionary look-up. Pages
load only same-origin files from /web/static/ (no inline script or style: the service's
Content-Security-Policy allows only its own origin)."""

from __future__ import annotations

import datetime
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from threading import Lock
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Cookie, Header, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..bounded_cache import BoundedCache
from ..build import BuiltGraph
from ..coverage import KINDS, LEVELS, CoverageIndex
from ..errors import NotFoundError, ParameterError, excerpt
from ..namespaces import ID
from ..service.deps import BaseDep, CoverageDep, GraphDep, StoreDep
from ..service.home import places
from ..store import EmbeddedStore
from .dashboard import STATUS_SYMBOLS, SYMBOLS, GraphView, answers, graph_view, pair
from .html import public_url
from .i18n import LANGUAGES, gettext_for, negotiate
from .lineage import COLUMN, PLANS, WIDTH, layout
from .lineage import KINDS as STEP_KINDS
from .search import search
from .xlsx import MEDIA as XLSX
from .xlsx import workbook

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                        trim_blocks=True, lstrip_blocks=True)


def N_(message: str) -> str:
    """Marks a message for extraction (pybabel extract -k N_); it is translated where it is shown."""
    return message


PRESETS = (("2007-12-31", N_("end of SPA I")), ("2010-12-31", N_("end of SPA II")))
KIND_TITLES = {"mla": N_("Mutual legal assistance"), "extradition": N_("Extradition"),
               "anti-trafficking": N_("Anti-trafficking cooperation")}
LEVEL_NAMES = {"bilateral": N_("bilateral"), "regional": N_("regional"), "untoc": N_("UNTOC only"),
               "none": N_("none"), "unknown": N_("unknown")}
STATUS_NAMES = {"met": N_("met"), "partly-met": N_("partly met"), "not-met": N_("not met"), "unknown": N_("unknown")}
STEP_NAMES = {"Merger": N_("merger"), "Split": N_("split"), "Renaming": N_("renaming"),
              "Renumbering": N_("renumbering"), "ScopeExpansion": N_("scope expansion"),
              "Continuation": N_("continuation")}
PLAN_SHORT = {"spa2005": N_("SPA 2005"), "spa2005r": N_("SPA 2005, revised 2006"), "spa2": N_("SPA II")}
STEP_COLOURS = {"Merger": "#8a2be2", "Split": "#b35c00", "Renaming": "#0b6e4f", "Renumbering": "#4a4a4a",
                "ScopeExpansion": "#0b4f9c", "Continuation": "#6b6b6b"}
# The names of the service's main addresses (service/home.py PLACES), shown in every page's footer.
PLACE_NAMES = (N_("SPARQL endpoint"), N_("API documentation"), N_("Ontology"), N_("Dumps"),
               N_("Dataset description"), N_("Named queries"))
LEGEND = (*reversed(LEVELS), "unknown")  # strongest first
COOKIE = "lang"
YEAR = 365 * 24 * 3600

router = APIRouter(tags=["pages"])
# Routes run in the thread pool: the graph views are read and written under one lock (the page cache has its own).
_lock = Lock()
_views: OrderedDict[str, GraphView] = OrderedDict()
# Rendered pages by (graph version, date, language, configured base URL, ...): at most 128 (about 75 kB
# each) and 16 MB; the base is never a request's Host (commit_kg/public_url.py).
_pages: BoundedCache[str] = BoundedCache(len, entries=128, budget=16 << 20)


def view_of(graph: BuiltGraph, store: EmbeddedStore, index: CoverageIndex) -> GraphView:
    """The graph view of this graph version (over the service's own coverage index), made on first use;
    older versions are dropped."""
    with _lock:
        found = _views.get(graph.version)
        if found is None:
            found = _views[graph.version] = graph_view(store, index)
            while len(_views) > 1:
                _views.popitem(last=False)
        return found


def parse_day(as_of: str | None) -> datetime.date:
    if not as_of:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(as_of)
    except ValueError:
        raise ParameterError(f"query parameter 'as_of': not a date in YYYY-MM-DD form (got {excerpt(as_of)})") from None


def page(request: Request, html: str, lang: str, asked: str | None) -> HTMLResponse:
    """The HTML answer; a chosen language is remembered in a cookie for a year."""
    answer = HTMLResponse(html, headers={"Vary": "Accept-Language, Cookie", "Content-Language": lang})
    if asked in LANGUAGES:
        answer.set_cookie(COOKIE, asked, max_age=YEAR, samesite="lax", path="/")
    return answer


def cached(key: tuple, render: Callable[[], str]) -> str:
    """The page rendered for `key` (graph version, date, language, base URL …), rendered on first use."""
    return _pages.get(key, render)


def common(lang: str, base: str, path: str, query: dict[str, str]) -> dict:
    """What every page's frame needs: translations, the language switch, the main addresses."""
    switch = [(code, f"{path}?{urlencode({**query, 'lang': code})}") for code in LANGUAGES]
    return {"_": gettext_for(lang), "lang": lang, "base": base, "switch": switch, "places": places(base),
            "symbols": SYMBOLS, "status_symbols": STATUS_SYMBOLS, "level_names": LEVEL_NAMES,
            "status_names": STATUS_NAMES, "kind_titles": KIND_TITLES, "levels": LEGEND}


def render_dashboard(view: GraphView, day: datetime.date, lang: str, base: str,
                     template: str = "dashboard.html") -> str:
    """The dashboard, or (template="report.html") its printable gap report, for one date and language."""
    made = answers(view, day)
    by_iso = {c.iso: c for c in view.countries}
    matrices = []
    for kind in KINDS:
        rows = []
        for a in view.countries:
            cells = []
            for b in view.countries:
                answer = made["coverage"][kind].get(frozenset((a.iso, b.iso))) if a.iso != b.iso else None
                cells.append({"answer": answer, "col": b,
                              "href": f"{base}/coverage/{kind}/{a.iso}/{b.iso}?as_of={day}" if answer else None})
            rows.append({"country": a, "cells": cells})
        matrices.append({"kind": kind, "rows": rows})
    criteria_rows: dict[str, list] = {}
    numbers: dict[int, str] = {}
    for cell in made["criteria"]:
        criteria_rows.setdefault(cell.country, []).append(
            {"cell": cell, "href": public_url(cell.assessment, base) if cell.assessment else None})
        numbers[cell.criterion] = (cell.criterion_label_th if lang == "th" and cell.criterion_label_th
                                   else cell.criterion_label)
    context = common(lang, base, f"{base}/", {"as_of": day.isoformat()})
    context.update(day=day, presets=PRESETS, matrices=matrices, countries=view.countries, by_iso=by_iso,
                   criteria_rows=criteria_rows, criteria_numbers=sorted(numbers.items()), gaps=made["gaps"],
                   name=lambda c: c.label.get(lang) or c.label.get("en") or c.iso,
                   today=datetime.date.today(), country_href=lambda c: f"{public_url(c.iri, base)}?{urlencode({'as_of': day.isoformat()})}")
    return TEMPLATES.get_template(template).render(context)


AsOf = Annotated[str | None, Query(description="The date, YYYY-MM-DD (default: today).")]
Lang = Annotated[str | None, Query(pattern="^(en|th)$", description="en or th; remembered in a cookie.")]
LangCookie = Annotated[str | None, Cookie(alias=COOKIE)]
AcceptLanguage = Annotated[str | None, Header()]


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse,
                  summary="The dashboard: coverage matrices, criteria and gaps on a date (HTML, en/th)")
def dashboard(request: Request, graph: GraphDep, store: StoreDep, index: CoverageDep, base: BaseDep,
              as_of: AsOf = None, lang: Lang = None, lang_cookie: LangCookie = None,
              accept_language: AcceptLanguage = None) -> HTMLResponse:
    day = parse_day(as_of)
    chosen = negotiate(lang, lang_cookie, accept_language)
    view = view_of(graph, store, index)
    html = cached(("dashboard", graph.version, day, chosen, base),
                  lambda: render_dashboard(view, day, chosen, base))
    return page(request, html, chosen, lang)


@router.get("/report", response_class=HTMLResponse,
            summary="The gaps and the criteria table for a date, laid out for printing (HTML, en/th)")
def report(request: Request, graph: GraphDep, store: StoreDep, index: CoverageDep, base: BaseDep,
           as_of: AsOf = None, lang: Lang = None, lang_cookie: LangCookie = None,
           accept_language: AcceptLanguage = None) -> HTMLResponse:
    day = parse_day(as_of)
    chosen = negotiate(lang, lang_cookie, accept_language)
    view = view_of(graph, store, index)
    html = cached(("report", graph.version, day, chosen, base),
                  lambda: render_dashboard(view, day, chosen, base, "report.html"))
    return page(request, html, chosen, lang)


@router.get("/report.xlsx", summary="The coverage matrices, criteria table and gaps for a date as one XLSX workbook",
            response_class=Response, responses={200: {"content": {XLSX: {}}}})
def report_xlsx(graph: GraphDep, store: StoreDep, index: CoverageDep, as_of: AsOf = None, lang: Lang = None,
                lang_cookie: LangCookie = None, accept_language: AcceptLanguage = None) -> Response:
    day = parse_day(as_of)
    chosen = negotiate(lang, lang_cookie, accept_language)
    body = workbook(view_of(graph, store, index), day, chosen,
                    {"kinds": KIND_TITLES, "levels": LEVEL_NAMES, "statuses": STATUS_NAMES})
    return Response(body, media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="commit-kg-gaps-{day.isoformat()}-{chosen}.xlsx"',
        "Vary": "Accept-Language, Cookie", "Content-Language": chosen})


def render_pair(view: GraphView, kind: str, a: str, b: str, day: datetime.date, lang: str, base: str) -> str:
    answer = pair(view, kind, a, b, day)
    if answer is None:
        raise NotFoundError(f"no pair {excerpt(f'{a}-{b}')}: both must be distinct COMMIT members (ISO alpha-3)")
    by_iso = {c.iso: c for c in view.countries}

    def described(basis) -> dict:
        return {"basis": basis, "label": view.label(basis.instrument, lang, basis.label),
                "href": public_url(basis.instrument, base),
                "sources": [(s, public_url(s, base) or s) for s in basis.sources]}

    context = common(lang, base, f"{base}/coverage/{kind}/{a}/{b}", {"as_of": day.isoformat()})
    context.update(day=day, kind=kind, answer=answer, a=by_iso[a], b=by_iso[b],
                   basis=[described(x) for x in answer.basis], undetermined=[described(x) for x in answer.undetermined],
                   name=lambda c: c.label.get(lang) or c.label.get("en") or c.iso,
                   api=f"{base}/api/coverage?{urlencode({'kind': kind, 'as_of': day.isoformat()})}")
    return TEMPLATES.get_template("pair.html").render(context)


@router.get("/coverage/{kind}/{a}/{b}", response_class=HTMLResponse,
            summary="One matrix cell: the instruments behind a pair's level on a date, with their sources")
def coverage_cell(request: Request, graph: GraphDep, store: StoreDep, index: CoverageDep, base: BaseDep,
                  kind: Annotated[str, PathParam(pattern="^(mla|extradition|anti-trafficking)$")],
                  a: Annotated[str, PathParam(pattern="^[A-Z]{3}$")],
                  b: Annotated[str, PathParam(pattern="^[A-Z]{3}$")],
                  as_of: AsOf = None, lang: Lang = None, lang_cookie: LangCookie = None,
                  accept_language: AcceptLanguage = None) -> HTMLResponse:
    day = parse_day(as_of)
    chosen = negotiate(lang, lang_cookie, accept_language)
    view = view_of(graph, store, index)
    html = cached(("pair", graph.version, kind, a, b, day, chosen, base),
                  lambda: render_pair(view, kind, a, b, day, chosen, base))
    return page(request, html, chosen, lang)


@router.get("/search", response_class=HTMLResponse,
            summary="Find a resource by any of its names (English, Thai, national names)")
def search_page(request: Request, graph: GraphDep, store: StoreDep, index: CoverageDep, base: BaseDep,
                q: Annotated[str, Query(max_length=200, description="Part of a name, in any language.")] = "",
                lang: Lang = None, lang_cookie: LangCookie = None,
                accept_language: AcceptLanguage = None) -> HTMLResponse:
    chosen = negotiate(lang, lang_cookie, accept_language)
    view = view_of(graph, store, index)
    hits = [{"hit": h, "label": view.label(h.iri, chosen, h.name), "href": public_url(h.iri, base)}
            for h in search(view.names, q)]
    context = common(chosen, base, f"{base}/search", {"q": q})
    context.update(q=q, hits=hits)
    return page(request, TEMPLATES.get_template("search.html").render(context), chosen, lang)


def render_lineage(view: GraphView, lang: str, base: str) -> str:
    boxes, steps, width, height = layout(view.store)

    def shown(box) -> dict:
        label = view.label(box.iri, lang)
        return {"box": box, "label": label, "short": label if len(label) <= 34 else label[:33] + "…",
                "href": public_url(box.iri, base)}

    context = common(lang, base, f"{base}/lineage", {})
    context.update(boxes=[shown(b) for b in boxes], steps=steps, width=width, height=height, plans=PLANS,
                   plan_names={p: view.label(f"{ID}plan/{p}", lang) for p in PLANS}, plan_short=PLAN_SHORT,
                   plan_hrefs={p: public_url(f"{ID}plan/{p}", base) for p in PLANS}, column=COLUMN,
                   box_width=WIDTH, kinds=STEP_KINDS, kind_names=STEP_NAMES, colours=STEP_COLOURS)
    return TEMPLATES.get_template("lineage.html").render(context)


@router.get("/lineage", response_class=HTMLResponse,
            summary="The PPCs of SPA 2005, its revision and SPA II, and how each came from the ones before (SVG)")
def lineage(request: Request, graph: GraphDep, store: StoreDep, index: CoverageDep, base: BaseDep,
            lang: Lang = None, lang_cookie: LangCookie = None,
            accept_language: AcceptLanguage = None) -> HTMLResponse:
    chosen = negotiate(lang, lang_cookie, accept_language)
    view = view_of(graph, store, index)
    html = cached(("lineage", graph.version, chosen, base), lambda: render_lineage(view, chosen, base))
    return page(request, html, chosen, lang)


@router.get("/web/static/{name:path}", include_in_schema=False)
def static(name: str) -> FileResponse:
    """The pages' own stylesheet and fonts, from the package (nothing from a CDN)."""
    target = (STATIC / name).resolve()
    if not target.is_file() or STATIC not in target.parents:
        raise NotFoundError(f"no static file {excerpt(name)}")
    return FileResponse(target, headers={"Cache-Control": "public, max-age=86400"})
