"""What a SPARQL text asks for, read by a tokenizer that lexes it as the query engine does.

The SERVICE allow-list, the answer formats and the read-only check need three facts about a query
before the engine sees it: its form, the endpoints of its SERVICE clauses and how deeply its groups
nest. A regular expression over the raw text gets all three wrong (a '#' inside an IRI is not a
comment, a quote inside an IRI does not open a string), so this module scans the text once, left
to right, with the terminals of SPARQL 1.1 (section 19.8) as Oxigraph's parser (spargebra 0.5, the
engine behind /sparql) defines them, in linear time and without recursion.

Three behaviours of that parser are followed on purpose, because a text it accepts could otherwise
hide a SERVICE from a plain tokenizer:
- keywords are matched by length with no word boundary, so `SERVICE:x{}`, `SERVICEex:x{}`,
  `SERVICESILENT<x>{}` and `?s ?p trueSERVICE<x>{}` are all SERVICE clauses;
- `<` after an operand inside an expression is the less-than operator, not the start of an IRI
  (`FILTER(?a<?b)SERVICE:x#>` is a comparison, a SERVICE and a comment);
- `\\uXXXX` escapes are not expanded before parsing (pyoxigraph is built without that option), so
  they only count inside IRIs and strings.

Text the engine would reject may be read differently (an unterminated string ends the scan): the
engine reports the error and runs nothing, so only the reading of accepted texts matters. Where the
tokens alone cannot tell, the reading errs towards finding a SERVICE: a prefixed name containing
"service" and followed by '{' (`?s ?p service:x {}`) counts as one, so such a rare query is refused
rather than a real SERVICE missed. Whether '(' opens an expression (where '<' compares) or a list of
terms (collection, VALUES row, path) is judged from the words before it: FILTER, BIND, a function,
a SELECT / GROUP BY / ORDER BY / HAVING clause.
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass

from .namespaces import PREFIXES

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_FORMS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
WRITTEN_LIMIT = 200
# Keywords compare as the engine compares them: ASCII letters folded, nothing else, length kept.
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


@dataclass(frozen=True)
class ServiceTarget:
    """One SERVICE clause. `iri` is the resolved endpoint; None for a variable, a prefix declared
    nowhere or a relative IRI with no base: none of these names an endpoint that can be allowed."""

    iri: str | None
    written: str
    silent: bool
    line: int
    column: int
    # Where the target is written, as text[start:end]; None when it is glued to the keyword
    # (`SERVICEex:x`), a spelling that cannot be rewritten in place.
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class QueryShape:
    """The form (or first update keyword), whether it is an update, its SERVICE clauses and the
    deepest nesting of { } ( ) [ ] << >> groups."""

    form: str
    is_update: bool
    services: tuple[ServiceTarget, ...]
    depth: int
    # A FROM or FROM NAMED clause: the query names its own dataset, which then replaces the union
    # default graph (a word starting "from" outside every group counts, so `FROM<g>` does too).
    has_from: bool = False
    # The offset just after the first prefixed name whose prefix is declared neither by the text nor
    # predeclared (a name glued to FILTER or SERVICE not counted); None: there is none.
    undeclared_at: int | None = None


# Character classes as spargebra 0.5 writes them (its PN_CHARS_BASE stops at U+FFFD).
_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
         "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd")
_CHARS = _BASE + "_\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_VARCHARS = _BASE + "_0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = f"[{_BASE}][{_CHARS}]*+(?:\\.++[{_CHARS}]++)*+"
_LOCAL = (f"(?:[{_BASE}_:0-9]|{_PLX})(?:[{_CHARS}:]|{_PLX})*+"
          f"(?:\\.++(?:[{_CHARS}:]|{_PLX})++)?+")
_ESCAPES = r"""\\[tbnrf"'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"""
_IRI = re.compile(r"<((?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+)>")
_PNAME = re.compile(f"({_PREFIX})?+:({_LOCAL})?+")
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(  # the most frequent kinds first; where two could match, the engine's choice first
    r"(?:[ \t\r\n]++|#[^\r\n]*+)*+"  # whitespace and comments: skipped
    rf"(?:(?P<var>[?$][{_VARCHARS}]++)"
    rf"|(?P<pname>(?:{_PREFIX})?+:(?:{_LOCAL})?+)"
    rf"|(?P<word>{_PREFIX})"
    r"|(?P<num>[0-9]++\.[0-9]*+[eE][+-]?[0-9]++|\.[0-9]++[eE][+-]?[0-9]++|[0-9]++[eE][+-]?[0-9]++"
    r"|[0-9]*+\.[0-9]++|[0-9]++)"
    r"|(?P<lang>@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+(?:--[a-zA-Z]++)?+)"
    r"|(?P<op>\^\^|&&|\|\||!=|[.,;*+\-/!^|=?~&@])"
    r"|(?P<nil>\([ \t\r\n]*+\))|(?P<anon>\[[ \t\r\n]*+\])"
    # runs of brackets are one token each, so that deep nesting costs one match, not one per bracket
    r"|(?P<open>[{(\[](?:[ \t\r\n]*+(?:\{|\((?![ \t\r\n]*+\))|\[(?![ \t\r\n]*+\])))*+)"
    r"|(?P<close>[})\]](?:[ \t\r\n]*+[})\]])*+)|(?P<lt><)|(?P<gt>>)"
    r"|(?P<str>'''(?:(?:''|')?+(?:[^'\\]|" + _ESCAPES + r"))*+'''"
    r'|"""(?:(?:""|")?+(?:[^"\\]|' + _ESCAPES + r'))*+"""'
    r"|'(?:[^'\\\n\r]|" + _ESCAPES + r")*+'"
    r'|"(?:[^"\\\n\r]|' + _ESCAPES + r')*+")'
    r"|(?P<quote>['\"])"  # a quote that opens no valid string: the engine stops there
    rf"|(?P<bnode>_:[{_BASE}_0-9][{_CHARS}]*+(?:\.++[{_CHARS}]++)*+)"
    r"|(?P<other>[\s\S])|(?P<end>\Z))")
_OPERAND = frozenset({"var", "iri", "pname", "str", "num", "lang", "nil", "anon", "bnode"})
# Words after which an IRI followed by '{' is a target, not a glued SERVICE keyword.
_TARGET_WORDS = ("graph", "named", "from", "describe", "service", "silent")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_PARTS = re.compile(r"^(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$",
                    re.DOTALL)


def _clip(text: str) -> str:
    return text if len(text) <= WRITTEN_LIMIT else text[: WRITTEN_LIMIT - 1] + "…"


def _drop_last_segment(out: str, authority_end: int, has_authority: bool) -> str:
    slash = out.rfind("/", authority_end)
    if slash >= 0:
        return out[: slash + 1]
    return out[:authority_end] + ("/" if has_authority else "")


def _append_path(out: str, rest: str, authority_end: int, has_authority: bool) -> str | None:
    """The reference's path appended character by character, each '.' or '..' segment applied when
    it ends, as oxiri 0.2 (the engine's IRI library) does it; query and fragment kept as written."""
    for at, char in enumerate(rest + "\0"):  # "\0" stands for the end of the reference
        if char not in "/?#\0":
            out += char
            continue
        path = out[authority_end:]
        if path.endswith("/.."):
            out = _drop_last_segment(out[:-3], authority_end, has_authority)
        elif path.endswith("/.") or path == ".":
            out = out[:-1]
        elif path == "..":
            out = out[:-2]
        elif char == "/":
            out += "/"
            continue
        if not has_authority and out[authority_end:].startswith("//"):
            return None  # the engine refuses a path that would read as an authority
        if char != "/":
            return out + rest[at:]
    return out  # unreachable: the loop ends at "\0"


def resolve(reference: str, base: str | None) -> str | None:
    """An IRI reference resolved against a base as the engine resolves it (RFC 3986 5.2 in oxiri's
    streaming form: dot segments of the base are kept unless a '..' of the reference removes them;
    an absolute reference is kept as written); None when it is relative and there is no base."""
    if _SCHEME.match(reference):
        return reference
    parts = _PARTS.match(base or "")
    if base is None or parts is None or parts[1] is None:
        return None
    scheme, authority, path, query = parts[1], parts[2], parts[3], parts[4]
    scheme_end = len(scheme) + 1
    authority_end = scheme_end + (2 + len(authority) if authority is not None else 0)
    path_end = authority_end + len(path)
    query_end = path_end + (1 + len(query) if query is not None else 0)
    if reference == "" or reference.startswith("#"):
        return base[:query_end] + reference
    if reference.startswith("//"):
        return base[:scheme_end] + reference
    if reference.startswith("?"):
        return base[:path_end] + reference
    if reference.startswith("/"):
        return _append_path(base[:authority_end] + "/", reference[1:], authority_end, authority is not None)
    start = _drop_last_segment(base[:path_end], authority_end, authority is not None)
    return _append_path(start, reference, authority_end, authority is not None)


def _unescape_iri(content: str) -> str:
    return _UCHAR.sub(lambda m: chr(int(m[1] or m[2], 16)), content) if "\\" in content else content


_SIMPLE = frozenset({"var", "str", "num", "op", "bnode", "lang", "nil", "anon", "other"})
_WHITE = str.maketrans("", "", " \t\r\n")


class _Scan:
    """One left-to-right pass. The open groups are a stack of kinds: "{" a group or block, "[" a
    property list, "E" an expression's parenthesis, "T" a list of terms (collection, path group,
    VALUES row, triple term), "<<" a reified triple; never recursion."""

    def __init__(self, text: str, base: str | None, prefixes: dict[str, str]) -> None:
        self.text, self.base, self.prefixes = text, base, prefixes
        self.services: list[ServiceTarget] = []
        self.frames = ["{"]  # the outermost level stands for the text itself
        self.clauses: set[int] = set()  # levels where a SELECT / GROUP BY / ORDER BY / HAVING clause is open
        self.depth = 0
        self.form: str | None = None
        self.is_update = False
        self.has_from = False
        self.undeclared_at: int | None = None
        self.clause_kind: dict[int, str] = {}  # level -> "select", "group", "order" or "having"
        # When a list: every variable token as (start, end, name, role), for `substitute`.
        self.variables: list[tuple[int, int, str, str]] | None = None

    # -- names ------------------------------------------------------------------------------

    def expand(self, pname: str) -> str | None:
        prefix, _, local = pname.partition(":")
        namespace = self.prefixes.get(prefix)
        return None if namespace is None else namespace + local.replace("\\", "")

    def declared(self, pname: str) -> bool:
        return _PNAME.fullmatch(pname) is not None and pname.partition(":")[0] in self.prefixes

    def add_service(self, at: int, target: str, kind: str, silent: bool,
                    span: tuple[int, int] | None = None) -> None:
        if kind == "iri":
            iri = resolve(_unescape_iri(target[1:-1]), self.base)
        elif kind == "pname":
            iri = self.expand(target) if _PNAME.fullmatch(target) else None
        else:
            iri = None
        line = self.text.count("\n", 0, at) + 1
        self.services.append(ServiceTarget(iri, _clip(target), silent, line, at - self.text.rfind("\n", 0, at),
                                           span))

    def glued_service(self, at: int, rest: str) -> None:
        """SERVICE glued to a prefixed name (`SERVICEex:x`, `SERVICESILENT:x`): the engine tries
        SERVICE SILENT first, which needs the rest after SILENT to be a declared prefixed name."""
        if rest[:6].translate(_ASCII_LOWER) == "silent" and self.declared(rest[6:]):
            self.add_service(at, rest[6:], "pname", True)
        else:
            self.add_service(at, rest, "pname", False)

    # -- the pass ---------------------------------------------------------------------------

    def run(self) -> None:  # one flat dispatch over token kinds, for speed
        text, frames, clauses, match = self.text, self.frames, self.clauses, _TOKEN.match
        prev_kind, prev, prev2_kind = "", "", ""
        service_at, service_stage = -1, ""  # after a SERVICE keyword: "service", or "silent" once seen
        glued_at, glued_rest = -1, ""  # a prefixed name that is SERVICE + target if '{' follows
        declaring = ""  # in a prologue: "prefix", "base", "version", or "=" + the prefix being declared
        depth, pos = 1, 0
        while True:
            m = match(text, pos)
            kind = m.lastgroup
            pos = m.end()
            if kind == "var" and self.variables is not None:
                self.note_variable(m.start(kind), pos, m.group(kind))
            if kind in _SIMPLE and service_at < 0 and glued_at < 0 and self.form:
                prev2_kind, prev_kind, prev = prev_kind, kind, ""  # the common case, kept short
                continue
            if kind == "open":
                token = m.group(kind)
                if len(token) > 1:
                    token = token.translate(_WHITE)
                if len(set(token)) == 1 and token[0] != "(":  # a run of '{' or of '[', in one step
                    clauses.discard(len(frames) - 1)
                    frames.extend(token)
                else:
                    previous = (prev_kind, prev, prev2_kind)
                    for char in token:
                        if char == "(":
                            frames.append(self.paren_kind(frames[-1], *previous))
                        else:
                            if char == "{":
                                clauses.discard(len(frames) - 1)
                            frames.append(char)
                        previous = ("open", char, previous[0])
                depth = max(depth, len(frames))
                token = token[0]  # what a pending glued SERVICE looks for: '{'
            elif kind == "close":
                token = m.group(kind)
                if len(token) > 1:
                    token = token.translate(_WHITE)
                keep = max(1, len(frames) - len(token))
                if clauses and max(clauses) >= keep:
                    clauses.intersection_update(range(keep))
                del frames[keep:]
                token = token[-1]
            elif kind == "end" or kind == "quote":
                break
            elif kind == "lt":  # the less-than operator after an operand in an expression; '<<'; an IRI
                if frames[-1] == "E" and (prev_kind in _OPERAND or prev in (")", "]", "true", "false")):
                    kind, token = "op", "<"
                elif text.startswith("<", pos):
                    kind, token, pos = "<<", "<<", pos + 1
                    frames.append("<<")
                    depth = max(depth, len(frames))
                else:
                    iri = _IRI.match(text, pos - 1)
                    if iri:
                        kind, token, pos = "iri", iri.group(), iri.end()
                    else:
                        kind, token = "other", "<"
            elif kind == "gt":
                if text.startswith(">", pos) and frames[-1] == "<<":
                    token, pos = ">>", pos + 1
                    frames.pop()
                else:
                    token = ">"
                kind = "op"
            else:
                token = m.group(kind)

            if service_at >= 0:  # SERVICE takes an optional SILENT, then a variable or an IRI
                at, service_at = service_at, -1
                if kind == "word" and service_stage == "service" and token.translate(_ASCII_LOWER) == "silent":
                    service_at, service_stage = at, "silent"
                    kind = "keyword"
                elif kind == "pname" and service_stage == "service":
                    self.glued_service(at, token)
                    kind = "target"
                elif kind == "pname" or kind == "iri" or kind == "var":
                    self.add_service(at, token, kind, service_stage == "silent", (pos - len(token), pos))
                    kind = "target"
            if glued_at >= 0:
                if token == "{":
                    self.glued_service(glued_at, glued_rest)
                glued_at = -1

            if len(frames) == 1 and (declared := self.prologue(kind, token, declaring)) is not None:
                declaring = declared
            elif kind == "word" or kind == "pname":
                declaring = ""
                lower = token.lower() if token.isascii() else token.translate(_ASCII_LOWER)
                self.body_word(lower)
                if kind == "word":
                    found = lower.find("service")
                    if found >= 0 and lower[found + 7:] in ("", "silent"):
                        service_at = m.start(kind) + found
                        service_stage = "silent" if lower[found + 7:] else "service"
                else:
                    name_prefix = token.partition(":")[0]
                    if (self.undeclared_at is None and name_prefix not in self.prefixes
                            and "filter" not in lower and "service" not in lower.partition(":")[0]):
                        self.undeclared_at = pos
                    found = lower.partition(":")[0].find("service")
                    after_target_word = prev_kind == "word" and prev.translate(_ASCII_LOWER).endswith(_TARGET_WORDS)
                    if found >= 0 and not after_target_word:
                        glued_at, glued_rest = m.start(kind) + found, token[found + 7:]
            else:
                declaring = ""
                if self.form is None and kind != "target":
                    self.form = "SELECT"  # not a query or update keyword: the engine reports the error
            prev2_kind, prev_kind, prev = prev_kind, kind, token
        self.depth = depth - 1

    def prologue(self, kind: str, token: str, declaring: str) -> str | None:
        """PREFIX, BASE and VERSION declarations, also glued (`PREFIXex:<…>`); the next state, or
        None when the token is no part of a declaration."""
        if kind == "word" and token.translate(_ASCII_LOWER) in ("prefix", "base", "version") and not declaring:
            return token.translate(_ASCII_LOWER)
        if kind == "pname" and token.endswith(":") and token.count(":") == 1:
            if declaring == "prefix":
                return "=" + token[:-1]
            if not declaring and token[:6].translate(_ASCII_LOWER) == "prefix":
                return "=" + token[6:-1]
        if kind == "iri" and (declaring == "base" or declaring.startswith("=")):
            self.declare(declaring, token)
            return ""
        if kind == "str" and declaring == "version":
            return ""
        return None

    def declare(self, declaring: str, iri: str) -> None:
        resolved = resolve(_unescape_iri(iri[1:-1]), self.base)
        if declaring == "base":
            self.base = resolved
        elif resolved is not None:
            self.prefixes[declaring[1:]] = resolved
        else:  # a relative namespace with no base: the engine rejects it; expand nothing with it
            self.prefixes.pop(declaring[1:], None)

    def body_word(self, lower: str) -> None:
        """The first word after the prologue names the form; SELECT, GROUP, ORDER and HAVING open a
        clause whose parentheses hold expressions, and the words that follow such a clause end it."""
        if self.form is None:
            self.form = "SELECT"  # unless a keyword below says otherwise; the engine reports the error
            for form in QUERY_FORMS + UPDATE_FORMS:
                if lower.startswith(form.lower()):
                    self.form, self.is_update = form, form in UPDATE_FORMS
                    break
        if len(self.frames) == 1 and lower.startswith("from"):
            self.has_from = True
        if lower.startswith(("select", "group", "order", "having")):
            self.clauses.add(len(self.frames) - 1)
            self.clause_kind[len(self.frames) - 1] = next(
                k for k in ("select", "group", "order", "having") if lower.startswith(k))
        elif lower.startswith(("where", "from", "limit", "offset", "values")):
            self.clauses.discard(len(self.frames) - 1)

    def note_variable(self, start: int, end: int, name: str) -> None:
        """A variable's role: an item of the outer SELECT list ("projection"), of a subquery's
        ("subprojection"), of GROUP BY or ORDER BY, or anywhere else ("term")."""
        level = len(self.frames) - 1
        role = self.clause_kind.get(level, "term") if level in self.clauses else "term"
        if role == "select":
            role = "projection" if level == 0 else "subprojection"
        assert self.variables is not None
        self.variables.append((start, end, name, role))

    def paren_kind(self, top: str, prev_kind: str, prev: str, prev2_kind: str) -> str:
        """Whether a '(' opens an expression ("E") or a list of terms ("T")."""
        if prev_kind == "<<":
            return "T"
        if top == "E":
            return "E"
        if top == "T" or top == "<<":
            return "T"
        if len(self.frames) - 1 in self.clauses:
            return "E"
        if prev_kind == "word":
            return "T" if prev == "a" or prev.translate(_ASCII_LOWER) == "values" else "E"
        if prev_kind == "iri" or prev_kind == "pname":
            if prev2_kind == "word":  # FILTER <fn>( or FILTER ex:fn(
                return "E"
            if prev_kind == "pname":  # FILTERex:fn( glued: the engine reads FILTER ex:fn(
                name_prefix = prev.partition(":")[0]
                found = name_prefix.translate(_ASCII_LOWER).find("filter")
                if found >= 0 and (name_prefix not in self.prefixes or name_prefix[found + 6:] in self.prefixes):
                    return "E"
        return "T"


def inspect(text: str, *, base_iri: str | None = None, prefixes: dict[str, str] | None = None) -> QueryShape:
    """Form, update or not, SERVICE targets and nesting depth of a SPARQL text, in one linear pass.

    Prefixed names expand with the text's own PREFIX declarations over `prefixes` (default: the
    predeclared commit_kg.namespaces.PREFIXES); relative IRIs resolve against the text's BASE, else
    `base_iri`. A target that cannot be resolved (a variable, an undeclared prefix, a relative IRI
    without base) has iri None: the caller refuses it.
    """
    scan = _Scan(text, base_iri, dict(PREFIXES if prefixes is None else prefixes))
    scan.run()
    return QueryShape(scan.form or "SELECT", scan.is_update, tuple(scan.services), scan.depth, scan.has_from,
                      scan.undeclared_at)


@functools.lru_cache(maxsize=256)
def _variables(text: str) -> tuple[tuple[int, int, str, str], ...]:
    """Every variable token of a query text as (start, end, name, role). Cached: the texts given values
    are the service's own queries, a few dozen, each bound on every page and API call."""
    scan = _Scan(text, None, dict(PREFIXES))
    scan.variables = []
    scan.run()
    return tuple(scan.variables)


def substitute(text: str, values: dict[str, str], *, drop_keys: bool = False) -> str:
    """The query with each variable named in `values` (name without '?' -> an RDF term in SPARQL syntax,
    e.g. `str(ox.NamedNode(...))`) bound as pyoxigraph's `substitutions` bind it, for an engine that has
    no such argument (a remote SPARQL store) and for pyoxigraph itself, whose planner sees a constant in
    the text but not a substitution: the term replaces the variable in patterns and
    expressions; in the outer SELECT list the item becomes `(term AS ?v)`, so the answer still carries
    it; a subquery's SELECT list drops it (its value is the same constant); GROUP BY and ORDER BY get
    `(term)`, or with `drop_keys` lose it (a constant key changes neither groups nor order, and some
    engines, rdflib's, cannot evaluate one). The terms come from a library's serialiser, never from
    request text."""
    parts, last = [], 0
    for start, end, name, role in _variables(text):
        term = values.get(name[1:])
        if term is None:
            continue
        key = "" if drop_keys else f"({term})"
        replacement = {"projection": f"({term} AS {name})", "subprojection": "", "group": key,
                       "order": key}.get(role, term)
        parts += [text[last:start], replacement]
        last = end
    return "".join(parts) + text[last:]
