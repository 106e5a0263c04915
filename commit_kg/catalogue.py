"""The named-query catalogue: `queries/*.rq` files whose `#+` header (YAML) says what they answer.

A header looks like (grlc's decorator syntax, extended with Thai titles and typed parameters):

    #+ title: {en: PPCs of a plan, th: ...}
    #+ description: What the query answers.
    #+ params:
    #+   - {name: plan, type: iri, default: plan/spa2, description: The plan}

Parameters are bound as RDF terms through pyoxigraph substitutions, never spliced into the text,
so each must be a variable the query projects.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from .errors import ParameterError, QueryFileError, UnknownQueryError
from .namespaces import ID, XSD
from .store import EmbeddedStore
from .tabular import records

PARAM_TYPES = ("iri", "string", "integer", "date")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    description: str
    default: str | None = None

    @property
    def required(self) -> bool:
        return self.default is None

    def to_term(self, raw: str) -> ox.Term:
        """Turn user text into the RDF term the query receives, or say why it cannot be one."""
        if self.type == "iri":
            iri = raw if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", raw) else ID + raw.lstrip("/")
            if any(c in iri for c in ' <>"{}|\\^`'):
                raise ParameterError(f"parameter '{self.name}': {raw!r} is not an IRI")
            return ox.NamedNode(iri)
        if self.type == "integer":
            if not re.fullmatch(r"[+-]?\d+", raw):
                raise ParameterError(f"parameter '{self.name}': {raw!r} is not an integer")
            return ox.Literal(raw, datatype=ox.NamedNode(XSD + "integer"))
        if self.type == "date":
            try:
                datetime.date.fromisoformat(raw)
            except ValueError:
                raise ParameterError(f"parameter '{self.name}': {raw!r} is not a date (YYYY-MM-DD)") from None
            return ox.Literal(raw, datatype=ox.NamedNode(XSD + "date"))
        return ox.Literal(raw)


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
        solutions = store.query(self.text, substitutions=self.bind(values))
        if not isinstance(solutions, ox.QuerySolutions):
            raise QueryFileError(f"{self.path}: a named query must be a SELECT query")
        return [v.value for v in solutions.variables], records(solutions)

    def bind(self, values: dict[str, str]) -> dict[ox.Variable, ox.Term]:
        """Check the given values against the declared parameters and make the substitutions."""
        known = {p.name for p in self.parameters}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ParameterError(
                f"query '{self.name}' has no parameter {', '.join(map(repr, unknown))}; "
                f"it takes: {', '.join(sorted(known)) or 'none'}"
            )
        bound = {}
        for parameter in self.parameters:
            raw = values.get(parameter.name, parameter.default)
            if raw is None:
                raise ParameterError(f"query '{self.name}' needs parameter '{parameter.name}' ({parameter.type})")
            bound[ox.Variable(parameter.name)] = parameter.to_term(raw)
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
    default = entry.get("default")
    return Parameter(
        name=entry["name"],
        type=entry["type"],
        description=str(entry.get("description", "")),
        default=None if default is None else str(default),
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
    """All named queries of a folder, by name (the file name without `.rq`)."""

    def __init__(self, folder: Path) -> None:
        if not folder.is_dir():
            raise QueryFileError(f"{folder}: queries folder not found")
        self.queries = {q.name: q for q in map(load_query, sorted(folder.glob("*.rq")))}

    def get(self, name: str) -> NamedQuery:
        try:
            return self.queries[name]
        except KeyError:
            raise UnknownQueryError(
                f"no named query '{name}'; known: {', '.join(sorted(self.queries))}"
            ) from None
