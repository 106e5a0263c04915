"""The REST API under /api, for people who do not write SPARQL (documented at /docs).

Each route answers one question the CLI answers too, from the same library functions: the named-query
catalogue, coverage of pairs, the criteria table, a country, a PPC's lineage and the SHACL report.
Parameters are typed (enums, dates, patterns), so /docs shows their values and a bad one is a 400
`invalid_parameter` naming it; every other failure is a domain error from `..errors`, answered by the
app's one handler table.
"""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.dependencies.models import Dependant
from pydantic import BaseModel, Field

from .. import criteria, reports, tabular, validation_report
from ..catalogue import Catalogue
from ..coverage import KINDS, LEVELS, CoverageIndex, gaps
from ..errors import NotFoundError, ParameterError
from ..namespaces import CK, ID
from .deps import BaseDep, GraphDep, StoreDep
from .negotiation import requested_format

router = APIRouter(prefix="/api")

# Enums built from the library's own lists, so the API offers exactly what the library answers.
Kind = StrEnum("Kind", [(kind.replace("-", "_"), kind) for kind in KINDS])
MinLevel = StrEnum("MinLevel", [(level, level) for level in reversed(LEVELS[1:])])  # strongest first
Severity = StrEnum("Severity", [(name, name) for name in validation_report.ORDER])
QueryFormat = StrEnum("QueryFormat", [("json", "json"), ("csv", "csv")])
ReportFormat = StrEnum("ReportFormat", [("json", "json"), ("turtle", "turtle")])
DEFAULT_MIN_LEVEL, DEFAULT_SEVERITY = MinLevel("regional"), Severity("info")

JSON, CSV, TURTLE = "application/json", "text/csv", "text/turtle"
MEDIA = {"json": JSON, "csv": CSV, "turtle": TURTLE}
ISO3 = r"^[A-Z]{3}$"
PLAN, PPC = r"^[a-z0-9]+$", r"^[0-9]+$"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"

AsOf = Annotated[datetime.date | None, Query(
    description="The date the answer is for (YYYY-MM-DD); default: today.", examples=["2010-12-31"])]


# --- dependencies -------------------------------------------------------------------------------------

def get_catalogue(request: Request) -> Catalogue:
    """The named-query catalogue the lifespan loaded once for this app."""
    return request.app.state.catalogue


def get_coverage_index(request: Request, graph: GraphDep, store: StoreDep) -> CoverageIndex:
    """The coverage index of the graph being served, read once per graph version and kept on app.state.
    (Two first requests at once may both read it; the second simply replaces the first.)"""
    cached = getattr(request.app.state, "coverage_index", None)
    if cached is None or cached[0] != graph.version:
        cached = (graph.version, CoverageIndex(store))
        request.app.state.coverage_index = cached
    return cached[1]


def query_parameters(dependant: Dependant) -> set[str]:
    """The names of the query parameters a route (and the dependencies it uses) declares."""
    return {p.alias for p in dependant.query_params}.union(*(query_parameters(d) for d in dependant.dependencies))


def declared_parameters_only(request: Request) -> None:
    """Refuse a query parameter the route does not declare, or one given twice, as /sparql and the
    named queries do: a misspelt `as_off` must not quietly answer for today."""
    declared = sorted(query_parameters(request.scope["route"].dependant))
    seen: set[str] = set()
    for key, _ in request.query_params.multi_items():
        if key not in declared:
            raise ParameterError(f"unknown parameter {key[:40]!r}; this route takes: {', '.join(declared) or 'none'}")
        if key in seen:
            raise ParameterError(f"parameter '{key}' is given more than once")
        seen.add(key)


CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]
CoverageDep = Annotated[CoverageIndex, Depends(get_coverage_index)]
DeclaredParametersOnly = [Depends(declared_parameters_only)]
TableFormat = Annotated[QueryFormat | None, Query(description="json (default) or csv; wins over the Accept header.")]


# --- response models (they are what /docs shows) ------------------------------------------------------

class Title(BaseModel):
    en: str
    th: str


class ParameterInfo(BaseModel):
    name: str
    type: str = Field(description="iri, string, integer or date (YYYY-MM-DD; the default `today` is the day asked)")
    rdf_class: str | None = Field(description="For an iri: the ck: class its value must be an instance of; the "
                                              "short form (`THA`, `mla`) is the last segment of the instance's IRI.")
    values: list[str] = Field(description="The only values taken, when the query declares them.")
    default: str | None
    required: bool
    description: str


class QueryInfo(BaseModel):
    name: str
    title: Title
    description: str
    parameters: list[ParameterInfo]
    url: str = Field(description="Where to run it: GET this URL with the parameters in the query string.")


class Instrument(BaseModel):
    iri: str
    label: str
    level: str
    source: list[str]
    until: datetime.date | None = Field(description="The first day it no longer counts (the day after a yearly "
                                                    "instrument's year), if it ends.")
    reason: str | None = Field(description="For an undetermined instrument: which participation or instrument lacks "
                                           "which date (with its IRI) and what is known of it.")


class PairRecord(BaseModel):
    country_a: str
    country_b: str
    kind: str
    as_of: datetime.date
    level: str = Field(description="bilateral, regional, untoc, none or unknown")
    approximate: bool = Field(description="True when the answer rests on a date known only to the month or year.")
    basis: list[Instrument] = Field(description="The instruments giving the level, with their sources.")
    undetermined: list[Instrument] = Field(description="Stronger instruments whose state on that date is unknown, "
                                                       "each with its reason.")
    reasons: list[str] = Field(description="Why the level is not higher: the reason of each undetermined instrument "
                                           "(never empty when the level is unknown).")


class Gap(BaseModel):
    country_a: str
    country_b: str
    level: str


class CoverageAnswer(BaseModel):
    kind: str
    as_of: datetime.date
    min_level: str
    pairs: list[PairRecord]
    gaps: list[Gap] = Field(description="The pairs below min_level (unknown ones included).")


class CriterionRecord(BaseModel):
    country: str
    criterion: int
    criterion_label: str = Field(description="The criterion's name in English.")
    criterion_label_th: str = Field(description="The criterion's name in Thai.")
    status: str = Field(description="met, partly-met, not-met or unknown")
    evidence: list[str]
    source: list[str]
    assessed_on: datetime.date | None
    assessment: str | None
    rationale: str
    law: str | None = Field(description="The IRI of the law (or amendment) the assessment judges.")
    law_label: str | None
    law_entry_into_force: str | None = Field(description="That law's entry into force, as precise as its source.")
    valid_from: datetime.date | None = Field(description="The day from which the assessment holds.")
    validity: str | None = Field(description="Why the assessment holds from then (or why no assessment holds).")
    confidence: str | None
    data_gap: bool = Field(description="True when no assessment holds on the date, or the one that holds is unknown.")
    gap_reason: str | None


class LangString(BaseModel):
    lang: str
    value: str


class Taskforce(BaseModel):
    iri: str
    labels: dict[str, str]


class CountryAnswer(BaseModel):
    iri: str
    iso3166_alpha2: str | None
    iso3166_alpha3: str
    un_m49: str | None
    labels: dict[str, str] = Field(description="rdfs:label by language tag (en, th and the national language).")
    national_label: LangString | None
    same_as: list[str] = Field(description="The Wikidata entity.")
    taskforce: Taskforce | None
    instruments: list[dict[str, str]] = Field(description="Rows of the named query country-instruments.")
    as_of: datetime.date
    criteria: list[CriterionRecord] = Field(description="The five criteria on as_of (today).")
    coverage: dict[str, list[PairRecord]] = Field(description="By kind, this country's five pairs on as_of (today).")


class LineageAnswer(BaseModel):
    iri: str
    plan: str
    notation: str
    labels: dict[str, str]
    backward: list[dict[str, str]] = Field(description="Rows of the named query ppc-lineage-backward.")
    forward: list[dict[str, str]] = Field(description="Rows of the named query ppc-lineage-forward.")


class ValidationRecord(BaseModel):
    severity: str
    category: str = Field(description="integrity, data-gap, legal-gap, coverage-gap or other")
    focus_node: str
    path: str | None
    value: str | None
    shape: str
    message_en: str
    message_th: str
    country: str | None = None
    criterion: str | None = None
    criterion_label: str | None = None
    criterion_label_th: str | None = None
    reason: str | None = Field(default=None, description="For a data gap or a coverage gap: why.")
    pair: str | None = None
    kind: str | None = None
    level: str | None = None
    date: str | None = None


class ValidationAnswer(BaseModel):
    conforms: bool
    counts: dict[str, int] = Field(description="Results by severity (violation, warning, info), whatever the filter.")
    severity: str
    results: list[ValidationRecord]


# --- helpers ------------------------------------------------------------------------------------------

def labels_of(rows: list[dict[str, ox.Term]], key: str = "label") -> dict[str, str]:
    return {row[key].language or "": row[key].value for row in rows
            if isinstance(row.get(key), ox.Literal)}


def single_values(request: Request, reserved: set[str]) -> dict[str, str]:
    """The query string as one value per name, without the API's own parameters; a repeat is an error."""
    values: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in reserved:
            continue
        if key in values:
            raise ParameterError(f"parameter '{key}' is given more than once")
        values[key] = value
    return values


# --- named queries ------------------------------------------------------------------------------------

@router.get("/queries", tags=["queries"], response_model=list[QueryInfo], dependencies=DeclaredParametersOnly,
            summary="List the named queries with their parameters")
def list_queries(catalogue: CatalogueDep, base: BaseDep) -> list[dict[str, Any]]:
    """Every named query of the catalogue: its name, English and Thai title, what it answers, and its
    parameters (type iri, string, integer or date; a default, or required). Run one at its `url`."""
    return [{"name": q.name, "title": {"en": q.title_en, "th": q.title_th}, "description": q.description,
             "parameters": [{"name": p.name, "type": p.type, "rdf_class": p.rdf_class, "values": list(p.allowed),
                             "default": p.default, "required": p.required, "description": p.description}
                            for p in q.parameters],
             "url": f"{base}/api/queries/{q.name}"} for q in catalogue.queries.values()]


@router.get(
    "/queries/{name}", tags=["queries"], response_model=list[dict[str, str]],
    summary="Run a named query",
    responses={200: {"content": {CSV: {}}, "description": "One record per answer row (JSON), or CSV."},
               400: {"description": "A parameter that the query does not take, or not of its type"},
               404: {"description": "No named query of that name (`unknown_query`)"},
               406: {"description": "Neither JSON nor CSV is acceptable"}},
    openapi_extra={"parameters": [{
        "name": "params", "in": "query", "required": False, "style": "form", "explode": True,
        "description": "The query's own parameters, each as `name=value` in the query string (see "
                       "GET /api/queries); an `iri` takes a full IRI or a path under "
                       "https://w3id.org/commit-kg/id/ such as `country/THA`.",
        "schema": {"type": "object", "additionalProperties": {"type": "string"}},
        "example": {"country": "country/THA"}}]},
)
def run_query(
    name: Annotated[str, Path(description="The query's name, e.g. country-instruments.")],
    request: Request, store: StoreDep, catalogue: CatalogueDep,
    format: TableFormat = None,
) -> Any:
    """Run one named query of the catalogue. Its parameters are given in the query string by name and
    checked against the catalogue: an unknown one, or a value not of its type, is a 400 naming it;
    a parameter left out takes its default. The answer is a list of records (`{variable: value}`;
    an unbound variable is an empty string), or CSV with `?format=csv` or `Accept: text/csv`."""
    query = catalogue.get(name)
    media = requested_format(MEDIA[format] if format else None, request.headers.get("accept"), [JSON, CSV])
    columns, rows = query.run(store, single_values(request, {"format"}))
    if media == CSV:
        return Response(tabular.as_csv(rows, columns), media_type="text/csv; charset=utf-8")
    return rows


# --- coverage and criteria ----------------------------------------------------------------------------

TABLE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {CSV: {}}, "description": "JSON, or CSV (one row per record, lists joined with '; ')."},
    400: {"description": "A parameter that the route does not take, given twice, or not of its type"},
    406: {"description": "Neither JSON nor CSV is acceptable"}}


def as_table(request: Request, format: QueryFormat | None, records: list[dict[str, Any]]) -> Response | None:
    """CSV when asked for (`format=csv` or Accept); None means answer JSON."""
    if requested_format(MEDIA[format] if format else None, request.headers.get("accept"), [JSON, CSV]) == CSV:
        return Response(reports.as_csv(records), media_type="text/csv; charset=utf-8")
    return None


@router.get("/coverage", tags=["coverage"], response_model=CoverageAnswer, dependencies=DeclaredParametersOnly,
            summary="Legal basis of each pair of countries for one kind of cooperation on a date",
            responses=TABLE_RESPONSES)
def coverage(
    request: Request,
    index: CoverageDep,
    kind: Annotated[Kind, Query(description="The kind of cooperation.")],
    as_of: AsOf = None,
    min_level: Annotated[MinLevel, Query(description="Pairs below this level are listed as gaps.")] = DEFAULT_MIN_LEVEL,
    format: TableFormat = None,
) -> Any:
    """The 15 pairs of COMMIT members for one kind of cooperation on a date: each pair's level
    (bilateral > regional > untoc > none, or unknown where the graph cannot decide), the instruments it
    rests on with their sources, stronger instruments whose state is undetermined, and the pairs below
    `min_level`. As CSV: one row per pair."""
    day = as_of or datetime.date.today()
    answers = index.pairs(kind.value, day)
    table = as_table(request, format, [a.record() for a in answers])
    if table is not None:
        return table
    return {"kind": kind.value, "as_of": day, "min_level": min_level.value, "pairs": [a.record() for a in answers],
            "gaps": [{"country_a": a.country_a, "country_b": a.country_b, "level": a.level}
                     for a in gaps(answers, min_level.value)]}


@router.get("/criteria", tags=["coverage"], response_model=list[CriterionRecord], dependencies=DeclaredParametersOnly,
            summary="Each country's legal framework on the five SPA II criteria on a date",
            responses=TABLE_RESPONSES)
def criteria_table(request: Request, store: StoreDep, as_of: AsOf = None, format: TableFormat = None) -> Any:
    """Country × criterion (6 × 5 = 30 cells) on a date: the status of the assessment valid on it
    (met, partly-met, not-met; unknown where there is none), the criterion's name, the law it judges and
    the articles relied on, from when it holds and why, the source, its rationale and confidence, and
    whether the cell is a data gap (with the reason). As CSV: one row per cell."""
    records = [cell.record() for cell in criteria.table(store, as_of or datetime.date.today())]
    return as_table(request, format, records) or records


# --- countries ----------------------------------------------------------------------------------------

COUNTRY = "SELECT ?iso ?country WHERE { ?country a ck:Country ; ck:iso3166Alpha3 ?iso }"
COUNTRY_FACTS = "SELECT ?country ?p ?o WHERE { ?country ?p ?o }"
TASKFORCE = "SELECT ?country ?taskforce ?label WHERE { ?taskforce ck:taskforceOf ?country ; rdfs:label ?label }"


@router.get("/countries/{iso3}", tags=["countries"], response_model=CountryAnswer, dependencies=DeclaredParametersOnly,
            summary="A country: names, codes, taskforce, instruments, criteria and coverage today",
            responses={400: {"description": "Not three capital letters"},
                       404: {"description": "No country with that code (`not_found`)"}})
def country(
    iso3: Annotated[str, Path(pattern=ISO3, description="ISO 3166-1 alpha-3 code, e.g. THA.")],
    store: StoreDep, catalogue: CatalogueDep, index: CoverageDep,
) -> dict[str, Any]:
    """A country with its labels (English, Thai and its national language), ISO 3166-1 codes, UN M49
    code, Wikidata entity and national COMMIT taskforce; the instruments it is party to (bilateral) or
    participates in (multilateral), from the named query country-instruments; and, today, where it
    stands on the five criteria and its coverage with each other member for each kind of cooperation."""
    found = store.select(COUNTRY, iso=ox.Literal(iso3))
    if not found:
        known = sorted(r["iso"].value for r in store.select("SELECT ?iso WHERE { ?c a ck:Country ; ck:iso3166Alpha3 ?iso }"))
        raise NotFoundError(f"no country with ISO 3166-1 alpha-3 code '{iso3}'; known: {', '.join(known)}")
    node = found[0]["country"]
    facts = store.select(COUNTRY_FACTS, country=node)
    values = lambda p: [r["o"].value for r in facts if r["p"].value == p]
    labels = labels_of([{"label": r["o"]} for r in facts if r["p"].value == RDFS_LABEL])
    national = next(((lang, text) for lang, text in labels.items() if lang not in ("en", "th")), None)
    if national is None and "th" in labels:  # Thailand: its national language is Thai
        national = ("th", labels["th"])
    taskforce_rows = store.select(TASKFORCE, country=node)
    today = datetime.date.today()
    _, instruments = catalogue.get("country-instruments").run(store, {"country": node.value})
    involves = lambda pair: iso3 in (pair.country_a, pair.country_b)
    return {
        "iri": node.value, "iso3166_alpha3": iso3,
        "iso3166_alpha2": next(iter(values(CK + "iso3166Alpha2")), None),
        "un_m49": next(iter(values(CK + "unM49")), None),
        "labels": labels, "national_label": {"lang": national[0], "value": national[1]} if national else None,
        "same_as": sorted(values(OWL_SAME_AS)),
        "taskforce": {"iri": taskforce_rows[0]["taskforce"].value, "labels": labels_of(taskforce_rows)}
        if taskforce_rows else None,
        "instruments": instruments,
        "as_of": today,
        "criteria": [c.record() for c in criteria.table(store, today) if c.country == iso3],
        "coverage": {kind: [p.record() for p in index.pairs(kind, today) if involves(p)] for kind in KINDS},
    }


# --- lineage ------------------------------------------------------------------------------------------

PPC_FACTS = """SELECT ?ppc ?plan ?notation ?label WHERE {
  ?ppc a ck:ProjectProposalConcept ; dcterms:isPartOf ?plan ; skos:notation ?notation .
  OPTIONAL { ?ppc rdfs:label ?label } }"""


@router.get("/lineage/{plan}/{ppc}", tags=["lineage"], response_model=LineageAnswer, dependencies=DeclaredParametersOnly,
            summary="Where a PPC comes from and what became of it",
            responses={404: {"description": "No such PPC (`not_found`)"}})
def lineage(
    plan: Annotated[str, Path(pattern=PLAN, description="The plan: spa2005, spa2005r or spa2.")],
    ppc: Annotated[str, Path(pattern=PPC, description="The PPC's number in that plan, e.g. 5.")],
    store: StoreDep, catalogue: CatalogueDep,
) -> dict[str, Any]:
    """A project proposal concept (PPC) with its labels and notation, the derivation steps behind it
    back to the first plan (named query ppc-lineage-backward), and those after it up to the latest plan
    (ppc-lineage-forward); each step says how (renaming, merger, split, …) and whether the source
    states it or it is inferred."""
    iri = ox.NamedNode(f"{ID}plan/{plan}/ppc/{ppc}")
    facts = store.select(PPC_FACTS, ppc=iri)
    if not facts:
        raise NotFoundError(f"no PPC {ppc} in plan '{plan}' (plans: spa2005, spa2005r, spa2)")
    _, backward = catalogue.get("ppc-lineage-backward").run(store, {"ppc": iri.value})
    _, forward = catalogue.get("ppc-lineage-forward").run(store, {"ppc": iri.value})
    return {"iri": iri.value, "plan": facts[0]["plan"].value, "notation": facts[0]["notation"].value,
            "labels": labels_of(facts), "backward": backward, "forward": forward}


# --- validation ---------------------------------------------------------------------------------------

@router.get("/validation", tags=["validation"], response_model=ValidationAnswer, dependencies=DeclaredParametersOnly,
            summary="The SHACL report of the graph being served",
            responses={200: {"content": {TURTLE: {}},
                             "description": "Results as JSON, or the standard sh:ValidationReport in Turtle."},
                       406: {"description": "Neither JSON nor Turtle is acceptable"}})
def validation(
    request: Request, graph: GraphDep, store: StoreDep,
    severity: Annotated[Severity, Query(description="The least severe result to list.")] = DEFAULT_SEVERITY,
    format: Annotated[ReportFormat | None, Query(
        description="json (default) or turtle; wins over the Accept header.")] = None,
) -> Any:
    """What SHACL said when this graph was built: integrity violations (none, or the build would have
    refused the data), data and legal gaps by country and coverage gaps by pair, each with its English
    and Thai message, at or above `severity`, with counts by severity. With `Accept: text/turtle` (or
    `?format=turtle`) the whole standard `sh:ValidationReport` graph instead."""
    media = requested_format(MEDIA[format] if format else None, request.headers.get("accept"), [JSON, TURTLE])
    result = graph.validation
    if media == TURTLE:
        return Response(result.report.serialize(format="turtle"), media_type="text/turtle; charset=utf-8")
    return {"conforms": result.conforms, "counts": result.counts, "severity": severity.value,
            "results": validation_report.records(result, store, severity.value)}
