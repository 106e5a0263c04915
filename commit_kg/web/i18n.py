"""Interface text in English and Thai, from gettext catalogues (translations/<lang>/LC_MESSAGES/web.po).

The .po files are read directly with Babel's reader instead of compiling .mo files: a fresh clone runs
without a build step and no binary artefact is kept in git; reading the small catalogue once per process
costs a few milliseconds. Labels of things (countries, criteria, instruments) come from the graph, not
from here."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES = ("en", "th")
DEFAULT = "en"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """msgid → msgstr of one language; untranslated or fuzzy entries are left out (the msgid shows).
    English is the msgids' own language: it has no catalogue."""
    if lang == DEFAULT:
        return {}
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "web.po").open("rb") as po:
        read = read_po(po, locale=lang)
    return {m.id: m.string for m in read if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


def gettext_for(lang: str) -> Callable[[str], str]:
    """The `_` of one language: the translation when there is one, else the English msgid."""
    strings = catalogue(lang)
    return lambda message: strings.get(message, message)


def negotiate(asked: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The page's language: ?lang= first, then the remembered cookie, then the browser's preference
    (Accept-Language, by q-value), then English."""
    for choice in (asked, cookie):
        if choice in LANGUAGES:
            return choice
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT
