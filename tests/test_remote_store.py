"""The remote store backend (issue 12): `commit-kg load --into` writes the built, validated graph into a
real `oxigraph serve`, and every view reads the same answers through RemoteStore as through the
embedded store: each named query, the coverage of every pair, the criteria table, the gaps. A reload
into the server is one transaction: a reader sees the old version or the new one, never half."""

from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from remote_support import load_into, oxigraph_server

from commit_kg import criteria
from commit_kg.build import BuiltGraph, build
from commit_kg.catalogue import Catalogue
from commit_kg.coverage import KINDS, CoverageIndex
from commit_kg.gaps import gap_report
from commit_kg.remote_store import VERSION_GRAPH, RemoteStore, push
from commit_kg.settings import Settings
from commit_kg.sparql_text import substitute
from commit_kg.store import EmbeddedStore

DAYS = (datetime.date(2004, 6, 1), datetime.date(2010, 12, 31), datetime.date.today())


@dataclass
class Backends:
    url: str
    graph: BuiltGraph
    embedded: EmbeddedStore
    remote: RemoteStore


@pytest.fixture(scope="module")
def backends() -> Iterator[Backends]:
    with oxigraph_server(union_default_graph=True) as url:
        printed = load_into(url)
        graph = build(Settings())
        assert f"version {graph.version}" in printed
        yield Backends(url, graph, EmbeddedStore(graph.store), RemoteStore(f"{url}/query"))


def rows(answer: tuple[list[str], list[dict[str, str]]]) -> tuple[list[str], list[tuple]]:
    columns, found = answer
    return columns, sorted(tuple(sorted(row.items())) for row in found)


def test_the_store_holds_the_version_written_last(backends: Backends):
    assert backends.remote.version() == backends.graph.version
    count = backends.remote.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"].value
    assert int(count) == len(backends.graph.store)  # every quad of the build, its version graph included


def test_every_named_query_answers_the_same_from_both_stores(backends: Backends):
    catalogue = Catalogue(Settings().queries_dir)
    assert catalogue.queries
    for name, query in catalogue.queries.items():
        embedded = rows(query.run(backends.embedded, {}))
        assert embedded[1], f"{name} answers nothing with its defaults: the comparison would be empty"
        assert rows(query.run(backends.remote, {})) == embedded, name


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_coverage_criteria_and_gaps_are_the_same_from_both_stores(backends: Backends, day: datetime.date):
    embedded, remote = CoverageIndex(backends.embedded), CoverageIndex(backends.remote)
    for kind in KINDS:
        assert remote.pairs(kind, day) == embedded.pairs(kind, day), kind
    assert gap_report(backends.remote, remote, day) == gap_report(backends.embedded, embedded, day)
    assert criteria.table(backends.remote, day) == criteria.table(backends.embedded, day)


def test_a_reload_is_seen_whole(backends: Backends, tmp_path: Path):
    """Pushing a changed build while a reader counts: each count is the old one or the new one."""
    data = tmp_path / "data"
    shutil.copytree(Settings().data_dir, data)
    (data / "extra.ttl").write_text('<https://w3id.org/commit-kg/id/test/extra> '
                                    '<http://www.w3.org/2000/01/rdf-schema#comment> "added"@en .\n')
    changed = build(Settings(data_dir=data))
    count = "SELECT ?v (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } GRAPH <%s> { ?d ?x ?v } } GROUP BY ?v"
    seen: set[tuple[str, int]] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            for row in backends.remote.select(count % VERSION_GRAPH):
                seen.add((row["v"].value, int(row["n"].value)))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        push(changed.store, changed.version, f"{backends.url}/update")
        push(backends.graph.store, backends.graph.version, f"{backends.url}/update")
    finally:
        stop.set()
        reader.join()
    whole = {(backends.graph.version, len(backends.graph.store)), (changed.version, len(changed.store))}
    assert seen and seen <= whole, seen - whole
    assert backends.remote.version() == backends.graph.version


def test_load_into_a_server_that_is_not_there_says_so():
    done = subprocess.run([sys.executable, "-m", "commit_kg", "load", "--into", "http://127.0.0.1:9/update"],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode != 0 and "could not be reached" in done.stderr, done.stderr


@pytest.mark.parametrize("query, values, expected", [
    ("SELECT ?c ?x WHERE { ?x ?p ?c }", {"c": "<http://c>"}, "SELECT (<http://c> AS ?c) ?x WHERE { ?x ?p <http://c> }"),
    ("SELECT ?x WHERE { { SELECT DISTINCT ?c ?x WHERE { ?x ?p ?c } } } GROUP BY ?c ?x ORDER BY ?c",
     {"c": '"a"'}, 'SELECT ?x WHERE { { SELECT DISTINCT  ?x WHERE { ?x ?p "a" } } } GROUP BY ("a") ?x ORDER BY ("a")'),
    ("ASK { ?s ?p '?c' FILTER(?d <= ?c) }", {"c": '"1"'}, "ASK { ?s ?p '?c' FILTER(?d <= \"1\") }"),
    ("SELECT * WHERE { ?s <http://e/?c> ?o } # ?c", {"c": "<x>"}, "SELECT * WHERE { ?s <http://e/?c> ?o } # ?c"),
])
def test_substitution_binds_only_the_variables_as_the_grammar_reads_them(query: str, values: dict, expected: str):
    assert substitute(query, values) == expected
    ox.Store().query(expected)  # and the result is a query the engine accepts
