"""What the build derives from the data, each part in a named graph under graph/derived/: upper bounds
on entry into force that an instrument's own rule gives, coverage bases and statuses, criterion
statuses on the reference dates, and the PPC each activity code names. Derived triples are facts about
our files, not about the world, so they carry no dcterms:source; a derived bound cites the rule it
applies, whose source is the article's text."""

from __future__ import annotations

import datetime

import pyoxigraph as ox

from . import bounds, coverage, criteria
from .dates import window_of
from .namespaces import CK, GRAPH
from .store import EmbeddedStore

ACTIVITY_GRAPH = ox.NamedNode(GRAPH + "derived/activity-codes")
DATE_GRAPH = ox.NamedNode(GRAPH + "derived/date-checks")
# (earlier step, later step): the later cannot be dated before the earlier.
DATE_ORDER = (
    ("signedOn", "entryIntoForceOn"), ("signedOn", "ratifiedOn"), ("adoptedOn", "entryIntoForceOn"),
    ("ratifiedOn", "depositedOn"), ("depositedOn", "entryIntoForceOn"), ("accededOn", "entryIntoForceOn"),
    ("entryIntoForceOn", "endedOn"), ("entryIntoForceOn", "repealedOn"), ("startDate", "endDate"),
)
ACTIVITY_CODES = f"""SELECT ?activity ?code ?plan WHERE {{
  ?activity a <{CK}PlanActivity> ; <http://www.w3.org/2004/02/skos/core#notation> ?code ;
            <http://purl.org/dc/terms/isPartOf>/<http://purl.org/dc/terms/isPartOf> ?plan }}"""


def activity_codes(store: EmbeddedStore) -> list[ox.Quad]:
    """Activity 4.8 names PPC 4 of its plan: ck:codeImpliesPPC, which a core shape compares with
    dcterms:isPartOf (cheaper than a SPARQL constraint; see bench/)."""
    solutions = store.query(ACTIVITY_CODES)
    assert isinstance(solutions, ox.QuerySolutions)
    return [ox.Quad(row["activity"], ox.NamedNode(CK + "codeImpliesPPC"),
                    ox.NamedNode(f"{row['plan'].value}/ppc/{row['code'].value.split('.')[0]}"), ACTIVITY_GRAPH)
            for row in solutions]


def date_order(store: EmbeddedStore) -> list[ox.Quad]:
    """A ck:dateOrderProblem on each resource whose later step is dated before an earlier one, however
    precise each date is (the earliest day of one against the latest day of the other), for a core
    shape to report. Windows make "2013" vs "2013-05-02" in order, "2014" vs "2013-05-02" not."""
    problems = []
    for earlier, later in DATE_ORDER:
        solutions = store.query(f"SELECT ?x ?a ?b WHERE {{ ?x <{CK}{earlier}> ?a ; <{CK}{later}> ?b }}")
        assert isinstance(solutions, ox.QuerySolutions)
        for row in solutions:
            try:
                first, last = window_of(row["a"]).earliest, window_of(row["b"]).latest
            except ValueError:
                continue  # not a real date: the date shape reports it
            if first and last and first > last:
                text = f"{earlier} {row['a'].value} is after {later} {row['b'].value}"
                problems.append(ox.Quad(row["x"], ox.NamedNode(CK + "dateOrderProblem"), ox.Literal(text), DATE_GRAPH))
    return problems


def derive(store: ox.Store, days: list[datetime.date]) -> list[ox.Quad]:
    """Everything derived from the loaded ontology and data, for the reference days given. The bounds
    go into the store first, because coverage reads them."""
    view = EmbeddedStore(store)
    entry_bounds = bounds.materialise(bounds.derive_bounds(view))
    store.extend(entry_bounds)
    index = coverage.CoverageIndex(view)
    return (entry_bounds + coverage.materialise(index.bases) + coverage.materialise_status(index, view, days)
            + criteria.materialise_status(view, days) + activity_codes(view) + date_order(view))
