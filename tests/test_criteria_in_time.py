"""Criteria as of any date (issue 8, section 3): each assessment holds from the entry into force of the
law it judges until the next one takes over; a date with no valid assessment, or an unknown one, is a
data gap with its reason; criteria are named by label; every view picks the same assessment."""

from __future__ import annotations

import datetime
import json

import pytest
from support import rows

from commit_kg import criteria
from commit_kg import gaps as gap_views
from commit_kg.cli import main
from commit_kg.coverage import CoverageIndex
from commit_kg.dates import window_of
from commit_kg.reports import criteria_text

DAY = datetime.timedelta(days=1)
PREFIX = "PREFIX ck: <https://w3id.org/commit-kg/ontology#>\n"


@pytest.fixture(scope="module")
def loaded(store):
    items, judged = criteria.assessments(store)
    return items, criteria.validities(items, judged), judged


def cell(store, iso: str, n: int, day: datetime.date) -> criteria.CriterionCell:
    return next(c for c in criteria.table(store, day) if (c.country, c.criterion) == (iso, n))


def test_every_assessment_has_a_start_no_later_than_its_own_date(loaded):
    items, valid, judged = loaded
    assert len(items) > 60
    for a in items:
        v = valid[a.iri]
        assert v.start <= a.assessed_on, a.iri
        if a.iri in judged and judged[a.iri][2] is not None:  # a known entry into force bounds the start below
            assert v.start >= window_of(judged[a.iri][2]).earliest, a.iri


def test_an_assessment_takes_over_on_its_laws_entry_into_force_and_not_before(store, loaded):
    """For every assessment that holds from its judged law's entry into force: on that day the cell
    answers with it (or a later-made one starting the same day), the day before with another one."""
    items, valid, judged = loaded
    checked = 0
    for a in items:
        v = valid[a.iri]
        law = judged.get(a.iri)
        if not (v.known and law and law[2] is not None and v.start == window_of(law[2]).latest
                and v.start != a.assessed_on):
            continue
        same_start = {b.iri for b in items if (b.country, b.criterion) == (a.country, a.criterion)
                      and valid[b.iri].start == v.start}
        assert cell(store, a.country, a.criterion, v.start).assessment in same_start, a.iri
        assert cell(store, a.country, a.criterion, v.start - DAY).assessment != a.iri, a.iri
        checked += 1
    assert checked >= 20  # most judgments start at a law's entry into force, not on their own date


def test_china_amendment_ix_and_the_spc_interpretation(store):
    """The 2009 reading of the Criminal Law holds until Amendment IX (1 November 2015), which holds
    until the Supreme People's Court interpretation (1 January 2017)."""
    before = cell(store, "CHN", 2, datetime.date(2015, 10, 31))
    after = cell(store, "CHN", 2, datetime.date(2015, 11, 1))
    later = cell(store, "CHN", 2, datetime.date(2017, 1, 1))
    assert before.law and before.law.iri.endswith("/law/chn-criminal-law-1997")
    assert after.law and after.law.iri.endswith("/law/chn-criminal-law-amendment-9-2015")
    assert after.law.entry_into_force == "2015-11-01" and after.validity and after.validity.start.isoformat() == "2015-11-01"
    assert later.law and later.law.iri.endswith("/law/chn-spc-interpretation-28-2016")


def test_2015_no_longer_shows_the_2009_ratings_where_a_law_changed(store):
    """The issue's example: on 2015-01-01 Viet Nam's victim protection is judged on Law 66/2011 (in force
    2012-01-01), not on the 2009 reading of the Penal Code."""
    answer = cell(store, "VNM", 3, datetime.date(2015, 1, 1))
    assert answer.law and answer.law.iri.endswith("/law/vnm-law-66-2011")
    assert answer.assessed_on == datetime.date(2012, 1, 1)


def test_an_unknown_entry_into_force_leaves_a_window_with_no_valid_assessment(store, loaded):
    items, valid, _ = loaded
    open_ = [a for a in items if not valid[a.iri].known and valid[a.iri].not_before]
    assert {a.country for a in open_} >= {"MMR", "LAO"}
    for a in open_:
        v = valid[a.iri]
        inside = max(v.not_before, v.start - datetime.timedelta(days=30))
        answer = cell(store, a.country, a.criterion, inside)
        assert answer.assessment is None and answer.status == "unknown", a.iri
        assert answer.gap_reason and "entry into force is unknown" in answer.gap_reason
        assert a.law and a.law.label in answer.gap_reason
        assert cell(store, a.country, a.criterion, v.start).assessment is not None  # its own date: it holds


def test_myanmar_between_the_2022_law_and_the_2025_assessment(store):
    for n in range(1, 6):
        answer = cell(store, "MMR", n, datetime.date(2023, 6, 1))
        assert answer.data_gap and "anti-trafficking law of 2022" in answer.gap_reason


def test_a_date_before_any_valid_assessment_says_when_the_first_one_starts(store):
    answer = cell(store, "THA", 1, datetime.date(2008, 6, 4))
    assert answer.data_gap and answer.assessment is None
    assert "2008-06-05" in answer.gap_reason and "Anti-Trafficking in Persons Act" in answer.gap_reason
    assert cell(store, "THA", 1, datetime.date(2008, 6, 5)).status == "met"


def test_the_derived_validity_is_in_the_graph_for_every_assessment(store, loaded):
    items, valid, _ = loaded
    found = {r["a"]: r for r in rows(store, PREFIX + """SELECT ?a ?from ?by ?reason WHERE {
        ?a a ck:CriterionAssessment ; ck:validityReason ?reason .
        OPTIONAL { ?a ck:validFrom ?from } OPTIONAL { ?a ck:validNoLaterThan ?by } }""")}
    assert set(found) == {a.iri for a in items}
    for a in items:
        expected = valid[a.iri].start.isoformat()
        assert found[a.iri].get("from" if valid[a.iri].known else "by") == expected, a.iri


def test_gaps_today_list_myanmar_with_reasons_and_labels(store, capsys):
    today = datetime.date.today()
    report = gap_views.gap_report(store, CoverageIndex(store), today)
    myanmar = [g for g in report.countries if g.country == "MMR" and g.gap == "data"]
    assert myanmar, "Myanmar's unknown criteria must be data gaps"
    assert all(g.reason and g.criterion_label and g.criterion_label_th for g in myanmar)
    text = gap_views.gap_text(report)
    assert "MMR:" in text and "Adequate penalties / กำหนดบทลงโทษที่เหมาะสม (criterion 2)" in text
    assert main(["gaps", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)["countries"]
    assert {"criterion_label", "criterion_label_th", "reason", "law", "law_label"} <= set(records[0])
    assert any(r["country"] == "MMR" and r["gap"] == "data" for r in records)


def test_every_data_gap_has_a_reason_and_only_gaps_do(store):
    for day in (datetime.date(2004, 6, 1), datetime.date(2016, 6, 1), datetime.date.today()):
        for c in criteria.table(store, day):
            assert (c.gap_reason is not None) == (c.assessment is None or c.status == "unknown"), (c, day)


def test_criteria_text_names_criteria_and_judged_laws(store):
    text = criteria_text(criteria.table(store, datetime.date(2018, 6, 1)))
    assert "Witness support / การสนับสนุนพยาน" in text
    assert "Thailand – Anti-Trafficking in Persons Act (No. 3) B.E. 2560 (2017) (in force 2017-01-28)" in text


def test_cli_as_of_answers_name_the_law_judged(capsys):
    assert main(["criteria", "--as-of", "2015-01-01", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    china = next(r for r in records if (r["country"], r["criterion"]) == ("CHN", 1))
    assert china["law"].endswith("/law/chn-criminal-law-1997") and china["law_entry_into_force"] == "1997-10-01"
    assert china["criterion_label"] == "Criminalisation of trafficking in persons"
    assert main(["criteria", "--as-of", "2018-06-01", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    china = next(r for r in records if (r["country"], r["criterion"]) == ("CHN", 1))
    assert china["law"].endswith("/law/chn-spc-interpretation-28-2016") and china["valid_from"] == "2017-01-01"
