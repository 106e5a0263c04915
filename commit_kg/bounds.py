"""Upper bounds on entry into force that follow from an instrument's own rule (issue 8, section 2).

UNTOC Art. 38(2) and the TIP Protocol Art. 17(2) say a state is bound on the 30th day after it deposits
its instrument; the ASEAN MLA Treaty Art. 31(1) on the day of deposit. The rules are data
(ck:EntryIntoForceRule on the instrument, with the article and its source). A participation whose
entry into force was not found but whose deposit (or ratification, acceptance, approval or accession,
which take effect by deposit: VCLT Arts. 2(1)(b) and 16(b)) is dated, if only to a year, is therefore in
force no later than the rule's day counted from the last day of that step. The build writes that bound
into graph/derived/entry-into-force-bounds, on the participation (ck:inForceNoLaterThan) and as a
ck:DerivedBound record citing the rule, so that coverage and any SPARQL user can use it and see it is
derived. A stated bound that is at least as early is kept and nothing is derived.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pyoxigraph as ox

from .dates import Window, dated, first, tightest
from .namespaces import CK, GRAPH, ID, XSD
from .store import EmbeddedStore

BOUNDS_GRAPH = ox.NamedNode(GRAPH + "derived/entry-into-force-bounds")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
SKOS_NOTE = ox.NamedNode("http://www.w3.org/2004/02/skos/core#editorialNote")
# The steps that put a participation's instrument in the depositary's hands, in order of preference:
# the deposit itself, else the act that takes effect by it (VCLT Arts. 2(1)(b) and 16(b)).
DEPOSIT_STEPS = (("depositedOn", "DepositDate", "deposit"), ("ratifiedOn", "RatificationDate", "ratification"),
                 ("accededOn", "AccessionDate", "accession"), ("approvedOn", "ApprovalDate", "approval"))
VCLT = ("Ratification, acceptance, approval and accession of a treaty with a depositary take effect by the deposit "
        "of the instrument (Vienna Convention on the Law of Treaties, Arts. 2(1)(b) and 16(b)), so the date of "
        "{verb} is read as the date of deposit; if it was only a domestic decision, the deposit, and the bound, "
        "would be later.")


@dataclass(frozen=True)
class Rule:
    """An instrument's entry-into-force rule that can be counted from one party's deposit."""

    iri: str
    instrument: str
    label: str
    days: int
    not_before_own: bool


@dataclass(frozen=True)
class Bound:
    """'In force for this party no later than `day`', from `rule` applied to the party's `step`."""

    participation: str
    rule: Rule
    step: str  # the ck:DateKind local name of the step counted from
    verb: str  # that step in words: deposit, ratification, accession, approval
    step_window: Window
    day: datetime.date


def rules(store: EmbeddedStore) -> dict[str, Rule]:
    """Instrument IRI to its deposit-counted rule (rules counted from anything else are not applied)."""
    rows = store.select("""SELECT ?i ?r ?label ?days ?later WHERE {
        ?i ck:entryIntoForceRule ?r . ?r ck:triggeringStep ck:DepositDate ; ck:daysAfterStep ?days .
        OPTIONAL { ?r rdfs:label ?label FILTER (lang(?label) = "en") }
        OPTIONAL { ?r ck:notBeforeOwnEntryIntoForce ?later } }""")
    return {r["i"].value: Rule(r["r"].value, r["i"].value, r["label"].value if "label" in r else r["r"].value,
                               int(r["days"].value), "later" in r and r["later"].value == "true") for r in rows}


def derive_bounds(store: EmbeddedStore) -> list[Bound]:
    """Every bound the rules give for participations with no entry into force, tighter than any stated."""
    by_instrument = rules(store)
    if not by_instrument:
        return []
    own = dated(store, "?x ck:hasParticipation ?part .", ("entryIntoForceOn",))
    steps = dated(store, "?i ck:hasParticipation ?x .",
                  tuple(s for s, _, _ in DEPOSIT_STEPS) + ("entryIntoForceOn", "inForceNoLaterThan"))
    found = []
    for r in store.select("SELECT ?i ?p WHERE { ?i ck:hasParticipation ?p }"):
        rule = by_instrument.get(r["i"].value)
        dates = steps.get(r["p"].value, {})
        if rule is None or dates.get("entryIntoForceOn"):
            continue
        step = next(((kind, verb, first(dates[p])) for p, kind, verb in DEPOSIT_STEPS if dates.get(p)), None)
        if step is None or step[2].latest is None:
            continue
        day = step[2].latest + datetime.timedelta(days=rule.days)
        in_force = first(own.get(rule.instrument, {}).get("entryIntoForceOn", []))
        if rule.not_before_own and in_force.latest is not None:
            day = max(day, in_force.latest)
        stated = tightest(dates.get("inForceNoLaterThan", []))
        if stated.known and stated.latest <= day:
            continue
        found.append(Bound(r["p"].value, rule, step[0], step[1], step[2], day))
    return found


def materialise(bounds: list[Bound]) -> list[ox.Quad]:
    """The bounds on their participations and one ck:DerivedBound record each, marked derived."""
    quads = []
    for b in bounds:
        participation = ox.NamedNode(b.participation)
        day = ox.Literal(b.day.isoformat(), datatype=ox.NamedNode(XSD + "date"))
        record = ox.NamedNode(b.participation.replace(ID + "participation/", ID + "derived-bound/"))
        note = (f"DERIVED by the build, not read in any source: {b.verb} in {b.step_window.text} (at the latest "
                f"{b.step_window.latest.isoformat()}); under {b.rule.label} the instrument is in force for the party "
                f"{'on the day of deposit' if b.rule.days == 0 else f'on the {b.rule.days}th day after the deposit'}"
                f"{', or on its own entry into force if later' if b.rule.not_before_own else ''}, "
                f"so it was in force no later than {b.day.isoformat()}.")
        if b.step != "DepositDate":
            note += " " + VCLT.format(verb=b.verb)
        for s, p, o in (
                (participation, ox.NamedNode(CK + "inForceNoLaterThan"), day),
                (record, RDF_TYPE, ox.NamedNode(CK + "DerivedBound")),
                (record, ox.NamedNode(CK + "boundFor"), participation),
                (record, ox.NamedNode(CK + "appliedRule"), ox.NamedNode(b.rule.iri)),
                (record, ox.NamedNode(CK + "fromStep"), ox.NamedNode(CK + b.step)),
                (record, ox.NamedNode(CK + "boundValue"), day),
                (record, PROV_DERIVED, participation),
                (record, PROV_DERIVED, ox.NamedNode(b.rule.iri)),
                (record, SKOS_NOTE, ox.Literal(note, language="en"))):
            quads.append(ox.Quad(s, p, o, BOUNDS_GRAPH))
    return quads
