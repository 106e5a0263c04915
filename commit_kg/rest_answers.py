"""The answers of the REST API's country and lineage routes (/api/countries/{iso3}, /api/lineage/{plan}/{ppc}),
read from the graph with the catalogue's queries (public ones and the service's internal ones), so that
the router only checks the request and returns what these give."""

from __future__ import annotations

import datetime
from typing import Any

import pyoxigraph as ox

from . import criteria
from .catalogue import Catalogue
from .coverage import KINDS, CoverageIndex
from .errors import NotFoundError, excerpt
from .namespaces import CK, ID
from .store import EmbeddedStore

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"


def labels_of(rows: list[dict[str, ox.Term]], key: str = "label") -> dict[str, str]:
    return {row[key].language or "": row[key].value for row in rows
            if isinstance(row.get(key), ox.Literal)}


def country(store: EmbeddedStore, catalogue: Catalogue, index: CoverageIndex, iso3: str,
            today: datetime.date) -> dict[str, Any]:
    """A country's names, codes, taskforce and instruments, and on `today` its criteria and coverage."""
    by_code = catalogue.own("country-by-code")
    found = by_code.select(store, iso=ox.Literal(iso3))
    if not found:
        known = sorted(r["iso"].value for r in by_code.select(store))
        raise NotFoundError(f"no country with ISO 3166-1 alpha-3 code '{iso3}'; known: {', '.join(known)}")
    node = found[0]["country"]
    facts = catalogue.own("country-facts").select(store, country=node)
    values = lambda p: [r["o"].value for r in facts if r["p"].value == p]  # noqa: E731
    labels = labels_of([{"label": r["o"]} for r in facts if r["p"].value == RDFS_LABEL])
    national = next(((lang, text) for lang, text in labels.items() if lang not in ("en", "th")), None)
    if national is None and "th" in labels:  # Thailand: its national language is Thai
        national = ("th", labels["th"])
    taskforce_rows = catalogue.own("country-taskforce").select(store, country=node)
    _, instruments = catalogue.get("country-instruments").run(store, {"country": node.value})
    involves = lambda pair: iso3 in (pair.country_a, pair.country_b)  # noqa: E731
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


def lineage(store: EmbeddedStore, catalogue: Catalogue, plan: str, ppc: str) -> dict[str, Any]:
    """A PPC with its labels and notation and the derivation steps before and after it."""
    iri = ox.NamedNode(f"{ID}plan/{plan}/ppc/{ppc}")
    facts = catalogue.own("ppc-facts").select(store, ppc=iri)
    if not facts:
        raise NotFoundError(f"no PPC {excerpt(ppc)} in plan {excerpt(plan)} (plans: spa2005, spa2005r, spa2)")
    _, backward = catalogue.get("ppc-lineage-backward").run(store, {"ppc": iri.value})
    _, forward = catalogue.get("ppc-lineage-forward").run(store, {"ppc": iri.value})
    return {"iri": iri.value, "plan": facts[0]["plan"].value, "notation": facts[0]["notation"].value,
            "labels": labels_of(facts), "backward": backward, "forward": forward}
