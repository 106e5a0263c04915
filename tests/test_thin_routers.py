"""Router files of commit_kg/service/ are thin: they parse the request and call the library. No SPARQL
text, no RDF graph building, no direct queries of the store in them; the service's own queries are
in queries/internal/, loaded by the catalogue and never listed as named queries."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from commit_kg.catalogue import Catalogue
from commit_kg.cli import main
from commit_kg.settings import PROJECT_ROOT

SERVICE = PROJECT_ROOT / "commit_kg" / "service"
ROUTERS = sorted(path for path in SERVICE.glob("*.py") if "APIRouter(" in path.read_text(encoding="utf-8"))
SPARQL = re.compile(r"\b(SELECT|CONSTRUCT|DESCRIBE)\s+[?*{<]|\bASK\s*\{|\bWHERE\s*\{|\bPREFIX\s+\w*:")
GRAPH_BUILDING = re.compile(r"\bimport rdflib\b|\bfrom rdflib\b|\bGraph\(|\bDataset\(|\bConjunctiveGraph\(|ox\.Store\(")
STORE_QUERIES = re.compile(r"\bstore\.(select|query)\(")


def test_the_routers_are_found() -> None:
    names = {path.stem for path in ROUTERS}
    assert {"api", "sparql", "dataset", "resources", "docs"} <= names


@pytest.mark.parametrize("path", ROUTERS, ids=lambda path: path.name)
def test_a_router_holds_no_sparql_and_builds_no_graph(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for pattern in (SPARQL, GRAPH_BUILDING, STORE_QUERIES):
        found = pattern.search(text)
        assert found is None, f"{path.name}:{text[:found.start()].count(chr(10)) + 1}: {found.group(0)!r}"


@pytest.mark.parametrize("path", ROUTERS, ids=lambda path: path.name)
def test_a_router_reads_the_app_state_only_through_deps(path: Path) -> None:
    """One state object, made in the lifespan; the routers get its parts from the deps.py aliases."""
    text = path.read_text(encoding="utf-8")
    assert ".app.state" not in text and "app.state." not in text, path.name


def test_the_lifespan_makes_one_state_object() -> None:
    text = (SERVICE / "app.py").read_text(encoding="utf-8")
    assert re.findall(r"app\.state\.(\w+)\s*=", text) == ["commit_kg"]


def test_the_checks_would_catch_inline_sparql() -> None:
    """The patterns find what they must: the text this refactoring moved out of api.py and resources.py."""
    moved = (PROJECT_ROOT / "queries" / "internal" / "ppc-facts.rq").read_text(encoding="utf-8")
    assert SPARQL.search(moved)
    assert SPARQL.search('COUNTRY = "SELECT ?iso ?country WHERE { ?country a ck:Country }"')
    assert GRAPH_BUILDING.search("g = rdflib.Graph()") and STORE_QUERIES.search("store.select(COUNTRY, iso=x)")


def test_internal_queries_load_but_are_not_named_queries(catalogue: Catalogue) -> None:
    internal = sorted(path.stem for path in (PROJECT_ROOT / "queries" / "internal").glob("*.rq"))
    assert internal and sorted(catalogue.internal) == internal
    assert not set(internal) & set(catalogue.queries)
    for name in internal:
        query = catalogue.own(name)
        assert query.title_en and query.title_th and query.description


def test_cli_does_not_list_internal_queries(catalogue: Catalogue, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["queries"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in catalogue.queries)
    assert not any(re.search(rf"\b{re.escape(name)}\b", listed) for name in catalogue.internal)


def test_api_does_not_list_or_run_internal_queries(server: str, catalogue: Catalogue) -> None:
    listed = {q["name"] for q in httpx.get(f"{server}/api/queries", timeout=30).json()}
    assert listed == set(catalogue.queries)
    for name in catalogue.internal:
        answer = httpx.get(f"{server}/api/queries/{name}", timeout=30)
        assert answer.status_code == 404 and answer.json()["error"] == "unknown_query"
