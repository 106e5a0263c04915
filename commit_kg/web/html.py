"""Small HTML rendering helpers for the linked-data pages (the generic /id/ page, /ontology, the /sparql
form): plain HTML5, no JavaScript, nothing external, in English or Thai.

Every piece of text that reaches a page goes through `esc` (html.escape), attribute values included.
Links to commit-kg IRIs point at this server (`public_url`), so a browser can click through the graph.
Interface text is translated by the caller's `_` (i18n.gettext_for); names come from the graph's labels
in the page's language. Nothing here knows about HTTP: the library (publish/ontology_doc.py) uses it too.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from urllib.parse import quote

import pyoxigraph as ox

from ..namespaces import CK, ID, ONTOLOGY, PREFIXES

RDF_LANG_STRING = PREFIXES["rdf"] + "langString"
XSD_STRING = PREFIXES["xsd"] + "string"
LABEL = PREFIXES["rdfs"] + "label"
PREF_LABEL = PREFIXES["skos"] + "prefLabel"

# Characters an IRI path may keep as they are in a URL; anything else (non-ASCII letters) is encoded.
URL_SAFE = "/:@!$&'()*+,;=~-._%"

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 62rem; margin: 1.5rem auto; padding: 0 1rem;
       line-height: 1.45; color: #1b1b1b; }
h1 { margin-bottom: 0.2rem; } h1 span[lang] { color: #555; font-weight: normal; }
code { font-size: 0.92em; } .iri { color: #555; word-break: break-all; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.2rem; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #ddd; padding: 0.3rem 0.5rem; }
td table { margin: 0; } ul.values { margin: 0; padding-left: 1rem; }
.tag { color: #777; font-size: 0.85em; } dt { font-weight: bold; margin-top: 0.4rem; }
section.term { border-top: 1px solid #ddd; padding-top: 0.3rem; }
nav.formats a, nav.lang a { margin-right: 0.6rem; } nav.lang { text-align: right; }
nav.lang a[aria-current] { font-weight: bold; color: #1b1b1b; text-decoration: none; }
"""


def esc(text: object) -> str:
    """Escape any text for HTML content or a quoted attribute value."""
    return html.escape(str(text), quote=True)


def public_url(iri: str, base: str) -> str | None:
    """The URL on this server that serves `iri`; the IRI itself for IRIs outside commit-kg; None for
    commit-kg IRIs this server does not resolve (graph names, ontology module and version IRIs)."""
    if iri.startswith(ID):
        return f"{base}/id/{quote(iri[len(ID):], safe=URL_SAFE)}"
    if iri == ONTOLOGY:
        return f"{base}/ontology"
    if iri.startswith(CK):
        return f"{base}/ontology#{quote(iri[len(CK):], safe=URL_SAFE)}"
    if iri.startswith("https://w3id.org/commit-kg/"):
        return None
    return iri if iri.startswith(("http://", "https://")) else None


def curie(iri: str) -> str:
    """`prefix:local` with the longest matching prefix of the project's map; the full IRI otherwise."""
    matches = [(len(ns), name) for name, ns in PREFIXES.items() if iri.startswith(ns) and len(iri) > len(ns)]
    if not matches:
        return iri
    _, name = max(matches)
    return f"{name}:{iri[len(PREFIXES[name]):]}"


def link(href: str, content_html: str, *, title: str | None = None) -> str:
    """An anchor; `content_html` must already be escaped."""
    title_attr = f' title="{esc(title)}"' if title else ""
    return f'<a href="{esc(href)}"{title_attr}>{content_html}</a>'


def text(value: str, lang: str | None = None) -> str:
    """Escaped text, in a span carrying its language when it has one (so Thai renders as Thai)."""
    return f'<span lang="{esc(lang)}">{esc(value)}</span>' if lang else esc(value)


def labels_of(triples: Iterable[ox.Triple]) -> dict[str, dict[str, list[str]]]:
    """IRI → language ('' for none) → the rdfs:label / skos:prefLabel values found among `triples`."""
    labels: dict[str, dict[str, list[str]]] = {}
    for triple in triples:
        if triple.predicate.value in (LABEL, PREF_LABEL) and isinstance(triple.object, ox.Literal):
            values = labels.setdefault(triple.subject.value, {}).setdefault(triple.object.language or "", [])
            if triple.object.value not in values:
                values.append(triple.object.value)
    return labels


Translate = Callable[[str], str]


def untranslated(message: str) -> str:
    """The `_` of an English page: the message itself."""
    return message


class Terms:
    """Renders RDF terms for one page: names from the labels at hand in the page's language, links to
    the public base."""

    def __init__(self, base: str, labels: Mapping[str, Mapping[str, list[str]]], lang: str = "en",
                 _: Translate = untranslated) -> None:
        self.base = base
        self.labels = labels
        self.lang = lang
        self._ = _

    def label(self, iri: str, lang: str = "en") -> str | None:
        """The label in `lang`; for English, else a label without language, else any label."""
        by_lang = self.labels.get(iri, {})
        if by_lang.get(lang):
            return min(by_lang[lang])
        if lang != "en":
            return None
        for key in ("", *sorted(by_lang)):
            if by_lang.get(key):
                return min(by_lang[key])
        return None

    def name(self, iri: str) -> str:
        """What a reader sees for an IRI: its label in the page's language, else its English label, else
        its CURIE."""
        return self.label(iri, self.lang) or self.label(iri) or curie(iri)

    def iri(self, iri: str) -> str:
        """The IRI's name, linked to where it resolves; its CURIE or IRI shown on hover."""
        href = public_url(iri, self.base)
        shown = esc(self.name(iri))
        if href is None:
            return f'<span title="{esc(iri)}">{shown}</span>'
        return link(href, shown, title=curie(iri))

    def literal(self, literal: ox.Literal) -> str:
        """The value, with its language tag, or its datatype when that is not a plain string."""
        if literal.language:
            return f'{text(literal.value, literal.language)} <span class="tag">@{esc(literal.language)}</span>'
        datatype = literal.datatype.value
        if datatype in (XSD_STRING, RDF_LANG_STRING):
            return esc(literal.value)
        return f'{esc(literal.value)} <span class="tag">{esc(curie(datatype))}</span>'

    def term(self, term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.Literal):
            return self.literal(term)
        return '<span class="tag">' + esc(self._("(anonymous node)")) + "</span>"

    def heading(self, iri: str) -> tuple[str, str]:
        """The page title as text and the h1 content as HTML: the name in the page's language, then the
        label in the other language (English and Thai)."""
        shown = self.name(iri)
        other_lang = "th" if self.lang == "en" else "en"
        other = self.label(iri, other_lang)
        if other and other != shown:
            return f"{shown} · {other}", f'{esc(shown)} <span lang="{other_lang}">{esc(other)}</span>'
        return shown, esc(shown)


def table(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """A table; headers are escaped here, cells must already be HTML."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def values_list(items: list[str]) -> str:
    """One value as is, several as a list (items are HTML)."""
    if len(items) == 1:
        return items[0]
    return '<ul class="values">' + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def formats_nav(alternates: Iterable[tuple[str, str, str]], _: Translate = untranslated) -> str:
    """Links to the other representations: (href, media type, name)."""
    links = " ".join(f'<a href="{esc(href)}" type="{esc(media)}">{esc(name)}</a>'
                     for href, media, name in alternates)
    return '<nav class="formats">' + esc(_("Also as:")) + f" {links}</nav>"


LANGUAGE_NAMES = {"en": "English", "th": "ไทย"}  # each in its own language, as the switch shows them


def language_switch(switch: Sequence[tuple[str, str]], lang: str, _: Translate) -> str:
    """The links to the same page in each language, (code, href); the page's own marked current."""
    links = "".join(f'<a href="{esc(href)}" hreflang="{esc(code)}" lang="{esc(code)}"'
                    + (' aria-current="true"' if code == lang else "") + f">{esc(LANGUAGE_NAMES[code])}</a>"
                    for code, href in switch)
    return '<nav class="lang" aria-label="' + esc(_("Language")) + f'">{links}</nav>\n'


def document(*, title: str, body: str, alternates: Sequence[tuple[str, str, str]] = (), lang: str = "en",
             switch: Sequence[tuple[str, str]] = (), _: Translate = untranslated) -> str:
    """A whole HTML5 page in `lang`, UTF-8, with its alternates declared in the head, and the language
    switch (when given) first in the body; `body` is HTML."""
    head_links = "".join(f'<link rel="alternate" type="{esc(media)}" href="{esc(href)}">\n'
                         for href, media, _name in alternates)
    languages = language_switch(switch, lang, _) if switch else ""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)} — commit-kg</title>\n{head_links}<style>{STYLE}</style>\n</head>\n"
        f"<body>\n{languages}{body}\n</body>\n</html>\n"
    )
