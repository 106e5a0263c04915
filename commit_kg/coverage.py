"""Cross-border coverage (design section 4), as a pure function of the graph and a date.

For each unordered pair of COMMIT members and each kind of cooperation, the level is the strongest of
bilateral > regional > UNTOC > none, each backed by instruments in force on the date:
- an MOU or joint declaration counts from signature; any other instrument from entry into force
  (for multilateral ones, entry into force for each of the two countries);
- a date known only to the month or year counts from the end of that month or year, and the answer
  says it is approximate; "in force no later than" counts from that bound, and before it (after any
  known earlier step) the state is unknown;
- an instrument whose start is not known, and not ruled out by a known earlier step (signature,
  ratification, deposit), is "unknown" on that date, never "none";
- a draft never covers; civil judicial assistance is its own kind, never MLA; a multilateral
  instrument covers a pair only when in force for both (China is party to no ASEAN instrument);
- a declaration that a party does not take UNTOC as the legal basis for extradition removes the
  UNTOC level for extradition involving that party;
- the Trafficking in Persons Protocol, which applies UNTOC's provisions, counts at the UNTOC level;
- an instrument made for one year or month (ck:periodCovered: the yearly ministry-level MOUs) counts
  only until the end of that period;
- an instrument's state that cannot be decided on a date is reported with its reason: which
  participation or instrument lacks which date, with its IRI and what is known of it (`Part`).

`bases(store)` reads the candidate instruments once per graph; `assess(...)` evaluates them, by pair, for a date.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from enum import Enum

import pyoxigraph as ox

from .dates import UNKNOWN, Window, dated, first, latest_lower_bound, tightest
from .namespaces import CK, GRAPH, ID, XSD
from .store import EmbeddedStore

UNTOC = ID + "instrument/untoc-2000"
# The Trafficking in Persons Protocol supplements UNTOC and applies its provisions mutatis mutandis
# (Protocol Art. 1(2)): cooperation under it runs through UNTOC, so it counts at the UNTOC level.
UNTOC_FAMILY = {UNTOC, ID + "instrument/tip-protocol-2000"}
DERIVED_GRAPH = ox.NamedNode(GRAPH + "derived/coverage-bases")
STATUS_GRAPH = ox.NamedNode(GRAPH + "derived/coverage-status")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
KINDS = {"mla": ID + "cooperation-kind/mla", "extradition": ID + "cooperation-kind/extradition",
         "anti-trafficking": ID + "cooperation-kind/anti-trafficking"}
LEVELS = ("none", "untoc", "regional", "bilateral")  # weakest to strongest
ON_SIGNATURE = {CK + "MemorandumOfUnderstanding", CK + "JointDeclaration"}
PARTICIPATION_STEPS = ("signedOn", "ratifiedOn", "accededOn", "approvedOn", "depositedOn")
STEP_WORDS = {"signedOn": "signed", "ratifiedOn": "ratified", "accededOn": "acceded", "approvedOn": "approved",
              "depositedOn": "deposited", "adoptedOn": "adopted", "signedNoEarlierThan": "signed no earlier than"}


class State(Enum):
    IN_FORCE = "in force"
    NOT_IN_FORCE = "not in force"
    UNKNOWN = "unknown"


def state_of(start: Window, end: Window, day: datetime.date) -> tuple[State, bool]:
    """In force or not on `day`, and whether the answer rests on an imprecise date."""
    if end.latest is not None and end.latest <= day:
        return State.NOT_IN_FORCE, not end.exact
    if start.latest is not None and start.latest <= day:
        return State.IN_FORCE, not start.exact
    if start.earliest is not None and day < start.earliest:
        return State.NOT_IN_FORCE, False
    if start.latest is not None and not start.upper_bound:
        return State.NOT_IN_FORCE, True  # inside a month/year window: it counts from the window's end
    return State.UNKNOWN, False


@dataclass(frozen=True)
class Part:
    """One resource whose dates decide when a basis starts: a bilateral instrument, or one party's
    participation in a multilateral one; what it lacks and what is known, for the reason of an unknown."""

    iri: str
    label: str
    start: Window
    missing: str  # "entry into force" or "signature"
    known: tuple[str, ...] = ()  # "deposited 2004", "signed 1999-02-09", "in force no later than …"

    def reason(self) -> str:
        facts = f" ({', '.join(self.known)})" if self.known else " (no date of it was found)"
        return f"{self.label} <{self.iri}>: {self.missing} not found{facts}"


@dataclass(frozen=True)
class Basis:
    """One instrument that could cover one pair for one kind, and when it does (as precisely as known)."""

    instrument: str
    label: str
    kind: str
    level: str
    pair: tuple[str, str]
    start: Window
    end: Window = UNKNOWN
    sources: tuple[str, ...] = ()
    parts: tuple[Part, ...] = ()

    def state_on(self, day: datetime.date) -> tuple[State, bool]:
        """In force or not on `day`, and whether the answer rests on an imprecise date."""
        return state_of(self.start, self.end, day)

    def reason_on(self, day: datetime.date) -> str:
        """Why its state on `day` is unknown: each part whose own start is undecided that day."""
        parts = [p.reason() for p in self.parts if state_of(p.start, UNKNOWN, day)[0] is State.UNKNOWN]
        return " and ".join(parts) or f"{self.label} <{self.instrument}>: start not found"

    def record(self, day: datetime.date | None = None) -> dict:
        """IRI, label, level, source URLs, the day it stops counting, and (given a day) why it is unknown."""
        return {"iri": self.instrument, "label": self.label, "level": self.level, "source": list(self.sources),
                "until": self.end.latest.isoformat() if self.end.latest else None,
                "reason": self.reason_on(day) if day is not None else None}


@dataclass(frozen=True)
class PairCoverage:
    """The answer for one pair, kind and date."""

    country_a: str
    country_b: str
    kind: str
    as_of: datetime.date
    level: str
    approximate: bool
    basis: list[Basis] = field(default_factory=list)
    undetermined: list[Basis] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        """Why each undetermined basis is undetermined on the date: the participation or instrument
        lacking a date, with its IRI and what is known of it. Never empty when the level is unknown."""
        return [b.reason_on(self.as_of) for b in self.undetermined]

    def record(self) -> dict:
        """The JSON record the CLI and the service give (ISO alpha-3 codes, basis with IRI, label, sources;
        each undetermined basis with its reason, and all the reasons at the top for CSV readers)."""
        return {"country_a": self.country_a, "country_b": self.country_b, "kind": self.kind,
                "as_of": self.as_of.isoformat(), "level": self.level, "approximate": self.approximate,
                "basis": [b.record() for b in self.basis],
                "undetermined": [b.record(self.as_of) for b in self.undetermined], "reasons": self.reasons}


def members(store: EmbeddedStore) -> dict[str, str]:
    """COMMIT members: country IRI to ISO alpha-3."""
    rows = store.select(f"SELECT ?c ?iso WHERE {{ <{ID}process/commit> ck:memberCountry ?c . ?c ck:iso3166Alpha3 ?iso }}")
    return {r["c"].value: r["iso"].value for r in rows}


def start_window(effect: Window, bound: Window, lower: datetime.date | None) -> Window:
    """When something takes effect: its date; else 'no later than' a bound; else only a lower bound."""
    if effect.known:
        return effect
    if bound.known:
        return Window(lower, bound.latest, upper_bound=True)
    return Window(lower, None)


def party_start(step: dict[str, list[Window]], on_signature: bool, signed: Window, in_force: Window,
                made: datetime.date | None) -> Window:
    """When a multilateral instrument takes effect for one party: its signature for an MOU; else its
    entry into force for that party, or 'no later than' its tightest bound, after the steps known before it."""
    if on_signature:
        return first(step["signedOn"]) if step.get("signedOn") else signed
    lower = latest_lower_bound([first(step.get(s, [])) for s in PARTICIPATION_STEPS] + [in_force, Window(made, made)])
    return start_window(first(step.get("entryIntoForceOn", [])), tightest(step.get("inForceNoLaterThan", [])), lower)


def known_steps(dates: dict[str, list[Window]], steps: tuple[str, ...], bound: Window, derived: str | None) -> tuple[str, ...]:
    """What is known of a resource whose start is not: its earlier steps and its bound, in words."""
    said = tuple(f"{STEP_WORDS[s]} {first(dates[s]).text}" for s in steps if dates.get(s))
    if bound.known:
        how = f", derived by rule: {derived}" if derived else ""
        said += (f"in force no later than {bound.text}{how}, so before that its state is unknown",)
    return said


def part_of(iri: str, label: str, start: Window, on_signature: bool, dates: dict[str, list[Window]],
            steps: tuple[str, ...], derived: str | None) -> Part:
    missing = "signature" if on_signature else "entry into force"
    bound = UNKNOWN if on_signature else tightest(dates.get("inForceNoLaterThan", []))
    return Part(iri, label, start, missing, known_steps(dates, steps, bound, derived))


def end_window(ended: Window, period: Window) -> Window:
    """When an instrument stops counting: its end; else the day after the period it was made for."""
    if ended.known:
        return ended
    if period.latest is not None:
        after = period.latest + datetime.timedelta(days=1)
        return Window(after, after)
    return UNKNOWN


def bases(store: EmbeddedStore) -> list[Basis]:
    """Every (instrument, pair, kind) that could cover a pair of COMMIT members, with its start window."""
    countries = members(store)
    # The instruments of the class tree found apart (a subquery): Virtuoso 7.2 joins `a/rdfs:subClassOf*`
    # with the `?i a ?form` OPTIONALs wrongly and returns one row instead of every instrument.
    instruments = store.select("""SELECT ?i ?kind ?label
        (SAMPLE(?form) AS ?on_signature) (SAMPLE(?sig) AS ?effective_on_signature) (SAMPLE(?multi) AS ?multilateral)
        WHERE { { SELECT DISTINCT ?i WHERE { ?i a/rdfs:subClassOf* ck:LegalInstrument } }
          ?i ck:covers ?kind .
          OPTIONAL { ?i rdfs:label ?label FILTER (lang(?label) = "en") }
          OPTIONAL { ?i a ?form FILTER (?form IN (ck:MemorandumOfUnderstanding, ck:JointDeclaration)) }
          OPTIONAL { ?i ck:effectiveOnSignature ?sig }
          OPTIONAL { ?i a ?multi FILTER (?multi = ck:MultilateralInstrument) }
          FILTER NOT EXISTS { ?i ck:status <""" + ID + """instrument-status/draft> } }
        GROUP BY ?i ?kind ?label""")
    dates = dated(store, "?x a/rdfs:subClassOf* ck:LegalInstrument .",
                  ("signedOn", "signedNoEarlierThan", "entryIntoForceOn", "inForceNoLaterThan", "endedOn", "adoptedOn",
                   "periodCovered"))
    parties: dict[str, list[str]] = defaultdict(list)
    for r in store.select("SELECT ?i ?c WHERE { ?i ck:party ?c }"):
        parties[r["i"].value].append(r["c"].value)
    participations: dict[str, dict[str, str]] = defaultdict(dict)
    party_labels: dict[str, str] = {}
    for r in store.select("""SELECT ?i ?p ?c ?label WHERE { ?i ck:hasParticipation ?p . ?p ck:participant ?c
                              OPTIONAL { ?p rdfs:label ?label FILTER (lang(?label) = "en") } }"""):
        participations[r["i"].value][r["c"].value] = r["p"].value
        party_labels[r["p"].value] = r["label"].value if "label" in r else r["p"].value
    party_dates = dated(store, "?i ck:hasParticipation ?x .", PARTICIPATION_STEPS + ("entryIntoForceOn", "inForceNoLaterThan"))
    derived = {r["p"].value: r["rule"].value for r in store.select("""SELECT ?p ?rule WHERE {
        ?b a ck:DerivedBound ; ck:boundFor ?p ; ck:appliedRule/rdfs:label ?rule FILTER (lang(?rule) = "en") }""")}
    refusing = {r["p"].value for r in store.select("""SELECT ?p WHERE {
        ?p ck:hasReservation ?r . ?r a ck:NoExtraditionLegalBasisDeclaration }""")}
    sources: dict[str, set[str]] = defaultdict(set)
    for r in store.select("""SELECT ?i ?s ?doc WHERE { ?i a ck:LegalInstrument ; dcterms:source ?s .
                              OPTIONAL { ?s ck:inDocument ?doc } }"""):
        sources[r["i"].value].add((r.get("doc") or r["s"]).value)

    found = []
    for row in instruments:
        iri, kind = row["i"].value, row["kind"].value
        label = row["label"].value if "label" in row else iri
        on_signature = "on_signature" in row or (
            "effective_on_signature" in row and row["effective_on_signature"].value == "true")
        own = dates.get(iri, {})
        signed, in_force = first(own.get("signedOn", [])), first(own.get("entryIntoForceOn", []))
        end = end_window(first(own.get("endedOn", [])), first(own.get("periodCovered", [])))
        made = latest_lower_bound([signed, first(own.get("adoptedOn", [])), first(own.get("signedNoEarlierThan", []))])

        sorted_sources = tuple(sorted(sources.get(iri, ())))
        if parties.get(iri):  # bilateral (or trilateral) by named parties
            level = "regional" if "multilateral" in row else "bilateral"
            bound = tightest(own.get("inForceNoLaterThan", []))
            start = start_window(signed, bound, made) if on_signature else start_window(in_force, bound, made)
            part = part_of(iri, label, start, on_signature, own, ("signedNoEarlierThan", "signedOn", "adoptedOn"), None)
            for a, b in itertools.combinations(sorted(set(parties[iri]) & set(countries)), 2):
                found.append(Basis(iri, label, kind, level, (a, b), start, end, sorted_sources, (part,)))
        elif participations.get(iri):  # multilateral by per-party participation
            level = "untoc" if iri in UNTOC_FAMILY else "regional"
            for a, b in itertools.combinations(sorted(set(participations[iri]) & set(countries)), 2):
                if level == "untoc" and kind == KINDS["extradition"] and (
                        participations[iri][a] in refusing or participations[iri][b] in refusing):
                    continue
                parts = []
                for c in (a, b):
                    p = participations[iri][c]
                    steps = party_dates.get(p, {})
                    parts.append(part_of(p, party_labels[p], party_start(steps, on_signature, signed, in_force, made),
                                         on_signature, steps, PARTICIPATION_STEPS, derived.get(p)))
                wa, wb = (part.start for part in parts)
                later = max((wa, wb), key=lambda w: (w.latest is None, w.latest or datetime.date.min))
                both = Window(latest_lower_bound([wa, wb]), later.latest, later.upper_bound)
                found.append(Basis(iri, label, kind, level, (a, b), both, end, sorted_sources, tuple(parts)))
    return found


def by_pair(candidates: list[Basis], kind: str) -> dict[tuple[str, str], list[Basis]]:
    """The candidate bases of one kind, by pair."""
    kind_iri = KINDS[kind]
    found: dict[tuple[str, str], list[Basis]] = defaultdict(list)
    # Oldest first, then by IRI: the same order whatever order the store returned the rows in.
    for basis in sorted(candidates, key=lambda c: (c.start.earliest or datetime.date.max, c.instrument)):
        if basis.kind == kind_iri:
            found[basis.pair].append(basis)
    return found


def assess(by_pair: dict[tuple[str, str], list[Basis]], countries: dict[str, str], kind: str,
           as_of: datetime.date) -> list[PairCoverage]:
    """The answer of every pair of members (15 for COMMIT) for one kind and date, from the candidate
    bases of that kind by pair (`by_pair`)."""
    answers = []
    for a, b in itertools.combinations(sorted(countries, key=countries.get), 2):
        pair = (a, b) if a < b else (b, a)
        states = [(basis, *basis.state_on(as_of)) for basis in by_pair.get(pair, [])]
        in_force = [(basis, approx) for basis, state, approx in states if state is State.IN_FORCE]
        best = max((LEVELS.index(b.level) for b, _ in in_force), default=0)
        chosen = [(b, approx) for b, approx in in_force if LEVELS.index(b.level) == best]
        unknown = [b for b, state, _ in states if state is State.UNKNOWN and LEVELS.index(b.level) > best]
        windowed_above = any(approx and state is State.NOT_IN_FORCE and LEVELS.index(b.level) > best
                             for b, state, approx in states)
        level = LEVELS[best] if in_force or not unknown else "unknown"
        approximate = bool(chosen) and all(approx for _, approx in chosen) or windowed_above
        answers.append(PairCoverage(countries[a], countries[b], kind, as_of, level, approximate,
                                    [b for b, _ in chosen], unknown))
    return answers


class CoverageIndex:
    """The bases of one graph version, read once, answering for any kind and date."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.countries = members(store)
        self.bases = bases(store)
        # Grouped once, not on every call: at 193 states (~97,000 bases) the grouping was a fifth of the
        # CPU time of one matrix (bench/scale.py; bench/README.md "Scale").
        self.by_kind = {kind: by_pair(self.bases, kind) for kind in KINDS}

    def pairs(self, kind: str, as_of: datetime.date) -> list[PairCoverage]:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
        return assess(self.by_kind[kind], self.countries, kind, as_of)


def gaps(answers: list[PairCoverage], min_level: str) -> list[PairCoverage]:
    """Pairs whose level is below `min_level` (unknown ones included: they are not known to be covered)."""
    floor = LEVELS.index(min_level)
    return [a for a in answers if a.level == "unknown" or LEVELS.index(a.level) < floor]


def materialise(candidates: list[Basis]) -> list[ox.Quad]:
    """The bases as RDF (graph/derived/coverage-bases), so SPARQL users and named queries can evaluate
    coverage for any date: ck:effectiveFrom is the day a basis counts from (end of a month/year window),
    ck:notBefore the earliest it can have started; no ck:effectiveFrom means the start is unknown. Each part
    whose start can be undetermined (ck:undeterminedPart) carries its reason and the days between which it is
    unknown (ck:unknownFrom, ck:unknownUntil), so that SPARQL can give the same reasons."""
    quads = []

    def add(subject: ox.NamedNode, predicate: str, obj: ox.Term) -> None:
        quads.append(ox.Quad(subject, ox.NamedNode(CK + predicate), obj, DERIVED_GRAPH))

    def day(value: datetime.date) -> ox.Literal:
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "date"))

    for b in candidates:
        slug = b.instrument.removeprefix(ID + "instrument/")
        pair = "-".join(iri.rsplit("/", 1)[-1] for iri in b.pair)
        node = ox.NamedNode(f"{ID}coverage-basis/{slug}/{b.kind.rsplit('/', 1)[-1]}/{pair}")
        quads.append(ox.Quad(node, RDF_TYPE, ox.NamedNode(CK + "CoverageBasis"), DERIVED_GRAPH))
        add(node, "basisInstrument", ox.NamedNode(b.instrument))
        add(node, "cooperationKind", ox.NamedNode(b.kind))
        add(node, "coverageLevel", ox.NamedNode(f"{ID}coverage-level/{b.level}"))
        add(node, "levelRank", ox.Literal(str(LEVELS.index(b.level)), datatype=ox.NamedNode(XSD + "integer")))
        for member in b.pair:
            add(node, "pairMember", ox.NamedNode(member))
        if b.start.latest is not None:
            add(node, "effectiveFrom", day(b.start.latest))
            add(node, "startIsUpperBound", ox.Literal("true" if b.start.upper_bound else "false",
                                                      datatype=ox.NamedNode(XSD + "boolean")))
        if b.start.earliest is not None:
            add(node, "notBefore", day(b.start.earliest))
        if b.end.latest is not None:
            add(node, "effectiveUntil", day(b.end.latest))
        add(node, "approximateStart", ox.Literal("false" if b.start.exact else "true",
                                                 datatype=ox.NamedNode(XSD + "boolean")))
        for k, part in enumerate(b.parts):
            if part.start.latest is not None and not part.start.upper_bound:
                continue  # a known day, month or year: never undetermined
            part_node = ox.NamedNode(f"{node.value}/part/{k + 1}")
            add(node, "undeterminedPart", part_node)
            add(part_node, "partReason", ox.Literal(part.reason(), language="en"))
            if part.start.earliest is not None:
                add(part_node, "unknownFrom", day(part.start.earliest))
            if part.start.latest is not None:
                add(part_node, "unknownUntil", day(part.start.latest))
    return quads


def country_labels(store: EmbeddedStore) -> dict[str, dict[str, str]]:
    """Each member's name in English and Thai, for the pair labels that reports and shapes show."""
    rows = store.select(f"""SELECT ?c ?label WHERE {{ <{ID}process/commit> ck:memberCountry ?c .
        ?c rdfs:label ?label FILTER (lang(?label) IN ("en", "th")) }}""")
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for r in rows:
        labels[r["c"].value][r["label"].language] = r["label"].value
    return labels


def pair_iri(answer: PairCoverage) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}pair/{answer.country_a}-{answer.country_b}")


def materialise_status(index: CoverageIndex, store: EmbeddedStore, days: list[datetime.date]) -> list[ox.Quad]:
    """One ck:CoverageStatus per pair, kind and reference day (graph/derived/coverage-status), hung on
    a ck:CountryPair labelled with both names, so that the coverage-gap shapes can report on them; each
    carries the reasons of its undetermined bases (ck:statusReason), which a reported status links to."""
    labels = country_labels(store)
    by_iso = {iso: iri for iri, iso in index.countries.items()}
    quads: list[ox.Quad] = []

    def add(subject: ox.NamedNode, predicate: ox.NamedNode | str, obj: ox.Term) -> None:
        predicate = predicate if isinstance(predicate, ox.NamedNode) else ox.NamedNode(CK + predicate)
        quads.append(ox.Quad(subject, predicate, obj, STATUS_GRAPH))

    for kind in KINDS:
        for day in days:
            for answer in index.pairs(kind, day):
                pair = pair_iri(answer)
                a, b = by_iso[answer.country_a], by_iso[answer.country_b]
                add(pair, RDF_TYPE, ox.NamedNode(CK + "CountryPair"))
                for lang in ("en", "th"):
                    add(pair, RDFS_LABEL, ox.Literal(f"{labels[a].get(lang, answer.country_a)} – "
                                                     f"{labels[b].get(lang, answer.country_b)}", language=lang))
                add(pair, "pairMember", ox.NamedNode(a))
                add(pair, "pairMember", ox.NamedNode(b))
                status = ox.NamedNode(f"{pair.value.replace('/pair/', '/coverage-status/')}/{kind}/{day.isoformat()}")
                add(pair, "hasCoverageStatus", status)
                add(status, RDF_TYPE, ox.NamedNode(CK + "CoverageStatus"))
                add(status, "cooperationKind", ox.NamedNode(KINDS[kind]))
                add(status, "statusDate", ox.Literal(day.isoformat(), datatype=ox.NamedNode(XSD + "date")))
                add(status, "coverageLevel", ox.NamedNode(f"{ID}coverage-level/{answer.level}"))
                for basis in answer.basis:
                    add(status, "basisInstrument", ox.NamedNode(basis.instrument))
                for reason in answer.reasons:
                    add(status, "statusReason", ox.Literal(reason, language="en"))
    return quads
