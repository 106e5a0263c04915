"""The synthetic world of the scale benchmark (bench/world.py): a tiny one passes the build's SHACL gate,
is marked synthetic throughout, and the coverage index answers for all its pairs. No timing here."""

from __future__ import annotations

import datetime
import itertools
from pathlib import Path

import pytest

from bench.world import SYNTHETIC, generate
from commit_kg.build import BuiltGraph, build
from commit_kg.coverage import CoverageIndex
from commit_kg.errors import IntegrityError
from commit_kg.settings import Settings
from commit_kg.store import EmbeddedStore

STATES = 10


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world") / "data"
    generate(out, triples=4000, states=STATES, treaties=4)
    return out


@pytest.fixture(scope="module")
def built(world: Path, tmp_path_factory: pytest.TempPathFactory) -> BuiltGraph:
    return build(Settings(data_dir=world, cache_dir=tmp_path_factory.mktemp("cache")))


def test_the_same_seed_writes_the_same_bytes(world: Path, tmp_path: Path):
    again = tmp_path / "again"
    generate(again, triples=4000, states=STATES, treaties=4)
    for path in sorted(world.iterdir()):
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name


def test_a_tiny_world_passes_the_integrity_gate(built: BuiltGraph):
    assert built.validation.conforms
    assert not [r for r in built.validation.results if r.severity == "violation"]


def test_every_synthetic_resource_cites_a_synthetic_source(built: BuiltGraph):
    store = EmbeddedStore(built.store)
    subjects = {r["s"].value for r in store.select(
        f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER (STRSTARTS(STR(?s), '{SYNTHETIC}')) }}")}
    unsourced = [r["s"].value for r in store.select(f"""SELECT DISTINCT ?s WHERE {{
        ?s a ?type FILTER (STRSTARTS(STR(?s), '{SYNTHETIC}') && ?type NOT IN (ck:SourceCitation, ck:SourceDocument))
        FILTER NOT EXISTS {{ ?s dcterms:source/ck:quote ?quote FILTER (CONTAINS(STR(?quote), "Synthetic")) }} }}""")]
    assert len(subjects) > 100
    assert unsourced == []


def test_the_states_are_the_members_and_the_coverage_index_answers_every_pair(built: BuiltGraph):
    index = CoverageIndex(EmbeddedStore(built.store))
    assert sorted(index.countries.values()) == sorted(f"X{a}{b}" for a, b in itertools.islice(
        itertools.product("ABCDEFGHIJKLMNOPQRSTUVWXYZ", repeat=2), STATES))
    answers = index.pairs("mla", datetime.date(2024, 1, 1))
    assert len(answers) == STATES * (STATES - 1) // 2
    assert {a.level for a in answers} & {"bilateral", "regional"}  # the world's instruments do cover pairs
    assert all(a.country_a < a.country_b for a in answers)


def test_a_synthetic_fact_that_breaks_a_shape_is_refused(world: Path, tmp_path: Path):
    broken = tmp_path / "data"
    broken.mkdir()
    for path in world.iterdir():
        (broken / path.name).write_bytes(path.read_bytes())
    (broken / "synthetic-broken.ttl").write_text(
        f"<{SYNTHETIC}instrument/broken> a <https://w3id.org/commit-kg/ontology#LegalInstrument> .\n", encoding="utf-8")
    with pytest.raises(IntegrityError) as caught:
        build(Settings(data_dir=broken, cache_dir=tmp_path / "cache"))
    assert {v.focus_node for v in caught.value.violations} == {f"{SYNTHETIC}instrument/broken"}
