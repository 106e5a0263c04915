"""The named-query catalogue: `queries/*.rq` files whose `#+` header (YAML) says what they answer.

A header looks like (grlc's decorator syntax, extended with Thai titles and typed parameters):

    #+ title: {en: PPCs of a plan, th: ...}
    #+ description: What the query answers.
    #+ params:
    #+   - {name: plan, type: iri, class: Plan, default: spa2, description: The plan}

Parameter types: `iri` (a full IRI or a path under https://w3id.org/commit-kg/id/), `string`,
`integer`, `date` (YYYY-MM-DD only; the default `today` is the day the query runs). A `string` or
`integer` with `values` takes only those. An `iri` with a
`class` (a ck: class) must name an instance of it, and also takes the short form the REST API uses:
the last segment of the instance's IRI (`THA` for id/country/THA, `mla` for id/cooperation-kind/mla).
A value that is none of these is refused, naming the accepted forms.

Parameters are bound as RDF terms: each value becomes a pyoxigraph term (checked as its type), and the
store writes that term's own serialisation in place of the variable (`sparql_text.substitute`); the
request's text is never spliced in. Each must be a variable the query projects.

The service's own queries live in `queries/internal/` with the same header: the catalogue loads them
(`Catalogue.internal`) but does not list them (not in /api/queries, not in `commit-kg queries`), and
code runs them with terms it has already checked (`NamedQuery.select`, `NamedQuery.triples`).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from .errors import ParameterError, QueryFileError, UnknownQueryError, excerpt
from .namespaces import CK, ID, XSD
from .store import EmbeddedStore
from .tabular import records

PARAM_TYPES = ("iri", "string", "integer", "date")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
CLASS_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TODAY = "today"
INTERNAL = "internal"  # the sub-folder of the service's own queries
SHOWN_CHOICES = 12  # a class with more instances is described by examples, not listed whole
INSTANCES = """SELECT DISTINCT ?x ?class WHERE { ?x a/rdfs:subClassOf* ?class FILTER (isIRI(?x)) } ORDER BY ?x"""
# Resolving a value reads only what it needs: whether the IRI is an instance (from the IRI, a few lookups),
# else the instances whose IRI ends with the short form (from the class down). Listing every instance
# took 1.4-1.9 s for LegalInstrument on the 1M-triple synthetic world, on every call; these 8 ms and 0.17 s.
MEMBER = """SELECT ?x ?class WHERE { ?x a/rdfs:subClassOf* ?class } LIMIT 1"""
ENDING_WITH = """SELECT DISTINCT ?x ?class ?ending WHERE {
  ?kind rdfs:subClassOf* ?class . ?x a ?kind FILTER (isIRI(?x) && STRENDS(STR(?x), ?ending))
} ORDER BY ?x"""


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    description: str
    default: str | None = None
    rdf_class: str | None = None  # the ck: class an `iri` value must be an instance of
    allowed: tuple[str, ...] = ()  # the only values a `string` or `integer` takes, when declared

    @property
    def required(self) -> bool:
        return self.default is None

    def to_term(self, raw: str) -> ox.Term:
        """Turn user text into the RDF term the query receives, or say why it cannot be one (the
        class of an `iri` is checked against the graph by `resolve`)."""
        if self.allowed and raw not in self.allowed:
            raise ParameterError(f"parameter '{self.name}': {excerpt(raw)} is not one of {', '.join(self.allowed)}")
        if self.type == "iri":
            iri = raw if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", raw) else ID + raw.lstrip("/")
            try:
                if any(c in iri for c in ' <>"{}|\\^`') or any(ord(c) < 0x20 for c in iri):
                    raise ValueError(iri)
                return ox.NamedNode(iri)
            except ValueError:
                raise ParameterError(f"parameter '{self.name}': {excerpt(raw)} is not an IRI") from None
        if self.type == "integer":
            if not re.fullmatch(r"[+-]?\d+", raw):
                raise ParameterError(f"parameter '{self.name}': {excerpt(raw)} is not an integer")
            return ox.Literal(raw, datatype=ox.NamedNode(XSD + "integer"))
        if self.type == "date":
            if raw == TODAY:
                raw = datetime.date.today().isoformat()
            try:
                if not ISO_DAY.match(raw):
                    raise ValueError(raw)
                datetime.date.fromisoformat(raw)
            except ValueError:
                raise ParameterError(f"parameter '{self.name}': {excerpt(raw)} is not a date (YYYY-MM-DD)") from None
            return ox.Literal(raw, datatype=ox.NamedNode(XSD + "date"))
        return ox.Literal(raw)

    def resolve(self, raw: str, term: ox.Term, store: EmbeddedStore) -> ox.Term:
        """For an `iri` of a class: the instance the value names, as a full IRI, a path under id/, or
        the short form (the last segment of the instance's IRI); otherwise an error naming the forms."""
        if self.rdf_class is None:
            return term
        rdf_class = ox.NamedNode(CK + self.rdf_class)
        if isinstance(term, ox.NamedNode) and store.select(MEMBER, x=term, **{"class": rdf_class}):
            return term
        short = [row["x"].value for row in store.select(ENDING_WITH, ending=ox.Literal(f"/{raw}"), **{"class": rdf_class})
                 if row["x"].value.rsplit("/", 1)[-1] == raw]
        if len(short) == 1:
            return ox.NamedNode(short[0])
        if short:
            raise ParameterError(f"parameter '{self.name}': {excerpt(raw)} names several {self.rdf_class}s "
                                 f"({', '.join(iri.removeprefix(ID) for iri in short)}); give the path or the full IRI")
        instances = [row["x"].value for row in store.select(INSTANCES, **{"class": rdf_class})]
        names = [iri.rsplit("/", 1)[-1] for iri in instances]
        choices = ", ".join(names) if len(names) <= SHOWN_CHOICES else f"e.g. {', '.join(names[:3])}"
        example = instances[0].removeprefix(ID) if instances else "…"
        raise ParameterError(
            f"parameter '{self.name}': {excerpt(raw)} is not a {self.rdf_class}; give its short form "
            f"({choices}), a path such as {example}, or a full IRI")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title_en: str
    title_th: str
    description: str
    parameters: tuple[Parameter, ...]
    text: str
    path: Path

    def run(self, store: EmbeddedStore, values: dict[str, str]) -> tuple[list[str], list[dict[str, str]]]:
        """Check the values, run the query with them bound as RDF terms; its columns and rows."""
        solutions = store.query(self.text, substitutions=self.bind(values, store))
        if not isinstance(solutions, ox.QuerySolutions):
            raise QueryFileError(f"{self.path}: a named query must be a SELECT query")
        return [v.value for v in solutions.variables], records(solutions)

    def select(self, store: EmbeddedStore, **bound: ox.Term) -> list[dict[str, ox.Term]]:
        """A SELECT answer as terms (for code, which binds terms it made itself)."""
        return store.select(self.text, **bound)

    def triples(self, store: EmbeddedStore, **bound: ox.Term) -> list[ox.Triple]:
        """A CONSTRUCT answer, each triple once, sorted so that each subject's triples are together."""
        answer = store.query(self.text, substitutions={ox.Variable(k): v for k, v in bound.items()} or None)
        if not isinstance(answer, ox.QueryTriples | list):  # a remote store answers a list of triples
            raise QueryFileError(f"{self.path}: not a CONSTRUCT query")
        return sorted(set(answer), key=str)

    def bind(self, values: dict[str, str], store: EmbeddedStore | None = None) -> dict[ox.Variable, ox.Term]:
        """Check the given values against the declared parameters and make the substitutions; with a
        store, an `iri` of a class is resolved to (and checked as) an instance of that class."""
        known = {p.name for p in self.parameters}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ParameterError(
                f"query '{self.name}' has no parameter {', '.join(map(excerpt, unknown[:5]))}; "
                f"it takes: {', '.join(sorted(known)) or 'none'}"
            )
        bound = {}
        for parameter in self.parameters:
            raw = values.get(parameter.name, parameter.default)
            if raw is None:
                raise ParameterError(f"query '{self.name}' needs parameter '{parameter.name}' ({parameter.type})")
            term = parameter.to_term(raw)
            bound[ox.Variable(parameter.name)] = parameter.resolve(raw, term, store) if store else term
        return bound


def read_header(path: Path) -> dict[str, Any]:
    lines = [line[2:] for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#+")]
    try:
        header = yaml.safe_load("\n".join(line[1:] if line.startswith(" ") else line for line in lines))
    except yaml.YAMLError as error:
        raise QueryFileError(f"{path}: header is not valid YAML: {error}") from None
    if not isinstance(header, dict):
        raise QueryFileError(f"{path}: no '#+' header")
    return header


def parse_parameter(path: Path, entry: Any) -> Parameter:
    if not isinstance(entry, dict) or not NAME.match(str(entry.get("name", ""))):
        raise QueryFileError(f"{path}: each parameter needs a lower-case 'name'; got {entry!r}")
    if entry.get("type") not in PARAM_TYPES:
        raise QueryFileError(f"{path}: parameter '{entry['name']}' type must be one of {PARAM_TYPES}")
    rdf_class = entry.get("class")
    if rdf_class is not None and (entry["type"] != "iri" or not CLASS_NAME.match(str(rdf_class))):
        raise QueryFileError(f"{path}: parameter '{entry['name']}': 'class' (a ck: class name) goes with type iri")
    allowed = entry.get("values") or []
    if not isinstance(allowed, list) or (allowed and entry["type"] not in ("string", "integer")):
        raise QueryFileError(f"{path}: parameter '{entry['name']}': 'values' (a list) goes with type string or integer")
    default = entry.get("default")
    return Parameter(
        name=entry["name"],
        type=entry["type"],
        description=str(entry.get("description", "")),
        default=None if default is None else str(default),
        rdf_class=rdf_class,
        allowed=tuple(str(value) for value in allowed),
    )


def load_query(path: Path) -> NamedQuery:
    header = read_header(path)
    title = header.get("title")
    if not isinstance(title, dict) or not title.get("en") or not title.get("th"):
        raise QueryFileError(f"{path}: header needs 'title' with 'en' and 'th'")
    if not header.get("description"):
        raise QueryFileError(f"{path}: header needs a 'description'")
    parameters = tuple(parse_parameter(path, entry) for entry in header.get("params") or [])
    return NamedQuery(
        name=path.stem,
        title_en=str(title["en"]),
        title_th=str(title["th"]),
        description=str(header["description"]).strip(),
        parameters=parameters,
        text=path.read_text(encoding="utf-8"),
        path=path,
    )


class Catalogue:
    """All named queries of a folder, by name (the file name without `.rq`), and the service's own
    ones of its `internal/` sub-folder, kept apart."""

    def __init__(self, folder: Path) -> None:
        if not folder.is_dir():
            raise QueryFileError(f"{folder}: queries folder not found")
        self.queries = {q.name: q for q in map(load_query, sorted(folder.glob("*.rq")))}
        self.internal = {q.name: q for q in map(load_query, sorted((folder / INTERNAL).glob("*.rq")))}

    def own(self, name: str) -> NamedQuery:
        """One of the service's internal queries; a missing one is a broken installation."""
        try:
            return self.internal[name]
        except KeyError:
            raise QueryFileError(f"internal query '{name}' not found in {INTERNAL}/") from None

    def get(self, name: str) -> NamedQuery:
        try:
            return self.queries[name]
        except KeyError:
            raise UnknownQueryError(
                f"no named query {excerpt(name)}; known: {', '.join(sorted(self.queries))}"
            ) from None
