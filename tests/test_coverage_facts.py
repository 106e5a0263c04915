"""Coverage on the real data: answers that follow from the sourced facts (shared docs/facts.md rows)."""

from __future__ import annotations

import datetime

import pytest

from commit_kg.coverage import CoverageIndex, PairCoverage
from commit_kg.namespaces import ID

TODAY = datetime.date.today().isoformat()


def answer(index: CoverageIndex, kind: str, day: str, a: str, b: str) -> PairCoverage:
    a, b = sorted((a, b))
    return next(x for x in index.pairs(kind, datetime.date.fromisoformat(day)) if (x.country_a, x.country_b) == (a, b))


def slugs(bases) -> set[str]:
    return {b.instrument.removeprefix(ID + "instrument/") for b in bases}


def test_cambodia_viet_nam_mla_agreement_counts_from_entry_into_force(index):
    # Row 3.15: signed 20 Dec 2016, in force 2 Oct 2020.
    on = answer(index, "mla", "2020-10-02", "KHM", "VNM")
    assert on.level == "bilateral" and slugs(on.basis) == {"kh-vn-mla-2016"} and not on.approximate
    assert answer(index, "mla", "2020-10-01", "KHM", "VNM").level != "bilateral"


def test_in_mid_2004_only_cambodia_thailand_had_an_anti_trafficking_instrument(index):
    covered = {(x.country_a, x.country_b): x for x in index.pairs("anti-trafficking", datetime.date(2004, 6, 1))
               if x.level in ("bilateral", "regional")}
    assert set(covered) == {("KHM", "THA")}
    # Row 1.1: the 2003 MOU is known only to the year, so the answer is approximate.
    assert covered[("KHM", "THA")].approximate and slugs(covered[("KHM", "THA")].basis) == {"kh-th-mou-2003"}


@pytest.mark.parametrize("day", ["2004-10-29", "2010-12-31", "2015-12-31", TODAY])
def test_the_commit_mou_covers_every_pair_from_its_signature(index, day):
    answers = index.pairs("anti-trafficking", datetime.date.fromisoformat(day))
    assert len(answers) == 15
    assert all(x.level in ("regional", "bilateral") for x in answers)
    assert any("commit-mou-2004" in slugs(x.basis) for x in answers)


def test_the_day_before_the_commit_mou(index):
    regional = [x for x in index.pairs("anti-trafficking", datetime.date(2004, 10, 28)) if x.level == "regional"]
    assert regional == []


@pytest.mark.parametrize("day", ["2010-12-31", "2015-12-31", TODAY])
def test_china_is_never_covered_by_asean_instruments(index, day):
    for kind in ("mla", "anti-trafficking"):
        for x in index.pairs(kind, datetime.date.fromisoformat(day)):
            if "CHN" in (x.country_a, x.country_b):
                assert not {"asean-mlat-2004", "actip-2015"} & (slugs(x.basis) | slugs(x.undetermined))


def test_china_thailand_extradition_treaty_from_entry_into_force(index):
    # Row 3.1: signed 26 Aug 1993, in force 7 Mar 1999.
    assert answer(index, "extradition", "1999-03-06", "CHN", "THA").level == "none"
    on = answer(index, "extradition", "1999-03-07", "CHN", "THA")
    assert on.level == "bilateral" and slugs(on.basis) == {"cn-th-extradition-1993"}


def test_a_signed_treaty_with_unknown_entry_into_force_is_named_undetermined(index):
    # Row 3.11: Thailand-Cambodia extradition treaty signed in 1998, entry into force not found.
    x = answer(index, "extradition", "2015-12-31", "KHM", "THA")
    assert x.level == "untoc" and slugs(x.basis) == {"untoc-2000"}
    assert "kh-th-extradition-1998" in slugs(x.undetermined)
    reason = x.record()["undetermined"][0]["reason"]
    assert f"<{ID}instrument/kh-th-extradition-1998>" in reason and "signed 1998" in reason
    before_untoc = answer(index, "extradition", "2010-12-31", "KHM", "THA")
    assert before_untoc.level == "unknown"


def test_china_cambodia_extradition_treaty_from_13_december_2000(index):
    # Row 3.4, re-searched for issue 8: in force 13 Dec 2000 (fsou.com editor's note), signed 9 Feb 1999.
    assert answer(index, "extradition", "2000-12-12", "CHN", "KHM").level == "none"
    on = answer(index, "extradition", "2000-12-13", "CHN", "KHM")
    assert on.level == "bilateral" and slugs(on.basis) == {"cn-kh-extradition-1999"} and not on.approximate


def test_civil_judicial_assistance_never_counts_as_mla(index):
    for day in ("2010-12-31", TODAY):
        for x in index.pairs("mla", datetime.date.fromisoformat(day)):
            assert not {s for s in slugs(x.basis) | slugs(x.undetermined) if "civil-judicial-assistance" in s}


def test_untoc_for_thailand_from_16_november_2013(index):
    # Thai MFA: UNTOC in force for Thailand on 16 Nov 2013; Cambodia since 11 Jan 2006.
    assert "untoc-2000" not in slugs(answer(index, "extradition", "2013-11-15", "KHM", "THA").basis)
    assert answer(index, "extradition", "2013-11-16", "KHM", "THA").level == "untoc"


def test_asean_mla_treaty_covers_the_asean_pairs_today(index):
    for a, b in [("KHM", "THA"), ("LAO", "MMR"), ("MMR", "THA"), ("THA", "VNM")]:
        x = answer(index, "mla", TODAY, a, b)
        assert x.level == "regional" and "asean-mlat-2004" in slugs(x.basis), (a, b)


def test_lao_viet_nam_mla_agreement_from_2021(index):
    # Row 3.18a: signed 8 Jan 2020, in force 18 Feb 2021.
    assert answer(index, "mla", "2021-02-17", "LAO", "VNM").level != "bilateral"
    assert slugs(answer(index, "mla", "2021-02-18", "LAO", "VNM").basis) == {"la-vn-mla-2020"}
