"""The coverage rules of design section 4, one small fixture graph per rule."""

from __future__ import annotations

import datetime

import pyoxigraph as ox
import pytest

from commit_kg import bounds
from commit_kg.coverage import CoverageIndex, gaps
from commit_kg.store import EmbeddedStore

HEAD = """@base <https://w3id.org/commit-kg/id/> .
@prefix ck: <https://w3id.org/commit-kg/ontology#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<process/commit> ck:memberCountry <country/AAA> , <country/BBB> , <country/CHN> .
<country/AAA> ck:iso3166Alpha3 "AAA" . <country/BBB> ck:iso3166Alpha3 "BBB" . <country/CHN> ck:iso3166Alpha3 "CHN" .
"""


def raw_store(turtle: str) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                 for t in ox.parse(HEAD + turtle, format=ox.RdfFormat.TURTLE))
    return store


def fixture_store(turtle: str) -> EmbeddedStore:
    return EmbeddedStore(raw_store(turtle))


def index(turtle: str, derive_bounds: bool = False) -> CoverageIndex:
    """The coverage of a fixture graph; with `derive_bounds`, after the build's entry-into-force bounds."""
    store = raw_store(turtle)
    if derive_bounds:
        store.extend(bounds.materialise(bounds.derive_bounds(EmbeddedStore(store))))
    return CoverageIndex(EmbeddedStore(store))


def level(idx: CoverageIndex, kind: str, day: str, pair: tuple[str, str] = ("AAA", "BBB")) -> tuple[str, bool]:
    for answer in idx.pairs(kind, datetime.date.fromisoformat(day)):
        if (answer.country_a, answer.country_b) == pair:
            return answer.level, answer.approximate
    raise AssertionError(f"no answer for {pair}")


BILATERAL = """<instrument/x> a ck:LegalInstrument , ck:{form} , ck:BilateralInstrument ; rdfs:label "X"@en ;
    ck:party <country/AAA> , <country/BBB> ; ck:covers <cooperation-kind/{kind}> {extra} .
"""


def bilateral(form: str = "Treaty", kind: str = "mla", extra: str = "") -> str:
    return BILATERAL.format(form=form, kind=kind, extra=extra)


def test_an_mou_counts_from_signature():
    idx = index(bilateral("MemorandumOfUnderstanding", "anti-trafficking", '; ck:signedOn "2010-05-01"^^xsd:date'))
    assert level(idx, "anti-trafficking", "2010-04-30") == ("none", False)
    assert level(idx, "anti-trafficking", "2010-05-01") == ("bilateral", False)


def test_a_treaty_counts_from_entry_into_force_not_signature():
    idx = index(bilateral(extra='; ck:signedOn "2016-12-20"^^xsd:date ; ck:entryIntoForceOn "2020-10-02"^^xsd:date'))
    assert level(idx, "mla", "2018-01-01") == ("none", False)
    assert level(idx, "mla", "2020-10-01") == ("none", False)
    assert level(idx, "mla", "2020-10-02") == ("bilateral", False)


def test_a_treaty_with_unknown_entry_into_force_is_unknown_after_signature_and_none_before():
    idx = index(bilateral(kind="extradition", extra='; ck:signedOn "1999-02-09"^^xsd:date'))
    assert level(idx, "extradition", "1999-02-08") == ("none", False)
    assert level(idx, "extradition", "2005-01-01") == ("unknown", False)


def test_a_year_only_date_counts_from_the_end_of_the_year_and_says_approximate():
    idx = index(bilateral(kind="extradition", extra='; ck:entryIntoForceOn "2012"^^xsd:gYear'))
    assert level(idx, "extradition", "2011-06-01") == ("none", False)
    assert level(idx, "extradition", "2012-06-01") == ("none", True)
    assert level(idx, "extradition", "2012-12-31") == ("bilateral", True)


def test_in_force_no_later_than_counts_from_the_bound():
    idx = index(bilateral(extra='; ck:signedOn "2004-11-29"^^xsd:date ; ck:inForceNoLaterThan "2008-09"^^xsd:gYearMonth'))
    assert level(idx, "mla", "2004-11-28") == ("none", False)
    assert level(idx, "mla", "2006-01-01") == ("unknown", False)
    assert level(idx, "mla", "2008-09-30") == ("bilateral", True)


def test_signed_no_earlier_than_rules_out_earlier_days():
    idx = index(bilateral("MemorandumOfUnderstanding", "anti-trafficking", '; ck:signedNoEarlierThan "2014-04"^^xsd:gYearMonth'))
    assert level(idx, "anti-trafficking", "2014-03-31") == ("none", False)
    assert level(idx, "anti-trafficking", "2014-04-01") == ("unknown", False)


def test_a_draft_never_covers():
    idx = index(bilateral(extra='; ck:status <instrument-status/draft> ; ck:entryIntoForceOn "2001-01-01"^^xsd:date'))
    assert level(idx, "mla", "2020-01-01") == ("none", False)


def test_civil_judicial_assistance_is_not_mla():
    idx = index(bilateral(kind="civil-judicial-assistance", extra='; ck:entryIntoForceOn "2001-01-01"^^xsd:date'))
    assert level(idx, "mla", "2020-01-01") == ("none", False)


MULTILATERAL = """<instrument/m> a ck:LegalInstrument , ck:Treaty , ck:MultilateralInstrument ; rdfs:label "M"@en ;
    ck:covers <cooperation-kind/mla> ; ck:signedOn "2004-11-29"^^xsd:date ;
    ck:hasParticipation <participation/m/AAA> , <participation/m/BBB> .
<participation/m/AAA> ck:participant <country/AAA> ; ck:entryIntoForceOn "2006-01-01"^^xsd:date .
<participation/m/BBB> ck:participant <country/BBB> ; ck:entryIntoForceOn "2009-03-01"^^xsd:date .
"""


def test_a_multilateral_instrument_covers_a_pair_only_when_in_force_for_both():
    idx = index(MULTILATERAL)
    assert level(idx, "mla", "2007-01-01") == ("none", False)
    assert level(idx, "mla", "2009-03-01") == ("regional", False)


def test_a_country_without_participation_is_not_covered_by_it():
    idx = index(MULTILATERAL)
    assert level(idx, "mla", "2020-01-01", ("AAA", "CHN")) == ("none", False)


def test_a_party_whose_date_is_unknown_makes_the_pair_unknown_not_none():
    idx = index(MULTILATERAL.replace('ck:entryIntoForceOn "2009-03-01"^^xsd:date', 'ck:signedOn "2006"^^xsd:gYear'))
    assert level(idx, "mla", "2005-06-01") == ("none", False)
    assert level(idx, "mla", "2010-01-01") == ("unknown", False)


UNTOC = """<instrument/untoc-2000> a ck:LegalInstrument , ck:Convention , ck:MultilateralInstrument ; rdfs:label "UNTOC"@en ;
    ck:covers <cooperation-kind/mla> , <cooperation-kind/extradition> ;
    ck:hasParticipation <participation/untoc-2000/AAA> , <participation/untoc-2000/BBB> .
<participation/untoc-2000/AAA> ck:participant <country/AAA> ; ck:entryIntoForceOn "2003-10-23"^^xsd:date .
<participation/untoc-2000/BBB> ck:participant <country/BBB> ; ck:entryIntoForceOn "2006-01-11"^^xsd:date .
"""


def test_untoc_gives_the_untoc_level_for_both_kinds():
    idx = index(UNTOC)
    assert level(idx, "mla", "2007-01-01") == ("untoc", False)
    assert level(idx, "extradition", "2007-01-01") == ("untoc", False)


def test_a_declaration_refusing_untoc_as_extradition_basis_removes_it_for_extradition_only():
    idx = index(UNTOC + """<participation/untoc-2000/BBB> ck:hasReservation <r> .
        <r> a ck:NoExtraditionLegalBasisDeclaration ; ck:concernsArticle "Art. 16(5)" .""")
    assert level(idx, "extradition", "2007-01-01") == ("none", False)
    assert level(idx, "mla", "2007-01-01") == ("untoc", False)


def test_the_strongest_level_wins_and_a_higher_unknown_is_named():
    idx = index(UNTOC + bilateral(extra='; ck:signedOn "2005-01-01"^^xsd:date'))
    answer = next(a for a in idx.pairs("mla", datetime.date(2010, 1, 1)) if a.country_b == "BBB" and a.country_a == "AAA")
    assert answer.level == "untoc"
    assert [b.instrument for b in answer.undetermined] == ["https://w3id.org/commit-kg/id/instrument/x"]
    idx = index(UNTOC + bilateral(extra='; ck:entryIntoForceOn "2005-01-01"^^xsd:date'))
    assert level(idx, "mla", "2010-01-01") == ("bilateral", False)


def test_gaps_are_pairs_below_the_minimum_level():
    answers = index(UNTOC).pairs("mla", datetime.date(2010, 1, 1))
    below_regional = {(a.country_a, a.country_b) for a in gaps(answers, "regional")}
    assert below_regional == {("AAA", "BBB"), ("AAA", "CHN"), ("BBB", "CHN")}
    assert {(a.country_a, a.country_b) for a in gaps(answers, "untoc")} == {("AAA", "CHN"), ("BBB", "CHN")}


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind must be one of"):
        index("").pairs("civil", datetime.date(2010, 1, 1))


def answer_for(idx: CoverageIndex, kind: str, day: str, pair: tuple[str, str] = ("AAA", "BBB")):
    return next(a for a in idx.pairs(kind, datetime.date.fromisoformat(day)) if (a.country_a, a.country_b) == pair)


def test_an_unknown_level_names_the_participation_lacking_a_date_with_its_iri_and_what_is_known():
    idx = index(MULTILATERAL.replace('ck:entryIntoForceOn "2009-03-01"^^xsd:date', 'ck:signedOn "2006"^^xsd:gYear'))
    unknown = answer_for(idx, "mla", "2010-01-01")
    assert unknown.level == "unknown"
    [reason] = unknown.reasons
    assert "<https://w3id.org/commit-kg/id/participation/m/BBB>: entry into force not found (signed 2006)" in reason
    assert "participation/m/AAA" not in reason  # AAA's entry into force is known: it is not a reason
    record = unknown.record()
    assert record["reasons"] == [reason] and record["undetermined"][0]["reason"] == reason
    assert answer_for(idx, "mla", "2005-06-01").reasons == []


def test_an_undetermined_bilateral_instrument_names_itself_and_its_known_steps():
    idx = index(bilateral(kind="extradition", extra='; ck:signedOn "1999-02-09"^^xsd:date'))
    [reason] = answer_for(idx, "extradition", "2005-01-01").reasons
    assert reason.startswith("X <https://w3id.org/commit-kg/id/instrument/x>: entry into force not found")
    assert "signed 1999-02-09" in reason
    mou = index(bilateral("MemorandumOfUnderstanding", "anti-trafficking",
                          '; ck:signedNoEarlierThan "2014-04"^^xsd:gYearMonth'))
    assert "signature not found (signed no earlier than 2014-04)" in answer_for(mou, "anti-trafficking", "2015-01-01").reasons[0]


RULED = """<instrument/r> a ck:LegalInstrument , ck:Convention , ck:MultilateralInstrument ; rdfs:label "R"@en ;
    ck:covers <cooperation-kind/mla> ; ck:entryIntoForceOn "2003-09-29"^^xsd:date ;
    ck:entryIntoForceRule <instrument/r/rule> ;
    ck:hasParticipation <participation/r/AAA> , <participation/r/BBB> .
<instrument/r/rule> a ck:EntryIntoForceRule ; rdfs:label "R Art. 38(2)"@en ; ck:ruleArticle "Art. 38(2)" ;
    ck:triggeringStep ck:DepositDate ; ck:daysAfterStep 30 ; ck:notBeforeOwnEntryIntoForce true .
<participation/r/AAA> ck:participant <country/AAA> ; ck:entryIntoForceOn "2003-10-23"^^xsd:date .
<participation/r/BBB> ck:participant <country/BBB> ; {step} .
"""


def ruled(step: str) -> str:
    return RULED.replace("{step}", step)


def test_a_deposit_known_to_the_year_bounds_entry_into_force_by_the_instruments_rule():
    idx = index(ruled('ck:depositedOn "2004"^^xsd:gYear'), derive_bounds=True)
    assert level(idx, "mla", "2003-12-31") == ("none", False)  # before the deposit year
    assert level(idx, "mla", "2005-01-29") == ("unknown", False)  # deposited in 2004, day unknown
    assert level(idx, "mla", "2005-01-30") == ("regional", True)  # 31 Dec 2004 + 30 days
    reason = answer_for(idx, "mla", "2004-06-01").reasons[0]
    assert "in force no later than 2005-01-30, derived by rule: R Art. 38(2)" in reason
    # without the derivation the same graph would leave the pair unknown for ever
    assert level(index(ruled('ck:depositedOn "2004"^^xsd:gYear')), "mla", "2020-01-01") == ("unknown", False)


def test_a_ratification_or_accession_stands_for_the_deposit_and_the_record_says_so():
    store = fixture_store(ruled('ck:accededOn "2003-11"^^xsd:gYearMonth'))
    [bound] = bounds.derive_bounds(store)
    assert bound.day == datetime.date(2003, 12, 30) and bound.step == "AccessionDate"
    notes = [q.object.value for q in bounds.materialise([bound]) if q.predicate.value.endswith("editorialNote")]
    assert notes[0].startswith("DERIVED") and "VCLT" not in notes[0] and "Vienna Convention" in notes[0]


def test_the_instruments_own_entry_into_force_comes_first_when_the_rule_says_so():
    store = fixture_store(ruled('ck:depositedOn "2003"^^xsd:gYear').replace('"2003-09-29"', '"2004-03-01"'))
    assert [b.day for b in bounds.derive_bounds(store)] == [datetime.date(2004, 3, 1)]
    store = fixture_store(ruled('ck:depositedOn "2003"^^xsd:gYear').replace('"2003-09-29"', '"2004-03-01"')
                          .replace("ck:notBeforeOwnEntryIntoForce true", "ck:notBeforeOwnEntryIntoForce false"))
    assert [b.day for b in bounds.derive_bounds(store)] == [datetime.date(2004, 1, 30)]


def test_no_bound_is_derived_over_a_known_entry_into_force_or_a_tighter_stated_bound():
    assert bounds.derive_bounds(fixture_store(ruled('ck:depositedOn "2004"^^xsd:gYear ; '
                                                    'ck:entryIntoForceOn "2004-05-01"^^xsd:date'))) == []
    assert bounds.derive_bounds(fixture_store(ruled('ck:depositedOn "2004"^^xsd:gYear ; '
                                                    'ck:inForceNoLaterThan "2004-06"^^xsd:gYearMonth'))) == []
    looser = bounds.derive_bounds(fixture_store(ruled('ck:depositedOn "2004"^^xsd:gYear ; '
                                                      'ck:inForceNoLaterThan "2013"^^xsd:gYear')))
    assert [b.day for b in looser] == [datetime.date(2005, 1, 30)]


def test_a_rule_not_counted_from_a_partys_deposit_is_never_applied():
    store = fixture_store(ruled('ck:depositedOn "2004"^^xsd:gYear').replace("ck:triggeringStep ck:DepositDate ;", ""))
    assert bounds.derive_bounds(store) == []


def test_the_derived_bound_is_marked_derived_and_cites_its_rule():
    quads = bounds.materialise(bounds.derive_bounds(fixture_store(ruled('ck:depositedOn "2004"^^xsd:gYear'))))
    assert {q.graph_name.value for q in quads} == {"https://w3id.org/commit-kg/graph/derived/entry-into-force-bounds"}
    by_predicate = {q.predicate.value.rsplit("#", 1)[-1]: q for q in quads}
    record = by_predicate["appliedRule"].subject.value
    assert record == "https://w3id.org/commit-kg/id/derived-bound/r/BBB"
    assert by_predicate["appliedRule"].object.value == "https://w3id.org/commit-kg/id/instrument/r/rule"
    assert by_predicate["inForceNoLaterThan"].subject.value == "https://w3id.org/commit-kg/id/participation/r/BBB"
    assert by_predicate["boundValue"].object.value == "2005-01-30"


MOU_FOR_A_YEAR = bilateral("MemorandumOfUnderstanding", "anti-trafficking",
                           '; ck:signedOn "2018-01-17"^^xsd:date ; ck:periodCovered "2018"^^xsd:gYear')


def test_an_instrument_made_for_one_year_counts_only_in_that_year():
    idx = index(MOU_FOR_A_YEAR)
    assert level(idx, "anti-trafficking", "2018-01-17") == ("bilateral", False)
    assert level(idx, "anti-trafficking", "2018-12-31") == ("bilateral", False)
    assert level(idx, "anti-trafficking", "2019-01-01") == ("none", False)
    assert answer_for(idx, "anti-trafficking", "2018-06-01").record()["basis"][0]["until"] == "2019-01-01"
    forever = index(MOU_FOR_A_YEAR.replace(' ; ck:periodCovered "2018"^^xsd:gYear', ""))
    assert level(forever, "anti-trafficking", "2030-01-01") == ("bilateral", False)


def test_a_yearly_agreement_with_unknown_entry_into_force_is_unknown_only_within_its_year():
    idx = index(bilateral("Agreement", "anti-trafficking",
                          '; ck:signedOn "2020-03-05"^^xsd:date ; ck:periodCovered "2020"^^xsd:gYear'))
    assert level(idx, "anti-trafficking", "2020-06-01") == ("unknown", False)
    assert level(idx, "anti-trafficking", "2021-01-01") == ("none", False)
