"""The build cache: a restart on unchanged files opens the validated graph without building it; any
changed file rebuilds; a damaged entry is rebuilt; a failing build leaves the good entry alone."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

import commit_kg.build
from commit_kg.build import BuiltGraph, build
from commit_kg.cli import main
from commit_kg.errors import ParseError
from commit_kg.settings import Settings
from commit_kg.store_cache import GRAPH_FILE, META_FILE, REPORT_FILE, CachedValidation


@pytest.fixture
def cached(file_copy: Settings, tmp_path: Path) -> Settings:
    """A private copy of the files with a private, empty cache folder."""
    return file_copy.model_copy(update={"cache_dir": tmp_path / "cache"})


def entries(settings: Settings) -> list[Path]:
    assert settings.cache_dir is not None
    if not settings.cache_dir.exists():
        return []
    return sorted(p for p in settings.cache_dir.iterdir() if p.is_dir() and not p.name.startswith("."))


def no_building(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any parse-derive-validate pass fail the test: what follows must come from the cache."""
    def refuse(*_: object, **__: object) -> BuiltGraph:
        raise AssertionError("the graph was built although the cache holds it")
    monkeypatch.setattr(commit_kg.build, "assemble", refuse)


def ground(store: ox.Store) -> set[ox.Quad]:
    return {q for q in store if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object))}


def test_a_second_build_opens_the_cache_without_building(cached: Settings, monkeypatch: pytest.MonkeyPatch):
    first = build(cached)
    assert first.cached_at is None and len(entries(cached)) == 1
    no_building(monkeypatch)
    second = build(cached)
    assert second.cached_at == entries(cached)[0]
    assert isinstance(second.validation, CachedValidation)
    assert len(second.store) == len(first.store) and ground(second.store) == ground(first.store)
    assert second.version == first.version and second.files == first.files
    assert second.reference_days == first.reference_days
    assert second.validation.results == first.validation.results
    assert second.validation.counts == first.validation.counts and second.validation.conforms
    assert len(second.validation.report) == len(first.validation.report)


def test_the_cli_says_the_graph_came_from_the_cache(cached: Settings, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COMMIT_KG_CACHE_DIR", str(cached.cache_dir))
    folders = [f"--{name}-dir={getattr(cached, f'{name}_dir')}" for name in ("ontology", "shapes", "data", "queries")]
    assert main(["build", *folders]) == 0
    assert "from the cache" not in capsys.readouterr().out
    assert main(["build", *folders]) == 0
    assert f"from the cache {entries(cached)[0]}" in capsys.readouterr().out


@pytest.mark.parametrize("folder", ["data_dir", "queries_dir"])
def test_a_changed_file_rebuilds(cached: Settings, folder: str, monkeypatch: pytest.MonkeyPatch):
    build(cached)
    target = sorted(getattr(cached, folder).glob("*.ttl" if folder == "data_dir" else "*.rq"))[0]
    target.write_text(target.read_text(encoding="utf-8") + "\n# one more line\n", encoding="utf-8")
    rebuilt = build(cached)
    assert rebuilt.cached_at is None
    assert len(entries(cached)) == 2
    no_building(monkeypatch)
    assert build(cached).cached_at is not None


def test_other_reference_dates_rebuild(cached: Settings):
    build(cached)
    other = cached.model_copy(update={"reference_dates": ["2004-06-01", "today"]})
    assert build(other).cached_at is None
    assert len(entries(cached)) == 2


@pytest.mark.parametrize("damage", ["truncated quads", "garbage meta", "missing report", "quads replaced"])
def test_a_damaged_entry_is_rebuilt(cached: Settings, damage: str, monkeypatch: pytest.MonkeyPatch):
    good = build(cached)
    entry = entries(cached)[0]
    quads = entry / GRAPH_FILE
    if damage == "truncated quads":
        quads.write_bytes(quads.read_bytes()[: quads.stat().st_size // 2])
    elif damage == "garbage meta":
        (entry / META_FILE).write_text('{"key": ', encoding="utf-8")
    elif damage == "missing report":
        (entry / REPORT_FILE).unlink()
    else:  # well-formed N-Quads, but not the ones that were validated
        quads.write_text("<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n", encoding="utf-8")
    again = build(cached)
    assert again.cached_at is None, "a damaged entry must not be served"
    assert len(again.store) == len(good.store)
    no_building(monkeypatch)
    restored = build(cached)
    assert restored.cached_at == entry and len(restored.store) == len(good.store)


def test_an_invalid_file_fails_as_before_and_keeps_the_good_entry(cached: Settings, monkeypatch: pytest.MonkeyPatch):
    build(cached)
    entry = entries(cached)[0]
    before = {p.name: p.read_bytes() for p in entry.iterdir()}
    target = cached.data_dir / "plans.ttl"
    original = target.read_text(encoding="utf-8")
    lines = original.split("\n")
    number = next(i for i, line in enumerate(lines, start=1) if line.rstrip().endswith(" .") and not line.startswith(("#", "@")))
    lines[number - 1] += ' "unterminated'
    target.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ParseError) as caught:
        build(cached)
    with pytest.raises(ParseError) as uncached:  # the same error the build without a cache gives
        commit_kg.build.assemble(cached)
    assert caught.value.message == uncached.value.message
    assert caught.value.path == target and f"plans.ttl:{caught.value.line}:{caught.value.column}" in caught.value.message
    assert entries(cached) == [entry]
    assert {p.name: p.read_bytes() for p in entry.iterdir()} == before
    target.write_text(original, encoding="utf-8")
    no_building(monkeypatch)
    assert build(cached).cached_at == entry


def test_an_entry_is_written_whole_or_not_at_all(cached: Settings, monkeypatch: pytest.MonkeyPatch):
    """A failure while writing (here: the report) leaves no entry and no temporary folder behind."""
    def fail(*_: object, **__: object) -> None:
        raise OSError("disk full")
    import rdflib

    monkeypatch.setattr(rdflib.Graph, "serialize", fail)
    graph = build(cached)  # the build itself still succeeds
    assert graph.validation.conforms and graph.cached_at is None
    assert cached.cache_dir is not None and list(cached.cache_dir.iterdir()) == []  # no .tmp- folder either


def test_meta_names_the_key_it_was_written_for(cached: Settings):
    build(cached)
    entry = entries(cached)[0]
    meta = json.loads((entry / META_FILE).read_text(encoding="utf-8"))
    assert meta["key"] == entry.name and meta["quads"] > 3000


def test_old_entries_and_a_dead_writers_leftovers_are_pruned(cached: Settings, monkeypatch: pytest.MonkeyPatch):
    import os

    from commit_kg import store_cache

    assert cached.cache_dir is not None
    cached.cache_dir.mkdir()
    stale, live = cached.cache_dir / ".tmp-stale", cached.cache_dir / ".tmp-live"
    stale.mkdir()
    live.mkdir()
    os.utime(stale, (0, 0))
    monkeypatch.setattr(store_cache, "KEEP", 1)
    build(cached)
    first = entries(cached)
    os.utime(first[0], (1, 1))  # least recently used
    other = cached.model_copy(update={"reference_dates": ["2004-06-01", "today"]})
    build(other)
    assert len(entries(cached)) == 1 and entries(cached) != first
    assert not stale.exists() and live.exists()


def test_a_file_changed_during_the_build_is_not_cached_under_the_old_key(cached: Settings,
                                                                          monkeypatch: pytest.MonkeyPatch):
    real = commit_kg.build.assemble
    target = sorted(cached.data_dir.glob("*.ttl"))[0]

    def edit_while_building(*args: object, **kwargs: object) -> BuiltGraph:
        graph = real(*args, **kwargs)
        target.write_text(target.read_text(encoding="utf-8") + "\n# edited during the build\n", encoding="utf-8")
        return graph
    monkeypatch.setattr(commit_kg.build, "assemble", edit_while_building)
    assert build(cached).cached_at is None
    assert entries(cached) == []


def test_changed_code_changes_the_key(cached: Settings, tmp_path: Path):
    """The derivation is code: the same files under changed code must not open what the old code built."""
    import datetime
    import shutil

    from commit_kg.store_cache import PACKAGE, inputs_of

    code = tmp_path / "code"
    shutil.copytree(PACKAGE, code, ignore=shutil.ignore_patterns("__pycache__"))
    days = (datetime.date(2010, 12, 31),)
    before = inputs_of(cached, days, code).key
    assert inputs_of(cached, days, PACKAGE).key == before, "a copy of the same code gives the same key"
    derive = code / "derive.py"
    derive.write_text(derive.read_text() + "\n# a changed derivation\n")
    assert inputs_of(cached, days, code).key != before
