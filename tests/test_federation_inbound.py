"""Federation both ways with real second SPARQL servers (issue 12): `oxigraph serve` and Apache Jena ARQ
hold a small Wikidata-shaped fixture (made here from our own owl:sameAs links, so it follows the data)
and join it with our endpoint through SERVICE; and the federated examples of queries/federated/ run on
our endpoint against a local stand-in for the Wikidata Query Service. Every answer is compared with the
same join done directly."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from conftest import running_server
from jena import classpath, install_jena
from remote_support import oxigraph_server

from commit_kg.reasoning import java_executable

ROOT = Path(__file__).resolve().parent.parent
JSON = "application/sparql-results+json"
WDT = "http://www.wikidata.org/prop/direct/"
WIKIDATA = "https://query.wikidata.org/sparql"
LINKS = """SELECT ?c ?label ?item ?m49 WHERE {
  ?c a ck:Country ; rdfs:label ?label ; ck:unM49 ?m49 ; owl:sameAs ?item .
  FILTER(lang(?label) = "en" && STRSTARTS(STR(?item), "http://www.wikidata.org/entity/")) }"""


@dataclass
class Setting:
    ours: str
    oxigraph: str
    fixture: Path
    links: list[dict[str, str]]  # our countries with their Wikidata items and M49 codes


def rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def wikidata_shaped(links: list[dict[str, str]]) -> str:
    """Each item with its M49 code (P2082) and a region that has its own code, as Wikidata shapes them."""
    lines = [f"@prefix wdt: <{WDT}> ."]
    for n, link in enumerate(links):
        region = f"<http://example.org/region/{n}>"
        lines.append(f'<{link["item"]}> wdt:P2082 "{link["m49"]}" ; wdt:P361 {region} .')
        lines.append(f'{region} wdt:P2082 "9{n:02d}" .')
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def setting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setting]:
    with oxigraph_server() as oxigraph:
        env = {"COMMIT_KG_SERVICE_ALLOW_LIST": f"{oxigraph}/query", "COMMIT_KG_HTTP_WORKERS": "1"}
        with running_server(env=env) as ours:
            links = rows(httpx.get(f"{ours}/sparql", params={"query": LINKS}, headers={"Accept": JSON}, timeout=30))
            assert len(links) == 6  # the six COMMIT countries, each linked
            fixture = tmp_path_factory.mktemp("wikidata") / "wikidata-shaped.ttl"
            fixture.write_text(wikidata_shaped(links))
            httpx.post(f"{oxigraph}/store?default", content=fixture.read_bytes(), timeout=30,
                       headers={"Content-Type": "text/turtle"}).raise_for_status()
            yield Setting(ours, oxigraph, fixture, links)


def inbound_query(ours: str) -> str:
    """Run on the other server: our labels through SERVICE, joined with its M49 codes."""
    return (f"PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            f"PREFIX ck: <https://w3id.org/commit-kg/ontology#> PREFIX wdt: <{WDT}> "
            f"SELECT ?label ?code WHERE {{ SERVICE <{ours}/sparql> {{ ?c a ck:Country ; rdfs:label ?label ; "
            "owl:sameAs ?item . FILTER(lang(?label) = 'en') } ?item wdt:P2082 ?code }")


def expected_pairs(setting: Setting) -> list[tuple[str, str]]:
    return sorted((link["label"], link["m49"]) for link in setting.links)


def test_oxigraph_federates_into_our_endpoint(setting: Setting):
    answer = httpx.post(f"{setting.oxigraph}/query", content=inbound_query(setting.ours).encode(), timeout=60,
                        headers={"Content-Type": "application/sparql-query", "Accept": JSON})
    assert sorted((r["label"], r["code"]) for r in rows(answer)) == expected_pairs(setting)


def test_jena_arq_federates_into_our_endpoint(setting: Setting, tmp_path: Path):
    outcome = install_jena()  # a missing engine fails the test, as in test_jena_shacl: it never skips
    if outcome != "installed":
        pytest.fail(f"Apache Jena (Debian libapache-jena-java, libslf4j-java): {outcome}; run .ci/run", pytrace=False)
    query = tmp_path / "inbound.rq"
    query.write_text(inbound_query(setting.ours))
    done = subprocess.run([java_executable(), "-cp", classpath(), "arq.sparql", "--data", str(setting.fixture),
                           "--query", str(query), "--results", "JSON"], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)["results"]["bindings"]
    assert sorted((r["label"]["value"], r["code"]["value"]) for r in answer) == expected_pairs(setting)


def example(name: str, endpoint: str) -> str:
    """A federated example as a user would run it, pointed at `endpoint` instead of Wikidata."""
    text = (ROOT / "queries" / "federated" / f"{name}.rq").read_text(encoding="utf-8")
    assert f"SERVICE <{WIKIDATA}>" in text
    return text.replace(f"SERVICE <{WIKIDATA}>", f"SERVICE <{endpoint}>")


def test_the_m49_region_example_joins_our_countries_with_the_second_endpoint(setting: Setting):
    answer = rows(httpx.get(f"{setting.ours}/sparql", timeout=60, headers={"Accept": JSON},
                            params={"query": example("country-m49-region", f"{setting.oxigraph}/query")}))
    assert sorted((r["label"], r["ourM49"], r["wikidataM49"]) for r in answer) == sorted(
        (link["label"], link["m49"], link["m49"]) for link in setting.links)
    assert all(r["regionM49"].startswith("9") for r in answer)


def test_the_instrument_example_runs_and_lists_only_linked_instruments(setting: Setting):
    linked = rows(httpx.get(f"{setting.ours}/sparql", timeout=30, headers={"Accept": JSON}, params={"query": (
        "SELECT DISTINCT ?i ?item WHERE { ?i a ck:LegalInstrument ; owl:sameAs ?item . "
        "FILTER(STRSTARTS(STR(?item), 'http://www.wikidata.org/entity/')) }")}))
    labels = "\n".join(f'<{r["item"]}> <http://www.w3.org/2000/01/rdf-schema#label> "item {n}"@en ; '
                       f"<{WDT}P1891> <http://example.org/state/{n}> ." for n, r in enumerate(linked))
    httpx.post(f"{setting.oxigraph}/store?default", content=labels.encode() or b" ", timeout=30,
               headers={"Content-Type": "text/turtle"}).raise_for_status()
    answer = rows(httpx.get(f"{setting.ours}/sparql", timeout=60, headers={"Accept": JSON},
                            params={"query": example("instrument-wikidata", f"{setting.oxigraph}/query")}))
    assert sorted(r["instrument"] for r in answer) == sorted(r["i"] for r in linked)
    assert all(r["signatories"] == "1" and r["ratifications"] == "0" for r in answer)
