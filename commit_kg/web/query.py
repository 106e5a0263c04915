"""The query page at /query: a SPARQL form, the named queries as examples (?example=name puts one in
the form), and a SELECT answer as a table in which IRIs show the graph's label and link to their
pages, with the same query's CSV from /sparql.

The query goes through /sparql's own path: the tokenizer's checks (service/sparql.checked_shape), the
answer cache and the sandboxed worker pool (state.queries), so the page has the endpoint's limits and
runs no SPARQL in the web process. Errors are shown in the page in plain words."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ..errors import CommitKgError, ParameterError
from ..execution import Dataset
from ..query_pool import Job
from ..service.deps import BaseDep, StateDep
from ..service.error_table import status_of
from ..service.offload import in_thread, sized
from ..service.sparql import cache_key, check_length, checked_shape, evaluate
from ..service.state import AppState
from .dashboard import GraphView
from .html import curie, public_url
from .i18n import negotiate
from .routes import TEMPLATES, AcceptLanguage, Lang, LangCookie, common, page, view_of

JSON = "application/sparql-results+json"
SHOWN = 500  # rows in the page; the CSV has them all
router = APIRouter(tags=["pages"])


def cells(row: dict, columns: list[str], view: GraphView, lang: str, base: str) -> list[dict]:
    """Each value as a person reads it: an IRI by its label (else its short form) linking to its page,
    a literal with its language, a blank node by its id."""
    shown = []
    for name in columns:
        term = row.get(name)
        if term is None:
            shown.append({"text": ""})
        elif term["type"] == "uri":
            iri = term["value"]
            label = view.labels.get(iri)
            shown.append({"text": view.label(iri, lang) if label else curie(iri), "href": public_url(iri, base),
                          "title": iri})
        elif term["type"] == "bnode":
            shown.append({"text": f"_:{term['value']}"})
        else:
            shown.append({"text": term["value"], "lang": term.get("xml:lang")})
    return shown


async def answer(state: AppState, text: str, endpoint: str) -> tuple[list[str], list[dict]]:
    """The variables and rows of a SELECT query, run as /sparql runs it (cache, worker pool, limits); a
    long text is read, and a large answer decoded, off the event loop."""
    check_length(text, state.settings)
    shape = await sized(len(text), checked_shape, text, state.settings, endpoint)
    if shape.form != "SELECT":
        raise NotSelectError(shape.form)
    key = None if shape.services else cache_key(state.graph.version, JSON, endpoint, text, (), ())
    body = await evaluate(state, Job(text, Dataset(from_query=shape.has_from), JSON, endpoint), shape, key,
                          asyncio.get_running_loop().time())
    results = await sized(len(body), json.loads, bytes(body))
    return results["head"].get("vars", []), results.get("results", {}).get("bindings", [])


class NotSelectError(ParameterError):
    """An ASK, CONSTRUCT or DESCRIBE query: its answer is not a table."""

    def __init__(self, form: str) -> None:
        super().__init__(f"a {form} query's answer is not a table")
        self.form = form


def example_text(text: str) -> str:
    """A named query without its `#+` header (its title is the example's link; the rest is for tools)."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("#+")).strip() + "\n"


@router.get("/query", response_class=HTMLResponse,
            summary="A SPARQL query form with the named queries as examples; SELECT answers as a table (HTML)")
async def query_page(request: Request, state: StateDep, base: BaseDep,
                     query: Annotated[str | None, Query(description="A SPARQL SELECT query to run.")] = None,
                     example: Annotated[str | None, Query(max_length=100,
                                                          description="A named query to put in the form.")] = None,
                     lang: Lang = None, lang_cookie: LangCookie = None,
                     accept_language: AcceptLanguage = None) -> HTMLResponse:
    chosen = negotiate(lang, lang_cookie, accept_language)
    context = common(chosen, base, f"{base}/query", {k: v for k, v in (("query", query), ("example", example)) if v})
    context.update(text=query or "", example=example, columns=None, rows=None, error=None,
                   not_select=None, total=0, shown=SHOWN, csv=None)
    status, table = 200, None
    try:
        if query is None and example:
            context["text"] = example_text(state.catalogue.get(example).text)
        elif query:
            table = await answer(state, query, f"{base}/sparql")
            context["csv"] = f"{base}/sparql?{urlencode({'query': query, 'format': 'csv'})}"
    except NotSelectError as error:
        context["not_select"], status = error.form, 400
    except CommitKgError as error:
        context["error"], status = error.message, status_of(error.code)
    # The graph view (made on first use), the cells and the template: off the event loop.
    answer_page = page(request, await in_thread(render, state, context, table, chosen, base), chosen, lang)
    answer_page.status_code = status
    return answer_page


def render(state: AppState, context: dict, table: tuple[list[str], list[dict]] | None, lang: str, base: str) -> str:
    """The page: the examples, and the answer's first SHOWN rows as cells a person reads."""
    view = view_of(state.graph, state.store, state.coverage_index())
    context["examples"] = [{"name": q.name, "title": (q.title_th if lang == "th" and q.title_th else q.title_en),
                            "href": f"{base}/query?{urlencode({'example': q.name, 'lang': lang})}"}
                           for q in state.catalogue.queries.values()]
    if table is not None:
        columns, bindings = table
        context.update(columns=columns, total=len(bindings),
                       rows=[cells(b, columns, view, lang, base) for b in bindings[:SHOWN]])
    return TEMPLATES.get_template("query.html").render(context)
