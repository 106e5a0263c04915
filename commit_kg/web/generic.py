"""The generic linked-data pages in English or Thai: the property table of every /id/ resource without a
designed page (and the full statement list a designed page ends with), and how such a page learns its
language (?lang=, the `lang` cookie, Accept-Language, as every page does) and tells it in its answer."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import Request, Response

from ..errors import ParameterError
from ..publish.describe import FIRST, RDF_TYPE, Index
from .html import (
    Terms,
    Translate,
    document,
    esc,
    formats_nav,
    labels_of,
    table,
    values_list,
)
from .i18n import LANGUAGES, gettext_for, negotiate
from .routes import COOKIE, YEAR


@dataclass(frozen=True)
class Language:
    """A page's language, and the ?lang= that chose it (remembered in a cookie) when there was one."""

    code: str
    asked: str | None = None

    @property
    def _(self) -> Translate:
        """The interface text of this language."""
        return gettext_for(self.code)

    def switch(self, url: str) -> list[tuple[str, str]]:
        """(code, href) of the same page in each language."""
        return [(code, f"{url}?{urlencode({'lang': code})}") for code in LANGUAGES]


def language_of(request: Request) -> Language:
    """The language a page is written in: ?lang= (en or th, else 400), the cookie, Accept-Language."""
    asked = request.query_params.get("lang")
    if asked is not None and asked not in LANGUAGES:
        raise ParameterError(f"query parameter 'lang': en or th (got {asked[:20]!r})")
    return Language(negotiate(asked, request.cookies.get(COOKIE), request.headers.get("accept-language")), asked)


def localised(response: Response, language: Language) -> Response:
    """The page's answer saying its language, varying with what chose it, and remembering a choice."""
    response.headers["Content-Language"] = language.code
    vary = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
    response.headers["Vary"] = ", ".join(dict.fromkeys([*vary, "Accept-Language", "Cookie"]))
    if language.asked:
        response.set_cookie(COOKIE, language.asked, max_age=YEAR, samesite="lax", path="/")
    return response


def resource_page(iri: str, triples: list[ox.Triple], base: str, others: list[tuple[str, str, str]],
                  language: Language, url: str) -> str:
    """A plain description: what the resource says, then what refers to it, then the other formats."""
    _ = language._
    title, heading = Terms(base, labels_of(triples), language.code, _).heading(iri)
    body = [f"<header><h1>{heading}</h1>", f'<p class="iri"><code>{esc(iri)}</code></p>', formats_nav(others, _),
            "</header>", "<main>", statements_html(iri, triples, base, language.code), "</main>"]
    return document(title=title, body="\n".join(body), alternates=others, lang=language.code,
                    switch=language.switch(url), _=_)


def statements_html(iri: str, triples: list[ox.Triple], base: str, lang: str = "en") -> str:
    """Every statement of the description as HTML: its types, what it says (its blank nodes nested), then
    what refers to it. The generic page is made of it; a designed page (resources.py) ends with it."""
    _ = gettext_for(lang)
    terms = Terms(base, labels_of(triples), lang, _)
    index = Index(triples)
    me = ox.NamedNode(iri)
    types = [terms.term(t) for t in index.objects(me, RDF_TYPE)]

    def value(term: ox.Term, depth: int) -> str:
        """A term; a blank node the description holds, as a nested table (to a bounded depth)."""
        if isinstance(term, ox.BlankNode) and term in index.out and depth < 3:
            return property_table(term, depth + 1)
        return terms.term(term)

    def value_key(term: ox.Term) -> tuple[str, str]:
        if isinstance(term, ox.Literal):
            return (term.language or "", term.value)
        return ("", terms.name(term.value) if isinstance(term, ox.NamedNode) else "")

    def property_table(subject: ox.Term, depth: int = 0) -> str:
        rows = []
        for predicate in sorted(index.out[subject], key=lambda p: (p not in FIRST, FIRST.get(p, 0), terms.name(p))):
            objects = sorted(set(index.objects(subject, predicate)), key=value_key)
            rows.append((terms.iri(predicate), values_list([value(o, depth) for o in objects])))
        return table((_("property"), _("value")), rows)

    incoming = sorted({(t.predicate.value, t.subject) for t in triples if t.object == me},
                      key=lambda ps: (terms.name(ps[0]), value_key(ps[1])))
    body = [
        f"<p>{', '.join(types)}</p>" if types else "",
        "<h2>" + esc(_("Description")) + "</h2>",
        property_table(me) if me in index.out else "<p>" + esc(_("This resource states nothing itself.")) + "</p>",
        "<h2>" + esc(_("Referenced by")) + "</h2>",
        table((_("resource"), _("property")), ((terms.term(s), terms.iri(p)) for p, s in incoming))
        if incoming else "<p>" + esc(_("Nothing in the graph refers to this resource.")) + "</p>",
    ]
    return "\n".join(part for part in body if part)
