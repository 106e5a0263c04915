"""The REST API's response models: what /docs shows for each answer of /api (the routes in api.py)."""

from __future__ import annotations

import datetime

from pydantic import BaseModel, Field


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
