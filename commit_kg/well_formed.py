"""Every XML answer (SPARQL XML results, RDF/XML) is read back by an XML parser (expat) as it is written,
and refused when it is not well-formed, instead of being sent broken. The engine's writers emit what XML
1.0 cannot carry: a control character of a literal (U+0001; not even as a character reference), a
non-character (U+FFFE), or, in RDF/XML, an element named `oxprefix:` for a predicate IRI that does not
end in an XML name (`…/123`, `urn:x:`). No escaping makes these XML, so the answer is refused with 406
`not_representable`, saying why; every other format carries them."""

from __future__ import annotations

import html
from typing import BinaryIO
from xml.parsers import expat

from .errors import NotRepresentableError, excerpt

XML_MEDIA = ("application/sparql-results+xml", "application/rdf+xml")
WINDOW = 4096  # bytes of the stream kept before the current chunk, to say what the parser stopped at
OTHER_FORMATS = {
    "application/sparql-results+xml": "application/sparql-results+json, text/csv or text/tab-separated-values",
    "application/rdf+xml": "text/turtle, application/n-triples or application/ld+json",
}


def xml_char(code: int) -> bool:
    """Whether XML 1.0 may carry the character (its production Char)."""
    return (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF)


class WellFormedXml:
    """A write target for a serialiser that parses what passes through it and hands it on to `out` (or
    keeps it, without `out`); raises NotRepresentableError where the XML stops being well-formed."""

    def __init__(self, media: str, out: BinaryIO | None = None) -> None:
        self.media, self.out = media, out
        self.kept = bytearray()
        self.parser = expat.ParserCreate(namespace_separator=" ")
        # The last bytes written, from stream offset `window_start`: what the parser stopped at is read here.
        self.window, self.window_start, self.written = b"", 0, 0

    def write(self, data: bytes) -> int:
        tail = self.window[-WINDOW:]
        self.window, self.window_start = tail + bytes(data), self.written - len(tail)
        self.written += len(data)
        self._parse(data, final=False)
        if self.out is not None:
            self.out.write(data)
        else:
            self.kept += data
        return len(data)

    def flush(self) -> None:
        pass

    def finish(self) -> bytes | None:
        """The end of the document: checked complete; the bytes when no `out` was given."""
        self._parse(b"", final=True)
        return None if self.out is not None else bytes(self.kept)

    def _parse(self, data: bytes, *, final: bool) -> None:
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError as error:
            raise NotRepresentableError(
                f"the answer cannot be written as well-formed XML ({self.media}): {self._why(error)}; ask for "
                f"{OTHER_FORMATS[self.media]} instead") from None

    def _why(self, error: expat.ExpatError) -> str:
        """What the parser stopped at: a character XML cannot carry, a predicate with no element name,
        else the parser's own words."""
        at = self.parser.ErrorByteIndex - self.window_start
        found = self.window[at:at + 4].decode("utf-8", "ignore")[:1] if 0 <= at < len(self.window) else ""
        if found and not xml_char(ord(found)):
            return f"a value holds the character U+{ord(found):04X}, which XML 1.0 cannot carry"
        start = self.window.rfind(b"<", 0, max(at, 0))
        name = self.window[start + 1:at] if start >= 0 else b""
        if name.endswith(b":"):  # the writer's name for a predicate it could not split
            marker = b"xmlns:" + name[:-1] + b'="'
            begin = self.window.find(marker, at) + len(marker)
            end = self.window.find(b'"', begin) if begin >= len(marker) else -1
            iri = html.unescape(self.window[begin:end].decode("utf-8", "replace")) if end > 0 else ""
            return (f"the predicate {excerpt(iri) if iri else '(unnamed)'} does not end in a name XML allows for "
                    "an element, and RDF/XML writes each predicate as one")
        return f"{expat.ErrorString(error.code)} at byte {self.parser.ErrorByteIndex}"


def checked(body: bytes, media: str) -> bytes:
    """`body` when it is not XML or is well-formed XML; else NotRepresentableError."""
    if media not in XML_MEDIA:
        return body
    check = WellFormedXml(media)
    check.write(body)
    return check.finish() or b""
