"""Find any resource by any of its names (rdfs:label or skos:altLabel, in any language: English, Thai and
the national names), read once per graph version; matching is on NFC case-folded text, so that Thai,
Lao or Khmer names match as typed."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ..namespaces import ID
from ..store import EmbeddedStore

NAMES = f"""SELECT ?s ?name WHERE {{
  ?s <http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#altLabel> ?name
  FILTER (STRSTARTS(STR(?s), "{ID}")) }}"""
LIMIT = 50


def folded(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().strip()


@dataclass(frozen=True)
class Hit:
    iri: str
    name: str  # the name that matched
    lang: str
    kind: str  # the IRI's first path segment under id/: country, instrument, law …


def names(store: EmbeddedStore) -> list[tuple[str, str, str, str]]:
    """(folded name, IRI, name, language tag) of every named resource."""
    return [(folded(r["name"].value), r["s"].value, r["name"].value, r["name"].language or "")
            for r in store.select(NAMES)]


def search(index: list[tuple[str, str, str, str]], query: str) -> list[Hit]:
    """Resources whose name contains the query: exact names first, then names starting with it, then the
    rest, each resource once (by its best match), at most LIMIT."""
    wanted = folded(query)
    if not wanted:
        return []
    ranked = sorted((0 if key == wanted else 1 if key.startswith(wanted) else 2, len(key), iri, name, lang)
                    for key, iri, name, lang in index if wanted in key)
    hits: dict[str, Hit] = {}
    for _, _, iri, name, lang in ranked:
        if iri not in hits:
            hits[iri] = Hit(iri, name, lang, iri[len(ID):].split("/", 1)[0])
        if len(hits) == LIMIT:
            break
    return list(hits.values())
