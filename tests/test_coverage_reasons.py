"""Unknown is a finding (issue 8, section 2), checked on the real data: every unknown coverage level
names what lacks which date; bounds that follow from a recorded deposit and an instrument's rule are
derived, marked derived and used; yearly instruments end; ministry-level texts are no extradition cover."""

from __future__ import annotations

import datetime

import pytest
from support import named, rows

from commit_kg.coverage import KINDS, State, state_of
from commit_kg.dates import UNKNOWN, window_of
from commit_kg.namespaces import ID
from commit_kg.reports import as_csv

DAYS = ["2004-06-01", "2010-12-31", "2015-12-31", datetime.date.today().isoformat()]
BOUNDS = "https://w3id.org/commit-kg/graph/derived/entry-into-force-bounds"
PREFIX = """PREFIX ck: <https://w3id.org/commit-kg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> """
DEPOSIT_STEPS = "ck:depositedOn ck:ratifiedOn ck:accededOn ck:approvedOn"


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_unknown_level_carries_a_reason_naming_an_iri_and_a_missing_date(index, kind, day):
    for answer in index.pairs(kind, datetime.date.fromisoformat(day)):
        record = answer.record()
        assert len(record["reasons"]) == len(record["undetermined"])
        assert [u["reason"] for u in record["undetermined"]] == record["reasons"]
        if answer.level == "unknown":
            assert record["reasons"], f"{answer.country_a}-{answer.country_b} {kind} {day}: unknown without reason"
        for reason in record["reasons"]:
            assert f"<{ID}" in reason and " not found" in reason, reason


def test_reasons_reach_the_csv(index):
    records = [a.record() for a in index.pairs("extradition", datetime.date(2010, 12, 31))]
    text = as_csv(records)
    assert text.splitlines()[0].split(",")[-1] == "reasons"
    assert any(r["reasons"] for r in records) and f"<{ID}instrument/" in text


def rule_instruments(store) -> set[str]:
    return {r["i"] for r in rows(store, PREFIX + "SELECT ?i WHERE { ?i ck:entryIntoForceRule/ck:triggeringStep ck:DepositDate }")}


def participations_with_a_deposit_step(store) -> set[str]:
    return {r["p"] for r in rows(store, PREFIX + f"""SELECT DISTINCT ?p WHERE {{
        ?i ck:hasParticipation ?p . VALUES ?step {{ {DEPOSIT_STEPS} }} ?p ?step ?d }}""")}


@pytest.mark.parametrize("kind", ["mla", "extradition"])
def test_no_pair_is_unknown_on_2010_12_31_merely_for_want_of_a_derivable_bound(store, index, kind):
    """Acceptance (issue 8): for every unknown pair, no part of an undetermined basis is a participation
    with a dated deposit (or ratification, accession, approval) in an instrument that has a rule, whose
    entry into force is left without any bound."""
    day = datetime.date(2010, 12, 31)
    ruled, stepped = rule_instruments(store), participations_with_a_deposit_step(store)
    assert ruled and stepped
    checked = 0
    for answer in index.pairs(kind, day):
        for basis in answer.undetermined:
            for part in basis.parts:
                if state_of(part.start, UNKNOWN, day)[0] is not State.UNKNOWN:
                    continue
                checked += 1
                if basis.instrument in ruled and part.iri in stepped:
                    assert part.start.latest is not None and part.start.upper_bound, (
                        f"{answer.country_a}-{answer.country_b}: {part.reason()}")
                    assert day < part.start.latest, "a bound before the date would have decided it"
    assert checked, "no undetermined part on 2010-12-31: the test checks nothing"


def test_the_issue_examples_are_derived(store):
    found = {r["p"].rsplit("/id/", 1)[1]: r["v"] for r in rows(store, PREFIX + f"""SELECT ?p ?v WHERE {{
        GRAPH <{BOUNDS}> {{ ?b a ck:DerivedBound ; ck:boundFor ?p ; ck:boundValue ?v }} }}""")}
    assert found["participation/untoc-2000/MMR"] == "2005-01-30"
    assert found["participation/untoc-2000/LAO"] == "2004-01-30"


def test_each_derived_bound_is_marked_cites_a_sourced_rule_and_sits_on_its_participation(store):
    found = rows(store, PREFIX + f"""SELECT ?b ?p ?v ?note ?article ?quote ?on WHERE {{
        GRAPH <{BOUNDS}> {{ ?b a ck:DerivedBound ; ck:boundFor ?p ; ck:boundValue ?v ; ck:appliedRule ?r ;
                              prov:wasDerivedFrom ?p , ?r ; skos:editorialNote ?note .
                           OPTIONAL {{ ?p ck:inForceNoLaterThan ?on }} }}
        ?r ck:ruleArticle ?article ; dcterms:source/ck:quote ?quote }}""")
    assert found
    for r in found:
        assert r["note"].startswith("DERIVED") and r["article"] in r["note"] and r["on"] == r["v"], r["b"]
        assert r["b"].replace("/derived-bound/", "/participation/") == r["p"]


def test_each_deposit_rule_reproduces_the_recorded_entries_into_force(store):
    """The rules are checked against the graph's own dates: where a deposit and an entry into force are
    both known to the day, the entry into force is the rule's day (this found nothing to correct)."""
    found = rows(store, PREFIX + """SELECT ?p ?dep ?eif ?days ?later ?own WHERE {
        ?i ck:entryIntoForceRule ?r ; ck:hasParticipation ?p . ?r ck:triggeringStep ck:DepositDate ; ck:daysAfterStep ?days .
        OPTIONAL { ?r ck:notBeforeOwnEntryIntoForce ?later } OPTIONAL { ?i ck:entryIntoForceOn ?own }
        ?p ck:depositedOn ?dep ; ck:entryIntoForceOn ?eif
        FILTER (datatype(?dep) = xsd:date && datatype(?eif) = xsd:date) }""".replace(
        "PREFIX ck", "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> PREFIX ck"))
    assert len(found) >= 5
    for r in found:
        day = datetime.date.fromisoformat(r["dep"]) + datetime.timedelta(days=int(r["days"]))
        if r.get("later") == "true" and r.get("own"):
            day = max(day, datetime.date.fromisoformat(r["own"]))
        assert day.isoformat() == r["eif"], r["p"]


def test_yearly_instruments_stop_counting_after_their_year(store, index):
    periods = {r["i"]: r["period"] for r in rows(store, PREFIX + "SELECT ?i ?period WHERE { ?i ck:periodCovered ?period }")}
    assert len(periods) >= 5
    for basis in index.bases:
        if basis.instrument in periods:
            year = int(periods[basis.instrument][:4])
            assert basis.end.latest == datetime.date(year + 1, 1, 1), basis.instrument
            after = index.pairs("anti-trafficking", datetime.date(year + 1, 1, 1))
            assert not any(basis.instrument in {b.instrument for b in a.basis + a.undetermined} for a in after)


def test_the_cambodia_lao_ministry_mous_do_not_make_the_pair_bilateral_today(index):
    today = next(a for a in index.pairs("anti-trafficking", datetime.date.today()) if (a.country_a, a.country_b) == ("KHM", "LAO"))
    assert today.level == "regional" and not any("kh-la-general" in b.instrument for b in today.basis)
    in_2018 = next(a for a in index.pairs("anti-trafficking", datetime.date(2018, 6, 1)) if (a.country_a, a.country_b) == ("KHM", "LAO"))
    assert [b.instrument for b in in_2018.basis] == [f"{ID}instrument/kh-la-general-mou-2018"]


def test_no_mou_and_no_ministry_or_police_level_text_counts_as_extradition_cover(store, index):
    covering = rows(store, PREFIX + """SELECT ?i ?level WHERE { ?i ck:covers <https://w3id.org/commit-kg/id/cooperation-kind/extradition> .
        OPTIONAL { ?i ck:levelOfGovernment ?level } OPTIONAL { ?i a ?mou FILTER (?mou = ck:MemorandumOfUnderstanding) }
        FILTER (BOUND(?mou) || STRSTARTS(STR(?level), "ministry") || STRSTARTS(STR(?level), "police")) }""")
    assert covering == []
    th_vn = f"{ID}instrument/th-vn-extradition-prosecution-2010"
    for day in DAYS:
        for answer in index.pairs("extradition", datetime.date.fromisoformat(day)):
            assert th_vn not in {b.instrument for b in answer.basis + answer.undetermined}


def test_window_text_keeps_the_precision_of_the_source():
    import pyoxigraph as ox
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert [window_of(ox.Literal(v, datatype=ox.NamedNode(xsd + t))).text for v, t in
            (("2004", "gYear"), ("2008-09", "gYearMonth"), ("2004-03-30", "date"))] == ["2004", "2008-09", "2004-03-30"]


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_the_named_query_gives_the_same_reasons(store, index, catalogue, kind, day):
    """coverage-gaps.rq reads the undetermined parts the build writes into graph/derived/coverage-bases."""
    when = datetime.date.fromisoformat(day)
    python = {(a.country_a, a.country_b): {p.reason() for b in a.undetermined for p in b.parts
                                           if state_of(p.start, UNKNOWN, when)[0] is State.UNKNOWN}
              for a in index.pairs(kind, when)}
    sparql = {(r["country_a"], r["country_b"]): set(filter(None, r.get("reasons", "").split(" | ")))
              for r in named(store, catalogue, "coverage-gaps", kind=f"cooperation-kind/{kind}", as_of=day)}
    assert sparql == python
    if day == "2010-12-31" and kind in ("mla", "extradition"):
        assert any(python.values()), "no reason on 2010-12-31: the comparison checks nothing"


@pytest.mark.parametrize("kind", ["mla", "extradition"])
def test_the_cli_table_and_the_gap_report_print_each_reason(index, kind, capsys):
    """The reader of `commit-kg coverage` and `commit-kg gaps` sees the reasons, not only the JSON user."""
    from commit_kg.cli import main

    day = datetime.date(2010, 12, 31)
    answers = index.pairs(kind, day)
    expected = {reason for a in answers for reason in a.reasons}
    assert expected, "on 2010-12-31 some instrument is undetermined"
    assert main(["coverage", "--kind", kind, "--as-of", day.isoformat()]) == 0
    table = capsys.readouterr().out
    assert all(f"undetermined: {reason}" in table for reason in expected)
    assert main(["gaps", "--as-of", day.isoformat(), "--format", "json"]) == 0
    import json

    pairs = {(p["country_a"], p["country_b"]): p for p in json.loads(capsys.readouterr().out)["pairs"] if p["kind"] == kind}
    for a in answers:
        if a.level == "unknown":
            assert pairs[(a.country_a, a.country_b)]["reasons"] == a.reasons
