"""Conditional GET as RFC 9110 §13.1.2 has it, in one place for every route that sends an ETag:
If-None-Match is a list of entity tags (or `*`), compared weakly (W/ ignored), and it applies to GET and
HEAD only; any other method (a SPARQL query by POST) is answered in full. A field that is not such a
list (`xx"tag"xx`) matches nothing: a full answer is never wrong, a wrong 304 is."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request, Response

ANY = "*"
SEPARATORS = " \t,"


def entity_tags(field: str) -> list[str] | None:
    """The opaque tags (with their quotes, without W/) of an If-None-Match value, ['*'] for `*`;
    None when the value is not a list of entity tags."""
    if field.strip() == ANY:
        return [ANY]
    tags, i, n = [], 0, len(field)
    while i < n:
        if field[i] in SEPARATORS:
            i += 1
            continue
        if field.startswith("W/", i):
            i += 2
        end = field.find('"', i + 1) if i < n and field[i] == '"' else -1
        # etagc: "!" / %x23-7E / obs-text; no space, quote or control character
        if end < 0 or any(c != "!" and not ("#" <= c <= "~" or c >= "\x80") for c in field[i + 1:end]):
            return None
        tags.append(field[i:end + 1])
        i = end + 1
        while i < n and field[i] in " \t":
            i += 1
        if i < n and field[i] != ",":
            return None
    return tags


def none_match(field: str | None, tag: str) -> bool:
    """Whether an If-None-Match value matches `tag` (a current representation) by weak comparison."""
    tags = entity_tags(field) if field else None
    return bool(tags) and (tags == [ANY] or tag.removeprefix("W/") in tags)


def not_modified(request: Request, tag: str, headers: Mapping[str, str]) -> Response | None:
    """A 304 with `headers` and the ETag when a GET or HEAD names `tag` in If-None-Match; else None."""
    if request.method not in ("GET", "HEAD"):
        return None
    if not none_match(", ".join(request.headers.getlist("if-none-match")) or None, tag):
        return None
    return Response(status_code=304, headers={**headers, "ETag": tag})
