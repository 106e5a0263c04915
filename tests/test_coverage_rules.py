"""The coverage rules of design section 4, one small fixture graph per rule."""

from __future__ import annotations

import datetime

import pyoxigraph as ox
import pytest

from commit_kg.coverage import CoverageIndex, gaps
from commit_kg.store import EmbeddedStore

HEAD = """@base <https://w3id.org/commit-kg/id/> .
@prefix ck: <https://w3id.org/commit-kg/ontology#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<process/commit> ck:memberCountry <country/AAA> , <country/BBB> , <country/CHN> .
<country/AAA> ck:iso3166Alpha3 "AAA" . <country/BBB> ck:iso3166Alpha3 "BBB" . <country/CHN> ck:iso3166Alpha3 "CHN" .
"""


def index(turtle: str) -> CoverageIndex:
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                 for t in ox.parse(HEAD + turtle, format=ox.RdfFormat.TURTLE))
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
