"""Scale benchmark on a synthetic world (bench/world.py): build + SHACL integrity gate (time and peak
RSS, pySHACL against pyshacl-turbo and, when asked, pyrudof on the same inputs, same verdict required), the coverage matrix
of all pairs for one kind and date (CoverageIndex against the coverage-gaps named query in SPARQL),
the named queries, and HTTP throughput of the embedded backend under wrk (bench/http.py's machinery).

Each engine's build runs in its own process, so its peak RSS is its own. The pySHACL build is the
project's real gate; the first engine whose verdict passes writes the build cache, from which the later
steps and the server start (both must give the same verdict, which the record shows).
Writes bench/results/scale-{size}.json and scale-{size}.txt.

Run: python3 -m bench.scale --size 1M [--states 193] [--world DIR] [--engines turbo,pyshacl,rudof] [--no-http]
     python3 -m bench.scale --size 1M --queries-only [--compare-query [NAME=]FORMER.rq ...]   (named queries, no gate)
     python3 -m bench.scale --size 10M --load-only   (generate and load only: its build does not fit in memory)
     python3 -m bench.scale --size 1M --states 200 --coverage-only   (the coverage matrix alone)
Needs: pip install pyshacl-turbo (and pyrudof for rudof); apt-get install wrk (HTTP part).
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import datetime
import hashlib
import io
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import rdflib

from bench.results_file import publish
from bench.world import SYNTHETIC, generate, parse_count
from commit_kg.namespaces import GRAPH, ID, PREFIXES
from commit_kg.settings import Settings
from commit_kg.tabular import records

if TYPE_CHECKING:
    from commit_kg.catalogue import Catalogue
    from commit_kg.store import EmbeddedStore
    from commit_kg.validation import ValidationResult

ENGINES = ("turbo", "pyshacl", "rudof")  # turbo first: it fills the cache sooner
DEFAULT_ENGINES = "turbo,pyshacl"  # rudof (pyrudof, bench only) when asked: --engines turbo,pyshacl,rudof
MEMORY_CAP_GB = 10  # address space of the pySHACL build process
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
SH_NAME, SH_PATH, SH_MESSAGE = (rdflib.URIRef(f"http://www.w3.org/ns/shacl#{name}") for name in ("name", "path", "message"))
AS_OF = datetime.date(2024, 1, 1)
# Named queries about plans and PPCs have nothing to answer in a world of states and instruments.
NO_PLANS = ("plan-ppcs", "ppc-activities", "ppc-lineage-backward", "ppc-lineage-forward", "ppc-targets")


def load() -> str:
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def verdict(results: list) -> dict:
    """What the gate decides, comparable across engines: the violations (focus node, shape name,
    path) and how many findings of each severity."""
    violations = sorted({(r.focus_node, r.name, r.path or "") for r in results if r.severity == "violation"})
    return {"conforms": not violations, "violations": [list(v) for v in violations],
            "counts": dict(sorted(Counter(r.severity for r in results).items()))}


def into_default_graph(store: ox.Store, graphs: list[ox.NamedNode]) -> None:
    """Copy these named graphs, and the class hierarchy (what pySHACL's ont_graph supplies), into the
    store's default graph, which is what pyshacl-turbo validates; in Rust, making no Python objects."""
    for graph in graphs:
        store.update(f"ADD <{graph.value}> TO DEFAULT")
    store.update(f"INSERT {{ ?a <{RDFS_SUBCLASS}> ?b }} WHERE {{ GRAPH ?g {{ ?a <{RDFS_SUBCLASS}> ?b }} }}")


def default_graph_store(quads: list[ox.Quad]) -> ox.Store:
    """The quads' triples in the default graph of a new store. (Given an rdflib shapes graph and a
    pyoxigraph data store together, pyshacl-turbo 0.6.5 told "1" from "1"^^xsd:string and reported sh:in
    violations that pySHACL does not: both go in as stores.)"""
    store = ox.Store()
    store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
    return store


def build_once(world: Path, engine: str, cache: Path, profile: Path | None) -> dict:
    """Parse, derive and validate like commit_kg.build.assemble, timing each phase; the pySHACL run
    also saves the build cache entry that `serve` opens."""
    from commit_kg import build as build_module
    from commit_kg.derive import derive
    from commit_kg.loading import parse_folder
    from commit_kg.store_cache import StoreCache, inputs_of
    from commit_kg.validation import ValidationResult, read_results, to_rdflib, validate

    settings = Settings(data_dir=world, cache_dir=cache)
    days = tuple(settings.reference_days())
    phases: dict[str, float] = {}
    cpu: dict[str, float] = {}  # CPU seconds of this process (all its threads): less bent by a busy machine
    clock, cpu_clock = time.perf_counter(), time.process_time()

    def lap(name: str) -> None:
        nonlocal clock, cpu_clock
        now, cpu_now = time.perf_counter(), time.process_time()
        phases[name], cpu[name] = round(now - clock, 2), round(cpu_now - cpu_clock, 2)
        clock, cpu_clock = now, cpu_now

    started = clock
    ontology, data, shapes = (parse_folder(kind, folder) for kind, folder in
                              (("ontology", settings.ontology_dir), ("data", world), ("shapes", settings.shapes_dir)))
    store = ox.Store()
    store.extend(build_module.quads_of(ontology) + build_module.quads_of(data))
    lap("parse_and_load")
    derived = derive(store, list(days))
    store.extend(derived)
    lap("derive")
    by_graph = Counter(q.graph_name.value.removeprefix(GRAPH) for q in derived)
    profiler = cProfile.Profile() if profile else None
    if engine == "pyshacl":  # as the build does: rdflib graphs
        data_graph = to_rdflib(build_module.quads_of(data) + derived)
        shapes_graph, ontology_graph = to_rdflib(build_module.quads_of(shapes)), to_rdflib(build_module.quads_of(ontology))
        lap("to_rdflib")
        if profiler:
            profiler.enable()
        result = validate(data_graph, shapes_graph, ontology_graph)
    elif engine == "rudof":
        result = rudof_validate(build_module.quads_of(data) + derived, build_module.quads_of(shapes),
                                build_module.quads_of(ontology), lap, profiler)
    else:  # pyshacl-turbo reads pyoxigraph stores: no rdflib graph is made
        import pyshacl_turbo

        into_default_graph(store, sorted({f.graph for f in data} | {q.graph_name for q in derived}, key=str))
        shapes_store = default_graph_store(build_module.quads_of(shapes))
        lap("to_oxigraph_default_graph")
        if profiler:
            profiler.enable()
        _, report, _ = pyshacl_turbo.validate(store, shacl_graph=shapes_store, inference="none", advanced=True,
                                              allow_warnings=True, do_owl_imports=False)
        shapes_graph = to_rdflib(build_module.quads_of(shapes))  # for the shape names of the findings
        result = ValidationResult(report=report, results=read_results(report, shapes_graph))
        store.update("CLEAR DEFAULT")  # the served graph has no default-graph copy
    if profiler:
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
        profile.write_text(text.getvalue(), encoding="utf-8")
    lap("validate")
    record = {"engine": engine, "phases_s": phases, "phases_cpu_s": cpu, "total_s": round(time.perf_counter() - started, 2),
              "peak_rss_mb": peak_rss_mb(), "data_triples": sum(len(f.quads) for f in data),
              "derived_triples": len(derived), "derived_by_graph": dict(by_graph), "store_quads": len(store),
              "verdict": verdict(result.results), "load_at_end": load(), **messages_kept(result.results, shapes)}
    inputs = inputs_of(settings, days)
    # The first engine that passes fills it (not rudof, which gives no report graph to serve).
    if result.conforms and engine != "rudof" and not StoreCache(cache).entry(inputs.key).is_dir():
        every = ontology + data + shapes
        graph = build_module.BuiltGraph(store, result, days, tuple(f.path for f in every),
                                        build_module.version_of(every) + days[-1].strftime("%Y%m%d"))
        StoreCache(cache).save(inputs, graph)
    return record


def messages_kept(results: list, shapes: list) -> dict:
    """How many findings whose shape has an English sh:message carry it (pySHACL and pyshacl-turbo
    all; rudof not a node shape's): the gap reports print these messages."""
    from commit_kg.validation import to_rdflib

    graph = to_rdflib([q for f in shapes for q in f.quads])
    with_message = [r for r in results if graph.value(shape_term(r.shape), SH_MESSAGE) is not None]
    kept = [r for r in with_message if any(str(m) in r.message for m in graph.objects(shape_term(r.shape), SH_MESSAGE))]
    return {"findings_whose_shape_has_a_message": len(with_message), "of_them_carrying_it": len(kept)}


def shape_term(shape: str) -> rdflib.term.Node:
    """A shape as the findings name it (an IRI, or a blank node's label with or without '_:')."""
    return rdflib.URIRef(shape) if "://" in shape else rdflib.BNode(shape.removeprefix("_:"))


def rudof_validate(data: list[ox.Quad], shapes: list[ox.Quad], ontology: list[ox.Quad], lap: Callable[[str], None],
                   profiler: cProfile.Profile | None) -> ValidationResult:
    """pyrudof (rudof's Rust SHACL engine): the data's triples and the class hierarchy as N-Triples,
    the shapes as Turtle, its native engine. Its results become the same records as pySHACL's; shape
    names come from the shapes (a property shape's blank node keeps its label through Turtle), and a
    path other than one IRI (rudof writes "^(…)" for sh:inversePath) is left out as pySHACL's is. rudof
    reports a node shape's finding with its own message ("OR not satisfied"), not the shape's
    sh:message: the verdict compares focus node, shape name and path, not messages."""
    import pyrudof

    from commit_kg.errors import Violation
    from commit_kg.validation import ValidationResult, to_rdflib

    hierarchy = [q for q in ontology if q.predicate.value == RDFS_SUBCLASS]
    with tempfile.TemporaryDirectory(prefix="commit-kg-rudof-") as tmp:
        data_file = Path(tmp) / "data.nt"
        ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in data + hierarchy), data_file,
                     ox.RdfFormat.N_TRIPLES)
        shapes_text = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in shapes],
                                   format=ox.RdfFormat.TURTLE).decode()
        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        rudof.read_data(str(data_file), format=pyrudof.RDFFormat.NTriples, reader_mode=pyrudof.ReaderMode.Strict)
        rudof.read_shacl(shapes_text, reader_mode=pyrudof.ReaderMode.Strict)
    lap("to_ntriples_and_load")
    if profiler:
        profiler.enable()
    report = rudof.validate_shacl(mode=pyrudof.ShaclValidationMode.Native)
    shapes_graph = to_rdflib(shapes)
    simple_paths = {str(p) for p in shapes_graph.objects(None, SH_PATH) if isinstance(p, rdflib.URIRef)}
    results = []
    for entry in report:  # a path is kept when it is one IRI, as read_results keeps pySHACL's
        shape = shape_term(entry.source_shape)
        results.append(Violation(severity=entry.severity.lower(), focus_node=entry.focus_node,
                                 path=entry.path if entry.path in simple_paths else None,
                                 value=entry.value, message=entry.message, shape=str(shape),
                                 name=str(shapes_graph.value(shape, SH_NAME) or "")))
    return ValidationResult(report=rdflib.Graph(), results=sorted(results, key=lambda r: (r.severity, r.focus_node, r.shape, r.path or "")))


def run_build(world: Path, engine: str, cache: Path, profile: Path | None) -> dict:
    """One engine's build in a fresh process, so that its peak RSS is its own."""
    command = [sys.executable, "-m", "bench.scale", "--child-build", engine, "--world", str(world), "--cache", str(cache)]
    if profile:
        command += ["--profile-to", str(profile)]
    before = load()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"engine": engine, "error": done.stderr[-2000:], "load_at_start": before}
    return {**json.loads(done.stdout.splitlines()[-1]), "load_at_start": before}


# Facts that break integrity shapes in four ways, added to a small world to check that both engines
# refuse the same nodes for the same rules (on a world that conforms, "same verdict" says little).
BROKEN = f"""@prefix ck: <https://w3id.org/commit-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{SYNTHETIC}instrument/broken/three-parties> a ck:LegalInstrument , ck:Treaty , ck:BilateralInstrument ;
  rdfs:label "Synthetic broken treaty"@en ; ck:party <{SYNTHETIC}country/XAA> , <{SYNTHETIC}country/XAB> , <{SYNTHETIC}country/XAC> ;
  ck:confidence <{ID}confidence/low> ; dcterms:source <{SYNTHETIC}source/states> .
<{SYNTHETIC}country/XAA> ck:iso3166Alpha3 "xaa" .
<{SYNTHETIC}participation/broken> a ck:Participation ; ck:confidence <{ID}confidence/low> ;
  dcterms:source <{SYNTHETIC}source/states> .
<{SYNTHETIC}assessment/broken> a ck:CriterionAssessment ; ck:assessedCountry <{SYNTHETIC}country/XAB> ;
  ck:criterion <{ID}criterion/1> ; ck:assessedOn "2020-01-01"^^<http://www.w3.org/2001/XMLSchema#date> ;
  ck:assessmentStatus <{ID}assessment-status/excellent> ; ck:confidence <{ID}confidence/low> ;
  dcterms:source <{SYNTHETIC}source/states> .
"""


def verdict_check(folder: Path, engines: list[str], states: int = 20) -> dict:
    """The engines on a small world with BROKEN added: the same violations as pySHACL's, or not."""
    world = folder / "broken-world"
    generate(world, 4000, states, treaties=10)
    (world / "synthetic-broken.ttl").write_text(BROKEN, encoding="utf-8")
    runs = {engine: run_build(world, engine, folder / "broken-cache", None) for engine in engines}
    verdicts = {engine: run.get("verdict") for engine, run in runs.items()}
    same = {e: verdicts[e] == verdicts["pyshacl"] and verdicts[e] is not None for e in engines if e != "pyshacl"}
    return {"states": states, "violations": {e: len(v["violations"]) if v else None for e, v in verdicts.items()},
            "same_verdict": all(same.values()), "same_as_pyshacl": same,
            "validate_s": {e: r.get("phases_s", {}).get("validate") for e, r in runs.items()},
            "errors": {e: r["error"][-500:] for e, r in runs.items() if "error" in r}, **verdicts}


def timed(function, repeat: int = 3) -> tuple[float, float, object]:
    """Median wall and CPU seconds of `repeat` calls (one call when it takes over 2 s), and the last answer."""
    seconds, cpu, answer = [], [], None
    for _ in range(repeat):
        start, cpu_start = time.perf_counter(), time.process_time()
        answer = function()
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
        if seconds[0] > 2:
            break
    return round(statistics.median(seconds), 4), round(statistics.median(cpu), 4), answer


def coverage_and_queries(world: Path, cache: Path) -> dict:
    """On the cached build: the coverage matrix (CoverageIndex, and the same in SPARQL by the
    coverage-gaps named query), then every named query that has something to answer here."""
    from commit_kg.build import build
    from commit_kg.catalogue import Catalogue
    from commit_kg.coverage import CoverageIndex, gaps
    from commit_kg.store import EmbeddedStore

    settings = Settings(data_dir=world, cache_dir=cache)
    graph = build(settings)
    store = EmbeddedStore(graph.store)
    catalogue = Catalogue(settings.queries_dir)
    index_s, index_cpu, index = timed(lambda: CoverageIndex(store), repeat=1)
    pairs_s, pairs_cpu, answers = timed(lambda: index.pairs("mla", AS_OF))
    gaps_query = catalogue.get("coverage-gaps")
    values = {"kind": "mla", "as_of": AS_OF.isoformat(), "min_rank": "2"}
    sparql_s, sparql_cpu, (_, rows) = timed(lambda: gaps_query.run(store, values))
    ours = Counter(a.level for a in answers)
    # A pair with no basis at all has no ?level in the query's answer (MAX over no rows): that is "none".
    theirs = Counter(str(r.get("level") or "none") for r in rows)
    coverage = {"states": len(index.countries), "pairs": len(answers), "kind": "mla", "as_of": AS_OF.isoformat(),
                "bases": len(index.bases), "index_build_s": index_s, "index_build_cpu_s": index_cpu, "pairs_s": pairs_s,
                "pairs_cpu_s": pairs_cpu,
                "gaps_below_regional": len(gaps(answers, "regional")), "levels": dict(sorted(ours.items())),
                "sparql_coverage_gaps_s": sparql_s, "sparql_coverage_gaps_cpu_s": sparql_cpu, "sparql_rows": len(rows), "sparql_levels": dict(sorted(theirs.items())),
                "ratio_sparql_over_index": round(sparql_s / pairs_s, 1) if pairs_s else None, "load": load()}
    queries = named_queries(store, catalogue)
    return {"coverage": coverage, "named_queries": queries, "named_queries_skipped": list(NO_PLANS),
            "store_quads": len(graph.store), "load": load()}


def named_queries(store: EmbeddedStore, catalogue: Catalogue, compare: tuple[tuple[str, Path], ...] = (),
                  raw: ox.Store | None = None) -> dict:
    """Every named query that has something to answer in a synthetic world, with parameters that name
    its things; with `compare` (name, file), each file too, bound as that named query (e.g. a former text of it,
    timed in the same run). With `raw` (the store under `store`), each is also timed with its values
    given as pyoxigraph `substitutions`, as the service bound them before it wrote them into the text."""
    state = f"{SYNTHETIC}country/XAA"
    partner = store.select(f"SELECT ?b WHERE {{ ?i ck:party <{state}> , ?b FILTER (?b != <{state}>) }} LIMIT 1")[0]["b"].value
    instrument = f"{SYNTHETIC}instrument/multilateral/0"
    params = {"country-instruments": {"country": state}, "country-multilateral": {"country": state},
              "pair-instruments": {"country_a": state, "country_b": partner}, "instrument-parties": {"instrument": instrument},
              "coverage-gaps": {"kind": "mla", "as_of": AS_OF.isoformat(), "min_rank": "2"},
              "criteria-table": {"as_of": AS_OF.isoformat()}}
    runs = {query.name: query for query in catalogue.queries.values() if query.name not in NO_PLANS}
    for name, former in compare:
        runs[f"{name} as {former.name}"] = dataclasses.replace(catalogue.get(name), text=former.read_text(encoding="utf-8"))
    queries = {}
    for name, query in sorted(runs.items()):
        values = params.get(query.name, {})
        seconds, cpu, (_, answer) = timed(lambda q=query, v=values: q.run(store, v))
        queries[name] = {"median_s": seconds, "cpu_s": cpu, "rows": len(answer), "answer_sha256": digest(answer)}
        if raw is not None:
            sub_s, sub_cpu, rows = timed(lambda q=query, v=values: records(raw.query(  # bound as `run` binds
                q.text, prefixes=PREFIXES, substitutions=q.bind(v, store) or None, use_default_graph_as_union=True)))
            queries[name].update({"as_substitutions_s": sub_s, "as_substitutions_cpu_s": sub_cpu,
                                  "substitutions_over_text": round(sub_s / max(seconds, 0.0001), 1),
                                  "same_answer_as_substitutions": digest(rows) == queries[name]["answer_sha256"]})
    return queries


def digest(answer: list[dict[str, str]]) -> str:
    return hashlib.sha256(repr(sorted(map(sorted, map(dict.items, answer)))).encode()).hexdigest()[:16]


def queries_only(world: Path, compare: tuple[tuple[str, Path], ...]) -> dict:
    """The named queries alone, on the world parsed and derived without the SHACL gate (the gate adds
    nothing the queries read): what a change to a query needs re-measured, without a build."""
    from commit_kg.build import quads_of
    from commit_kg.catalogue import Catalogue
    from commit_kg.derive import derive
    from commit_kg.loading import parse_folder
    from commit_kg.store import EmbeddedStore

    settings = Settings(data_dir=world)
    store = ox.Store()
    start = time.perf_counter()
    store.extend(quads_of(parse_folder("ontology", settings.ontology_dir)) + quads_of(parse_folder("data", world)))
    store.extend(derive(store, settings.reference_days()))
    prepared = round(time.perf_counter() - start, 1)
    return {"named_queries": named_queries(EmbeddedStore(store), Catalogue(settings.queries_dir), compare, raw=store),
            "named_queries_skipped": list(NO_PLANS), "store_quads": len(store), "parse_and_derive_s": prepared, "load": load()}


def http(world: Path, cache: Path, duration: int) -> dict:
    """Our service on the cached world build under wrk (bench/http.py): SPARQL and REST."""
    from bench import http as bench_http

    args = argparse.Namespace(connections=4, duration=duration)
    port = bench_http.free_port()
    ours = bench_http.Endpoint("commit-kg", f"http://127.0.0.1:{port}", "/sparql")
    env = {"COMMIT_KG_DATA_DIR": str(world), "COMMIT_KG_CACHE_DIR": str(cache), "COMMIT_KG_HTTP_WORKERS": "2"}
    state = f"{SYNTHETIC}country/XAA"
    label = 'SELECT ?thing WHERE { ?thing <http://www.w3.org/2000/01/rdf-schema#label> "Synthetic State XAA"@en }'
    count = "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"
    paths = {"label lookup (SPARQL)": f"/sparql?query={urllib.parse.quote(label, safe='')}",
             "count by class (SPARQL)": f"/sparql?query={urllib.parse.quote(count, safe='')}",
             "country-instruments (REST)": "/api/queries/country-instruments?" + urllib.parse.urlencode({"country": state}),
             "coverage matrix mla (REST /api/coverage)": f"/api/coverage?kind=mla&as_of={AS_OF.isoformat()}"}
    runs = {}
    with tempfile.TemporaryDirectory() as tmp, bench_http.running(bench_http.ours_command(port), ours.url, env) as start_s:
        for name, path in paths.items():
            accept = bench_http.JSON_RESULTS if path.startswith("/sparql") else "application/json"
            runs[name] = {mode: bench_http.wrk(ours, path, mode == "unique" and path.startswith("/sparql"), args, Path(tmp), accept)
                          for mode in (("unique", "repeated") if path.startswith("/sparql") else ("repeated",))}
            print(f"  {name}: {runs[name]}", flush=True)
    return {"start_from_cache_s": round(start_s, 2), "runs": runs, "settings": {"connections": 4, "duration_s": duration,
            "http_workers": 2}, "load": load()}


def coverage_only(world: Path) -> dict:
    """The coverage matrix alone, on the world parsed and derived without validation (for a state count
    whose full run is not needed): the index's build and three matrices, wall and CPU seconds."""
    from commit_kg.build import quads_of
    from commit_kg.coverage import CoverageIndex
    from commit_kg.derive import derive
    from commit_kg.loading import parse_folder
    from commit_kg.store import EmbeddedStore

    settings = Settings(data_dir=world)
    store = ox.Store()
    store.extend(quads_of(parse_folder("ontology", settings.ontology_dir)) + quads_of(parse_folder("data", world)))
    store.extend(derive(store, settings.reference_days()))
    index_s, index_cpu, index = timed(lambda: CoverageIndex(EmbeddedStore(store)), repeat=1)
    pairs_s, pairs_cpu, answers = timed(lambda: index.pairs("mla", AS_OF))
    return {"states": len(index.countries), "pairs": len(answers), "bases": len(index.bases), "kind": "mla",
            "as_of": AS_OF.isoformat(), "index_build_s": index_s, "index_build_cpu_s": index_cpu,
            "pairs_s": pairs_s, "pairs_cpu_s": pairs_cpu, "load": load()}


def targeted(world: Path) -> dict:
    """What the gate would cost if it validated only what is asserted (a question, not the product's
    gate): pyshacl-turbo on the same parsed and derived world, (1) all shapes on asserted + derived
    triples, as the build does; (2) only shapes/integrity.ttl (every sh:Violation is there) on the same;
    (3) integrity.ttl on the asserted triples alone, the derived records (criterion and coverage
    statuses, validity) then being the derivation's tests' to check. Seconds (copy into a store and validate;
    least of two runs, run in both orders) and verdict of each."""
    import pyshacl_turbo

    from commit_kg.build import quads_of
    from commit_kg.derive import derive
    from commit_kg.loading import parse_folder
    from commit_kg.validation import ValidationResult, read_results, to_rdflib

    settings = Settings(data_dir=world)
    ontology, data = parse_folder("ontology", settings.ontology_dir), parse_folder("data", world)
    shapes = parse_folder("shapes", settings.shapes_dir)
    store = ox.Store()
    store.extend(quads_of(ontology) + quads_of(data))
    derived = derive(store, settings.reference_days())
    hierarchy = [ox.Quad(q.subject, q.predicate, q.object) for q in quads_of(ontology) if q.predicate.value == RDFS_SUBCLASS]
    integrity = [f for f in shapes if f.path.name == "integrity.ttl"]
    runs = {"all shapes, asserted + derived": (quads_of(data) + derived, shapes),
            "integrity shapes, asserted + derived": (quads_of(data) + derived, integrity),
            "integrity shapes, asserted only": (quads_of(data), integrity)}
    record: dict = {}
    for name, (quads, shape_files) in [*runs.items(), *reversed(runs.items())]:  # twice, in both orders: the least
        start, cpu_start = time.perf_counter(), time.process_time()
        data_store = default_graph_store(quads + hierarchy)
        shapes_store = default_graph_store(quads_of(shape_files))
        _, report, _ = pyshacl_turbo.validate(data_store, shacl_graph=shapes_store, inference="none", advanced=True,
                                              allow_warnings=True, do_owl_imports=False)
        result = ValidationResult(report=report, results=read_results(report, to_rdflib(quads_of(shape_files))))
        seconds, cpu = round(time.perf_counter() - start, 2), round(time.process_time() - cpu_start, 2)
        before = record.get(name, {"seconds": seconds, "cpu_s": cpu})
        record[name] = {"validated_triples": len(quads), "seconds": min(seconds, before["seconds"]),
                        "cpu_s": min(cpu, before["cpu_s"]), "verdict": verdict(result.results)}
        print(f"  {name}: {seconds} s, {cpu} CPU-s", flush=True)
    return {"runs": record, "peak_rss_mb": peak_rss_mb(), "load": load()}


def load_only(world: Path) -> dict:
    """Only load the world into an in-memory pyoxigraph store (what serving it would hold), for sizes
    whose build does not fit in memory: seconds and the process's peak RSS."""
    start = time.perf_counter()
    store = ox.Store()
    for path in sorted(world.glob("*.ttl")):
        store.bulk_load(path=path, format=ox.RdfFormat.TURTLE)
    return {"triples": len(store), "bytes": sum(p.stat().st_size for p in world.glob("*.ttl")),
            "bulk_load_s": round(time.perf_counter() - start, 1), "peak_rss_mb": peak_rss_mb(), "load": load()}


def text_of(record: dict) -> str:
    lines = [f"scale benchmark, {record['size']} world ({record['world']['states']} states), {record['when']}",
             f"machine: {os.cpu_count()} cores; {record['load_at_start']} at start, {record.get('load_at_end', '…')} at end"]
    for build in record["builds"]:
        if "error" in build:
            lines.append(f"build {build['engine']}: failed: {build['error'][-300:]}")
            continue
        lines.append(f"build {build['engine']}: {build['total_s']} s, peak RSS {build['peak_rss_mb']} MB, phases {build['phases_s']}"
                     + (f" (CPU s {build['phases_cpu_s']})" if "phases_cpu_s" in build else "") + "; "
                     f"{build['data_triples']} data + {build['derived_triples']} derived triples; verdict conforms="
                     f"{build['verdict']['conforms']} {build['verdict']['counts']} ({build['load_at_start']} at start)"
                     + (f"; of {build['findings_whose_shape_has_a_message']} findings whose shape has an sh:message, "
                        f"{build['of_them_carrying_it']} carry it" if "of_them_carrying_it" in build else ""))
    if "verdict_check" in record:
        check = record["verdict_check"]
        lines.append(f"verdict check on a {check['states']}-state world with 4 kinds of broken facts: violations "
                     f"{check['violations']}, same verdict: {check['same_verdict']}"
                     + (f" ({check['same_as_pyshacl']})" if "same_as_pyshacl" in check else "")
                     + "".join(f"; {e} failed: {error[-200:]}" for e, error in check.get("errors", {}).items()))
    for key, value in record.get("ratios", {}).items():
        lines.append(f"ratio {key}: {value}")
    if "coverage" in record:
        c = record["coverage"]
        lines.append(f"coverage {c['kind']} on {c['as_of']}, {c['states']} states, {c['pairs']} pairs: index built in "
                     f"{c['index_build_s']} s ({c['bases']} bases), all pairs in {c['pairs_s']} s"
                     + (f" (CPU {c['pairs_cpu_s']} s)" if "pairs_cpu_s" in c else "") + "; the coverage-gaps "
                     f"query in SPARQL {c['sparql_coverage_gaps_s']} s ({c['ratio_sparql_over_index']}x); levels "
                     f"{c['levels']} vs SPARQL {c['sparql_levels']} ({c['load']})")
    if "parse_and_derive_s" in record:
        lines.append(f"named queries on the world parsed and derived without the gate ({record['parse_and_derive_s']} s, "
                     f"{record['store_quads']} quads; {record['load']})")
    for name, q in record.get("named_queries", {}).items():
        lines.append(f"named query {name}: {q['median_s']} s" + (f" (CPU {q['cpu_s']} s)" if "cpu_s" in q else "")
                     + f", {q['rows']} rows" + (f", answer {q['answer_sha256']}" if "answer_sha256" in q else "")
                     + (f"; as pyoxigraph substitutions {q['as_substitutions_s']} s ({q['substitutions_over_text']}x"
                        f"{', same answer' if q['same_answer_as_substitutions'] else ', ANOTHER ANSWER'})"
                        if "as_substitutions_s" in q else ""))
    if "http" in record:
        h = record["http"]
        lines.append(f"HTTP (embedded backend, {h['settings']}): start from cache {h['start_from_cache_s']} s ({h['load']})")
        for name, modes in h["runs"].items():
            for mode, r in modes.items():
                lines.append(f"  {name} {mode}: {r['requests_per_s']} req/s, p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, "
                             f"{r['errors']} errors")
    return "\n".join(lines) + "\n"


def compared_query(argument: str) -> tuple[str, Path]:
    """`NAME=FILE`, or `FILE` for criteria-table (the first query compared this way)."""
    name, _, file = argument.rpartition("=")
    return name or "criteria-table", Path(file)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1M", help="triples of the synthetic world (1M, 10M, 250k)")
    parser.add_argument("--states", type=int, default=193)
    parser.add_argument("--world", type=Path, help="an existing world folder (default: generate one in a temporary folder)")
    parser.add_argument("--engines", default=DEFAULT_ENGINES, help="SHACL engines to compare: turbo,pyshacl,rudof")
    parser.add_argument("--profile", action="store_true", help="cProfile each validation (bench/results/scale-{size}-{engine}.prof.txt)")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--no-queries", action="store_true", help="skip coverage, named queries and HTTP")
    parser.add_argument("--load-only", action="store_true", help="only generate and load into pyoxigraph (for 10M)")
    parser.add_argument("--coverage-only", action="store_true", help="only the coverage matrix (e.g. --states 200)")
    parser.add_argument("--targeted", action="store_true", help="only: the gate on asserted triples alone (pyshacl-turbo)")
    parser.add_argument("--queries-only", action="store_true", help="only the named queries, on the world derived without the gate")
    parser.add_argument("--compare-query", type=compared_query, action="append", default=[], metavar="[NAME=]FILE",
                        help="with --queries-only: also time this text of the named query NAME (criteria-table "
                             "when no NAME is given); repeatable")
    parser.add_argument("--tag", default="", help="added to the results' file names (scale-{size}-{tag})")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--child-build", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_build:
        if args.child_build in ("pyshacl", "rudof"):  # a shared machine: past this, MemoryError ends the run, not the machine
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_GB << 30, MEMORY_CAP_GB << 30))
        print(json.dumps(build_once(args.world, args.child_build, args.cache, args.profile_to)))
        return
    record: dict = {"size": args.size, "when": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                    "load_at_start": load()}
    with tempfile.TemporaryDirectory(prefix="commit-kg-scale-") as tmp:
        world = args.world or Path(tmp) / "world"
        if args.world is None:
            start = time.perf_counter()
            sizes = generate(world, parse_count(args.size), args.states)
            record["world"] = {**vars(sizes), "generate_s": round(time.perf_counter() - start, 1)}
        else:
            record["world"] = {"folder": str(world), "states": args.states}
        cache = Path(tmp) / "cache"
        results = Path(__file__).parent / "results"
        for flag, step in (("load_only", load_only), ("coverage_only", coverage_only), ("targeted", targeted)):
            if getattr(args, flag):
                record[flag] = step(world)
                print(json.dumps(record))
                publish(f"scale-{args.size}-{args.states}states-{flag.replace('_', '-')}", record, quiet=True)
                return
        record["builds"] = []
        if args.queries_only:
            record.update(queries_only(world, tuple(args.compare_query)))
        for engine in [] if args.queries_only else args.engines.split(","):
            profile = results / f"scale-{args.size}-{engine}.prof.txt" if args.profile else None
            record["builds"].append(run_build(world, engine, cache, profile))
            print(text_of(record).splitlines()[-1], flush=True)
        done = {b["engine"]: b for b in record["builds"] if "error" not in b}
        peer = next((engine for engine in ("pyshacl", "turbo") if engine in done), None)  # the gate, else its stand-in
        if peer:
            record["ratios"] = {}
            for engine in sorted(set(done) - {peer}):
                record["ratios"][f"validate {peer}/{engine}"] = round(
                    done[peer]["phases_s"]["validate"] / max(done[engine]["phases_s"]["validate"], 0.01), 1)
                record["ratios"][f"validate CPU-s {peer}/{engine}"] = round(
                    done[peer]["phases_cpu_s"]["validate"] / max(done[engine]["phases_cpu_s"]["validate"], 0.01), 1)
                record["ratios"][f"same verdict {peer}={engine}"] = done[peer]["verdict"] == done[engine]["verdict"]
        engines = args.engines.split(",")
        if "pyshacl" in engines and len(engines) > 1 and not args.queries_only:
            record["verdict_check"] = verdict_check(Path(tmp), engines)
            print(f"verdict check: {record['verdict_check']['violations']}, same: {record['verdict_check']['same_verdict']}")
        if not args.no_queries and any(build["verdict"]["conforms"] for build in done.values()):
            record.update(coverage_and_queries(world, cache))
            if not args.no_http:
                record["http"] = http(world, cache, args.duration)
    record["load_at_end"] = load()
    name = f"scale-{args.size}" + (f"-{args.tag}" if args.tag else "")
    publish(name, record, quiet=True)
    (Path(__file__).parent / "results" / f"{name}.txt").write_text(text_of(record), encoding="utf-8")
    print(text_of(record))


if __name__ == "__main__":
    main()
