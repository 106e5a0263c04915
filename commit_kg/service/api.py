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

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BeforeValidator

from .. import criteria, reports, tabular, validation_report
from .. import rest_answers as answers
from ..coverage import KINDS, LEVELS, gaps
from ..errors import ParameterError, excerpt
from .deps import (
    BaseDep,
    CatalogueDep,
    CoverageDep,
    DeclaredParametersOnly,
    GraphDep,
    StoreDep,
)
from .models import (
    CountryAnswer,
    CoverageAnswer,
    CriterionRecord,
    LineageAnswer,
    QueryInfo,
    ValidationAnswer,
)
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
VARY = {"Vary": "Accept"}  # on every answer whose type Accept may choose
ISO3 = r"^[A-Z]{3}$"
PLAN, PPC = r"^[a-z0-9]+$", r"^[0-9]+$"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"

def iso_day(value: object) -> object:
    """A date only in YYYY-MM-DD form: pydantic alone would read `as_of=0` as a Unix time (1970-01-01)."""
    if isinstance(value, str) and len(value) != 10:
        raise ValueError("not a date in YYYY-MM-DD form")
    return value


AsOf = Annotated[datetime.date | None, BeforeValidator(iso_day), Query(
    description="The date the answer is for (YYYY-MM-DD); default: today.", examples=["2010-12-31"])]


# --- parameter types ---------------------------------------------------------------------------------

TableFormat = Annotated[QueryFormat | None, Query(description="json (default) or csv; wins over the Accept header.")]


# --- helpers ------------------------------------------------------------------------------------------

def negotiated(request: Request, response: Response, format: StrEnum | None, offered: list[str]) -> str:
    """The media type a `format` parameter, else the Accept header, chooses; the answer says it depends on
    Accept (Vary), whether it is the JSON FastAPI makes from `response` or a Response of the route's own."""
    response.headers.update(VARY)
    return requested_format(MEDIA[format] if format else None, request.headers.get("accept"), offered)


def single_values(request: Request, reserved: set[str]) -> dict[str, str]:
    """The query string as one value per name, without the API's own parameters; a repeat is an error."""
    values: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in reserved:
            continue
        if key in values:
            raise ParameterError(f"parameter {excerpt(key)} is given more than once")
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
    request: Request, response: Response, store: StoreDep, catalogue: CatalogueDep,
    format: TableFormat = None,
) -> Any:
    """Run one named query of the catalogue. Its parameters are given in the query string by name and
    checked against the catalogue: an unknown one, or a value not of its type, is a 400 naming it;
    a parameter left out takes its default. The answer is a list of records (`{variable: value}`;
    an unbound variable is an empty string), or CSV with `?format=csv` or `Accept: text/csv`."""
    query = catalogue.get(name)
    media = negotiated(request, response, format, [JSON, CSV])
    columns, rows = query.run(store, single_values(request, {"format"}))
    if media == CSV:
        return Response(tabular.as_csv(rows, columns), media_type="text/csv; charset=utf-8", headers=VARY)
    return rows


# --- coverage and criteria ----------------------------------------------------------------------------

TABLE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {CSV: {}}, "description": "JSON, or CSV (one row per record, lists joined with '; ')."},
    400: {"description": "A parameter that the route does not take, given twice, or not of its type"},
    406: {"description": "Neither JSON nor CSV is acceptable"}}


def as_table(request: Request, response: Response, format: QueryFormat | None,
             records: list[dict[str, Any]]) -> Response | None:
    """CSV when asked for (`format=csv` or Accept); None means answer JSON."""
    if negotiated(request, response, format, [JSON, CSV]) == CSV:
        return Response(reports.as_csv(records), media_type="text/csv; charset=utf-8", headers=VARY)
    return None


@router.get("/coverage", tags=["coverage"], response_model=CoverageAnswer, dependencies=DeclaredParametersOnly,
            summary="Legal basis of each pair of countries for one kind of cooperation on a date",
            responses=TABLE_RESPONSES)
def coverage(
    request: Request,
    response: Response,
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
    table = as_table(request, response, format, [a.record() for a in answers])
    if table is not None:
        return table
    return {"kind": kind.value, "as_of": day, "min_level": min_level.value, "pairs": [a.record() for a in answers],
            "gaps": [{"country_a": a.country_a, "country_b": a.country_b, "level": a.level}
                     for a in gaps(answers, min_level.value)]}


@router.get("/criteria", tags=["coverage"], response_model=list[CriterionRecord], dependencies=DeclaredParametersOnly,
            summary="Each country's legal framework on the five SPA II criteria on a date",
            responses=TABLE_RESPONSES)
def criteria_table(request: Request, response: Response, store: StoreDep, as_of: AsOf = None,
                   format: TableFormat = None) -> Any:
    """Country × criterion (6 × 5 = 30 cells) on a date: the status of the assessment valid on it
    (met, partly-met, not-met; unknown where there is none), the criterion's name, the law it judges and
    the articles relied on, from when it holds and why, the source, its rationale and confidence, and
    whether the cell is a data gap (with the reason). As CSV: one row per cell."""
    records = [cell.record() for cell in criteria.table(store, as_of or datetime.date.today())]
    return as_table(request, response, format, records) or records


# --- countries ----------------------------------------------------------------------------------------

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
    return answers.country(store, catalogue, index, iso3, datetime.date.today())


# --- lineage ------------------------------------------------------------------------------------------

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
    return answers.lineage(store, catalogue, plan, ppc)


# --- validation ---------------------------------------------------------------------------------------

@router.get("/validation", tags=["validation"], response_model=ValidationAnswer, dependencies=DeclaredParametersOnly,
            summary="The SHACL report of the graph being served",
            responses={200: {"content": {TURTLE: {}},
                             "description": "Results as JSON, or the standard sh:ValidationReport in Turtle."},
                       406: {"description": "Neither JSON nor Turtle is acceptable"}})
def validation(
    request: Request, response: Response, graph: GraphDep, store: StoreDep,
    severity: Annotated[Severity, Query(description="The least severe result to list.")] = DEFAULT_SEVERITY,
    format: Annotated[ReportFormat | None, Query(
        description="json (default) or turtle; wins over the Accept header.")] = None,
) -> Any:
    """What SHACL said when this graph was built: integrity violations (none, or the build would have
    refused the data), data and legal gaps by country and coverage gaps by pair, each with its English
    and Thai message, at or above `severity`, with counts by severity. With `Accept: text/turtle` (or
    `?format=turtle`) the whole standard `sh:ValidationReport` graph instead."""
    media = negotiated(request, response, format, [JSON, TURTLE])
    result = graph.validation
    if media == TURTLE:
        return Response(result.report.serialize(format="turtle"), media_type="text/turtle; charset=utf-8",
                        headers=VARY)
    return {"conforms": result.conforms, "counts": result.counts, "severity": severity.value,
            "results": validation_report.records(result, store, severity.value)}
