"""The REST API under /api over real HTTP, from a real server process (the `server` fixture)."""

from __future__ import annotations

import csv
import datetime
import io

import httpx
import pytest
import rdflib
from rdflib.namespace import SH

from commit_kg import criteria
from commit_kg.coverage import CoverageIndex
from commit_kg.namespaces import ID

ROUTES = {  # path: the parameters /openapi.json must list for its GET
    "/api/queries": set(),
    "/api/queries/{name}": {"name", "format"},
    "/api/coverage": {"kind", "as_of", "min_level", "format"},
    "/api/criteria": {"as_of", "format"},
    "/api/countries/{iso3}": {"iso3"},
    "/api/lineage/{plan}/{ppc}": {"plan", "ppc"},
    "/api/validation": {"severity", "format"},
}


def get(server: str, path: str, **kwargs) -> httpx.Response:
    return httpx.get(f"{server}{path}", timeout=30, **kwargs)


def error_of(response: httpx.Response, status: int, code: str) -> str:
    """The message of a JSON error answer, after checking its status, code and shape."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "message"} and body["error"] == code
    return body["message"]


# --- documentation ------------------------------------------------------------------------------------

def test_docs_is_html(server):
    response = get(server, "/docs")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "swagger" in response.text.lower()


def test_openapi_lists_every_route_with_its_parameters_summary_and_tag(server):
    spec = get(server, "/openapi.json").json()
    for path, parameters in ROUTES.items():
        operation = spec["paths"][path]["get"]
        assert {p["name"] for p in operation.get("parameters", [])} >= parameters, path
        assert operation["summary"] and operation["description"] and operation["tags"], path
    kind = next(p for p in spec["paths"]["/api/coverage"]["get"]["parameters"] if p["name"] == "kind")
    assert kind["required"] is True
    assert spec["components"]["schemas"]["Kind"]["enum"] == ["mla", "extradition", "anti-trafficking"]
    assert spec["components"]["schemas"]["MinLevel"]["enum"] == ["bilateral", "regional", "untoc"]
    assert {t for p in ROUTES for t in spec["paths"][p]["get"]["tags"]} == {
        "queries", "coverage", "countries", "lineage", "validation"}


# --- named queries ------------------------------------------------------------------------------------

def test_catalogue_lists_queries_with_typed_parameters_and_urls(server):
    queries = {q["name"]: q for q in get(server, "/api/queries").json()}
    assert {"plan-ppcs", "country-instruments", "ppc-lineage-backward", "coverage-gaps"} <= set(queries)
    gaps = queries["coverage-gaps"]
    assert gaps["title"]["en"] and gaps["title"]["th"] and gaps["description"]
    assert {p["name"]: (p["type"], p["rdf_class"], p["values"], p["default"], p["required"])
            for p in gaps["parameters"]} == {
        "kind": ("iri", "CooperationKind", [], "mla", False), "as_of": ("date", None, [], "today", False),
        "min_rank": ("integer", None, ["1", "2", "3"], "2", False)}
    assert gaps["url"] == f"{server}/api/queries/coverage-gaps"


def test_named_query_as_json_records_with_defaults_and_with_parameters(server):
    default = get(server, "/api/queries/plan-ppcs").json()
    assert [r["notation"] for r in default] == [str(n) for n in range(1, 9)]
    assert all(r["plan"] == f"{ID}plan/spa2" for r in default)
    thai = get(server, "/api/queries/plan-ppcs", params={"plan": "plan/spa2005", "lang": "th"}).json()
    assert len(thai) == 12 and all(r["lang"] == "th" for r in thai)


def test_named_query_as_csv_by_format_and_by_accept(server):
    by_format = get(server, "/api/queries/country-instruments", params={"country": "country/KHM", "format": "csv"})
    by_accept = get(server, "/api/queries/country-instruments", params={"country": "country/KHM"},
                    headers={"accept": "text/csv"})
    for response in (by_format, by_accept):
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert rows and {"instrument", "scope", "kinds"} <= set(rows[0])
        assert {r["country"] for r in rows} == {f"{ID}country/KHM"}
    assert by_format.text == by_accept.text


def test_named_query_parameters_are_checked_by_the_catalogue(server):
    message = error_of(get(server, "/api/queries/plan-ppcs", params={"colour": "red"}), 400, "invalid_parameter")
    assert "colour" in message
    message = error_of(get(server, "/api/queries/coverage-gaps", params={"min_rank": "two"}), 400, "invalid_parameter")
    assert "min_rank" in message
    message = error_of(get(server, "/api/queries/coverage-gaps", params={"as_of": "2010-02-30"}), 400,
                       "invalid_parameter")
    assert "as_of" in message
    repeated = get(server, "/api/queries/plan-ppcs?lang=en&lang=th")
    assert "lang" in error_of(repeated, 400, "invalid_parameter")


def test_unknown_query_is_404(server):
    assert "no-such-query" in error_of(get(server, "/api/queries/no-such-query"), 404, "unknown_query")


def test_unacceptable_type_is_406(server):
    error_of(get(server, "/api/queries/plan-ppcs", headers={"accept": "image/png"}), 406, "not_acceptable")
    error_of(get(server, "/api/validation", headers={"accept": "image/png"}), 406, "not_acceptable")


# --- coverage and criteria ----------------------------------------------------------------------------

def test_coverage_gives_the_fifteen_pairs_with_level_basis_and_sources(server):
    answer = get(server, "/api/coverage", params={"kind": "mla", "as_of": "2020-10-02"}).json()
    assert (answer["kind"], answer["as_of"], answer["min_level"]) == ("mla", "2020-10-02", "regional")
    pairs = {(p["country_a"], p["country_b"]): p for p in answer["pairs"]}
    assert len(answer["pairs"]) == len(pairs) == 15
    khm_vnm = pairs[("KHM", "VNM")]
    assert khm_vnm["level"] == "bilateral"
    assert khm_vnm["basis"] and all(b["iri"].startswith(ID + "instrument/") and b["source"] for b in khm_vnm["basis"])
    below = {(g["country_a"], g["country_b"]) for g in answer["gaps"]}
    assert below == {k for k, p in pairs.items() if p["level"] in ("none", "untoc", "unknown")}
    assert ("KHM", "VNM") not in below


def test_coverage_agrees_with_the_library_and_min_level_moves_the_gaps(server, store):
    day = datetime.date(2015, 12, 31)
    expected = [p.record() for p in CoverageIndex(store).pairs("extradition", day)]
    answer = get(server, "/api/coverage", params={"kind": "extradition", "as_of": day.isoformat(),
                                                 "min_level": "bilateral"}).json()
    assert answer["pairs"] == expected
    assert {(g["country_a"], g["country_b"]) for g in answer["gaps"]} == {
        (p["country_a"], p["country_b"]) for p in expected if p["level"] != "bilateral"}


def test_coverage_defaults_to_today(server):
    answer = get(server, "/api/coverage", params={"kind": "anti-trafficking"}).json()
    assert answer["as_of"] == datetime.date.today().isoformat() and len(answer["pairs"]) == 15


def test_criteria_table_has_thirty_cells_as_the_library_says(server, store):
    cells = get(server, "/api/criteria", params={"as_of": "2010-12-31"}).json()
    assert len(cells) == 30
    assert {(c["country"], c["criterion"]) for c in cells} == {
        (iso, n) for iso in ("CHN", "KHM", "LAO", "MMR", "THA", "VNM") for n in range(1, 6)}
    assert cells == [c.record() for c in criteria.table(store, datetime.date(2010, 12, 31))]


# --- countries and lineage ----------------------------------------------------------------------------

def test_country_with_labels_codes_taskforce_instruments_criteria_and_coverage(server):
    thailand = get(server, "/api/countries/THA").json()
    assert thailand["iri"] == f"{ID}country/THA"
    assert (thailand["iso3166_alpha2"], thailand["iso3166_alpha3"], thailand["un_m49"]) == ("TH", "THA", "764")
    assert thailand["labels"]["en"] == "Thailand" and thailand["labels"]["th"] == "ไทย"
    assert thailand["national_label"] == {"lang": "th", "value": "ไทย"}
    assert thailand["same_as"] == ["http://www.wikidata.org/entity/Q869"]
    assert thailand["taskforce"]["iri"] == f"{ID}organization/taskforce-THA"
    instruments = {i["instrument"]: i for i in thailand["instruments"]}
    assert instruments[f"{ID}instrument/untoc-2000"]["scope"] == "multilateral"
    assert any(i["scope"] == "bilateral" for i in instruments.values())
    assert [c["criterion"] for c in thailand["criteria"]] == [1, 2, 3, 4, 5]
    assert set(thailand["coverage"]) == {"mla", "extradition", "anti-trafficking"}
    for pairs in thailand["coverage"].values():
        assert len(pairs) == 5 and all("THA" in (p["country_a"], p["country_b"]) for p in pairs)


def test_country_national_label_in_its_own_language(server):
    cambodia = get(server, "/api/countries/KHM").json()
    assert cambodia["national_label"]["lang"] == "km" and cambodia["labels"]["km"] == cambodia["national_label"]["value"]


def test_unknown_or_malformed_country_code(server):
    assert "XYZ" in error_of(get(server, "/api/countries/XYZ"), 404, "not_found")
    assert "iso3" in error_of(get(server, "/api/countries/tha"), 400, "invalid_parameter")
    assert "iso3" in error_of(get(server, "/api/countries/THAI"), 400, "invalid_parameter")


def test_lineage_backwards_reaches_the_2005_plan(server):
    answer = get(server, "/api/lineage/spa2/5").json()
    assert answer["iri"] == f"{ID}plan/spa2/ppc/5" and answer["plan"] == f"{ID}plan/spa2"
    assert answer["notation"] == "5" and answer["labels"]["en"] and answer["labels"]["th"]
    older = {r["older"].removeprefix(ID) for r in answer["backward"]}
    assert {"plan/spa2005/ppc/2", "plan/spa2005/ppc/6", "plan/spa2005/ppc/7"} <= older
    assert {"plan/spa2005r/ppc/2", "plan/spa2005r/ppc/6", "plan/spa2005r/ppc/7"} <= older
    assert answer["forward"] == []  # SPA II is the latest plan


def test_lineage_forwards_from_the_2005_plan(server):
    answer = get(server, "/api/lineage/spa2005/2").json()
    assert answer["backward"] == []
    assert {f"{ID}plan/spa2/ppc/4", f"{ID}plan/spa2/ppc/5"} <= {r["newer"] for r in answer["forward"]}


def test_lineage_of_a_missing_ppc_is_404(server):
    error_of(get(server, "/api/lineage/spa2/99"), 404, "not_found")
    error_of(get(server, "/api/lineage/spa3/1"), 404, "not_found")
    assert "ppc" in error_of(get(server, "/api/lineage/spa2/five"), 400, "invalid_parameter")


# --- validation ---------------------------------------------------------------------------------------

def test_validation_report_as_json_with_counts_and_severity(server):
    everything = get(server, "/api/validation").json()
    assert everything["conforms"] is True and everything["counts"]["violation"] == 0
    assert len(everything["results"]) == sum(everything["counts"].values())
    warnings = get(server, "/api/validation", params={"severity": "warning"}).json()
    assert warnings["counts"] == everything["counts"]
    assert len(warnings["results"]) == everything["counts"]["warning"]
    assert {r["severity"] for r in warnings["results"]} <= {"warning", "violation"}
    gap = next(r for r in warnings["results"] if r["category"] == "coverage-gap")
    assert gap["pair"] and gap["kind"] in ("mla", "extradition") and gap["message_en"] and gap["message_th"]


def test_validation_report_as_turtle_by_negotiation(server):
    response = get(server, "/api/validation", headers={"accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    report = rdflib.Graph().parse(data=response.text, format="turtle")
    node = next(report.subjects(rdflib.RDF.type, SH.ValidationReport))
    assert report.value(node, SH.conforms).toPython() is True
    results = list(report.subjects(rdflib.RDF.type, SH.ValidationResult))
    assert len(results) == sum(get(server, "/api/validation").json()["counts"].values())


# --- errors -------------------------------------------------------------------------------------------

def test_bad_kind_names_the_parameter(server):
    message = error_of(get(server, "/api/coverage", params={"kind": "piracy"}), 400, "invalid_parameter")
    assert "'kind'" in message and "mla" in message


@pytest.mark.parametrize("path, params, name", [
    ("/api/coverage", {"kind": "mla", "as_of": "2020-13-45"}, "as_of"),
    ("/api/coverage", {"kind": "mla", "as_of": "yesterday"}, "as_of"),
    ("/api/criteria", {"as_of": "31/12/2010"}, "as_of"),
    ("/api/coverage", {"kind": "mla", "min_level": "none"}, "min_level"),
    ("/api/coverage", {}, "kind"),
    ("/api/validation", {"severity": "fatal"}, "severity"),
    ("/api/queries/plan-ppcs", {"format": "xml"}, "format"),
])
def test_bad_typed_parameters_are_400_naming_them(server, path, params, name):
    assert f"'{name}'" in error_of(get(server, path, params=params), 400, "invalid_parameter")


BAD_REQUESTS = [
    ("/api/coverage", {"kind": "piracy", "as_of": "2020-99-99"}, {}),
    ("/api/criteria", {"as_of": "x" * 500}, {}),
    ("/api/queries/no-such-query", {}, {}),
    ("/api/queries/plan-ppcs", {"plan": "not an iri"}, {}),
    ("/api/queries/plan-ppcs", {}, {"accept": "image/png"}),
    ("/api/countries/XYZ", {}, {}),
    ("/api/countries/../../etc", {}, {}),
    ("/api/lineage/spa2/99", {}, {}),
    ("/api/validation", {"format": "rdfxml"}, {}),
]


@pytest.mark.parametrize("path, params, headers", BAD_REQUESTS)
def test_no_error_shows_internals(server, path, params, headers):
    response = get(server, path, params=params, headers=headers)
    assert 400 <= response.status_code < 500
    text = response.text
    assert "Traceback" not in text and ".py" not in text and "/work/" not in text and "site-packages" not in text
    if response.headers["content-type"].startswith("application/json") and "error" in response.json():
        assert set(response.json()) == {"error", "message"}
