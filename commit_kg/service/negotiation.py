"""Content negotiation as RFC 9110 says: q-values, wildcards, the most specific range wins, q=0 refuses.

Peers get this wrong in two ways (Prez and rdflib-endpoint pick the first listed type, or ignore q):
here every offered type gets the q of the most specific range that matches it, the highest q wins,
ties go to the server's order of preference, and nothing acceptable means 406.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import NotAcceptableError, excerpt

# Short names accepted in a `format` parameter, as Fuseki and Virtuoso users write them.
FORMAT_NAMES = {
    "json": "application/sparql-results+json", "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml", "srx": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values",
    "turtle": "text/turtle", "ttl": "text/turtle", "nt": "application/n-triples", "ntriples": "application/n-triples",
    "jsonld": "application/ld+json", "json-ld": "application/ld+json", "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml", "nq": "application/n-quads", "nquads": "application/n-quads",
    "trig": "application/trig", "html": "text/html",
}


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...]

    def specificity(self, media: str) -> int | None:
        """How specifically this range matches `media` (3 exact with params, 2 exact, 1 type/*, 0 */*)."""
        kind, _, sub = media.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type != kind:
            return None
        if self.subtype == "*":
            return 1
        if self.subtype != sub:
            return None
        return 3 if self.params else 2


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed entries are ignored, as clients expect."""
    ranges = []
    for item in header.split(","):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        if "/" not in media:
            continue
        kind, _, sub = media.partition("/")
        q, params = 1.0, []
        for param in parts[1:]:
            name, _, value = param.partition("=")
            name = name.strip().lower()
            if name == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
            elif name:
                params.append((name, value.strip().strip('"')))
        ranges.append(MediaRange(kind, sub, q, tuple(params)))
    return ranges


def negotiate(accept: str | None, offered: list[str]) -> str:
    """The offered media type the client prefers; `offered[0]` when it states no preference.
    Raises NotAcceptableError (406) when every offered type is refused."""
    if not accept or not accept.strip():
        return offered[0]
    ranges = parse_accept(accept)
    if not ranges:
        return offered[0]
    best: tuple[float, int] | None = None
    chosen = None
    for position, media in enumerate(offered):
        matches = [(r.specificity(media), r.q) for r in ranges if r.specificity(media) is not None]
        if not matches:
            continue
        q = max(matches)[1]  # the most specific matching range decides
        if q > 0 and (best is None or q > best[0]):
            best, chosen = (q, position), media
    if chosen is None:
        raise NotAcceptableError(f"none of the requested types ({excerpt(accept)}) is available; offered: {', '.join(offered)}")
    return chosen


def requested_format(format_param: str | None, accept: str | None, offered: list[str]) -> str:
    """A `format` parameter (short name or media type) wins over Accept, as on Fuseki."""
    if format_param:
        media = FORMAT_NAMES.get(format_param.lower(), format_param.lower())
        if media not in offered:
            raise NotAcceptableError(f"format {excerpt(format_param)} is not available here; offered: {', '.join(offered)}")
        return media
    return negotiate(accept, offered)
