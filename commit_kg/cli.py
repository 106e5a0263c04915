"""The `commit-kg` command. Exit codes are the verdict: 0 ok, 1 the data or ontology fails, 2 bad usage."""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from pydantic import ValidationError

from . import criteria, reports, tabular
from . import gaps as gap_views
from .build import BuiltGraph, assemble, build
from .catalogue import Catalogue
from .coverage import KINDS, LEVELS, CoverageIndex, gaps
from .errors import (
    CommitKgError,
    IntegrityError,
    ParseError,
    ShapesError,
)
from .loading import parse_folder
from .settings import Settings
from .store import EmbeddedStore

DATA_FAILURE, USAGE = 1, 2


def folder_flags() -> argparse.ArgumentParser:
    """The folder flags every command takes, so any command can run on another copy of the files."""
    flags = argparse.ArgumentParser(add_help=False)
    for name in ("ontology", "shapes", "data", "queries"):
        flags.add_argument(f"--{name}-dir", type=Path, default=argparse.SUPPRESS,
                           help=f"folder of {name} files (env COMMIT_KG_{name.upper()}_DIR)")
    return flags


def parser() -> argparse.ArgumentParser:
    common = folder_flags()
    main = argparse.ArgumentParser(prog="commit-kg", description=__doc__, parents=[common])
    commands = main.add_subparsers(dest="command", required=True)
    commands.add_parser("build", parents=[common], help="parse, validate and load; report problems")
    commands.add_parser("queries", parents=[common], help="list the named-query catalogue")
    load = commands.add_parser("load", parents=[common],
                               help="build, validate and write the graph into a SPARQL 1.1 server (one Update request)")
    load.add_argument("--into", required=True, metavar="UPDATE_URL",
                      help="the server's SPARQL Update endpoint, e.g. http://127.0.0.1:7878/update for oxigraph serve")
    query = commands.add_parser("query", parents=[common], help="run a named query")
    query.add_argument("name")
    query.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    coverage = commands.add_parser("coverage", parents=[common], help="MLA / extradition / anti-trafficking coverage of each pair")
    coverage.add_argument("--kind", choices=tuple(KINDS), required=True)
    coverage.add_argument("--as-of", type=iso_date, default=datetime.date.today(), metavar="YYYY-MM-DD")
    coverage.add_argument("--min-level", choices=LEVELS[1:], default="regional")
    coverage.add_argument("--format", choices=("table", "csv", "json"), default="table")
    criteria_cmd = commands.add_parser("criteria", parents=[common], help="country x criterion legal-framework table")
    criteria_cmd.add_argument("--as-of", type=iso_date, default=datetime.date.today(), metavar="YYYY-MM-DD")
    criteria_cmd.add_argument("--format", choices=("table", "csv", "json"), default="table")
    validate_cmd = commands.add_parser("validate", parents=[common], help="the SHACL report: integrity, data, legal and coverage gaps")
    validate_cmd.add_argument("--format", choices=("text", "json", "turtle"), default="text")
    validate_cmd.add_argument("--severity", choices=("violation", "warning", "info"), default="info",
                              help="the lowest severity to show (default: all)")
    gaps_cmd = commands.add_parser("gaps", parents=[common], help="the secretariat's view of gaps on any date")
    gaps_cmd.add_argument("--as-of", type=iso_date, default=datetime.date.today(), metavar="YYYY-MM-DD")
    gaps_cmd.add_argument("--format", choices=("text", "json"), default="text")
    commands.add_parser("check-ontology", parents=[common], help="HermiT consistency of ontology + data")
    serve = commands.add_parser("serve", parents=[common], help="build (or open the cached build) and serve SPARQL over HTTP")
    serve.add_argument("--host", default=argparse.SUPPRESS)
    serve.add_argument("--port", type=int, default=argparse.SUPPRESS)
    serve.add_argument("--store", dest="store_url", default=argparse.SUPPRESS, metavar="QUERY_URL",
                       help="serve from a SPARQL store that `load --into` wrote (env COMMIT_KG_STORE_URL), building nothing")
    serve.add_argument("--workers", dest="http_workers", type=positive, default=argparse.SUPPRESS, metavar="N",
                       help="HTTP worker processes forked after the build (env COMMIT_KG_HTTP_WORKERS; default: one per core)")
    return main


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def iso_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def settings_from(args: argparse.Namespace) -> Settings:
    overrides = {k: v for k, v in vars(args).items() if k.endswith("_dir") or k in ("host", "port", "http_workers", "store_url")}
    return Settings(**overrides)


def run_build(settings: Settings) -> BuiltGraph:
    graph = build(settings)
    counts = graph.validation.counts
    origin = f", from the cache {graph.cached_at}" if graph.cached_at else ""
    print(f"built {graph.triple_count} triples from {len(graph.files)} files (version {graph.version}{origin}); "
          f"{counts['violation']} violations, {counts['warning']} warnings, {counts['info']} infos")
    return graph


def run_queries(settings: Settings) -> None:
    for query in Catalogue(settings.queries_dir).queries.values():
        params = ", ".join(
            f"{p.name}: {p.type}" + (f" of {p.rdf_class}" if p.rdf_class else "")
            + (f" in {{{', '.join(p.allowed)}}}" if p.allowed else "")
            + (f" = {p.default}" if p.default is not None else " (required)")
            for p in query.parameters
        )
        print(f"{query.name}\n  {query.title_en} / {query.title_th}\n  {query.description}")
        print(f"  parameters: {params or 'none'}")


def parse_params(pairs: list[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise argparse.ArgumentTypeError(f"--param {pair!r}: expected KEY=VALUE")
        values[key] = value
    return values


def run_query(settings: Settings, args: argparse.Namespace) -> None:
    query = Catalogue(settings.queries_dir).get(args.name)
    values = parse_params(args.param)
    query.bind(values)  # a malformed parameter is reported before the graph is built; its class after
    columns, rows = query.run(EmbeddedStore(build(settings).store), values)
    out = {"table": lambda: tabular.as_table(rows, columns), "csv": lambda: tabular.as_csv(rows, columns),
           "json": lambda: reports.as_json(rows)}[args.format]()
    print(out)


def run_coverage(settings: Settings, args: argparse.Namespace) -> None:
    answers = CoverageIndex(EmbeddedStore(build(settings).store)).pairs(args.kind, args.as_of)
    if args.format == "table":
        print(reports.coverage_text(answers, gaps(answers, args.min_level), args.min_level))
    else:
        records = [a.record() for a in answers]
        print(reports.as_json(records) if args.format == "json" else reports.as_csv(records), end="\n")


def run_criteria(settings: Settings, args: argparse.Namespace) -> None:
    cells = criteria.table(EmbeddedStore(build(settings).store), args.as_of)
    if args.format == "table":
        print(reports.criteria_text(cells))
    else:
        records = [c.record() for c in cells]
        print(reports.as_json(records) if args.format == "json" else reports.as_csv(records), end="\n")


def run_validate(settings: Settings, args: argparse.Namespace) -> int:
    from . import validation_report

    graph = assemble(settings)
    result, store = graph.validation, EmbeddedStore(graph.store)
    if args.format == "turtle":
        print(result.report.serialize(format="turtle"))
    else:
        items = validation_report.records(result, store, args.severity)
        print(reports.as_json(items) if args.format == "json" else validation_report.text(items, result.counts))
    return 0 if result.conforms else DATA_FAILURE


def run_gaps(settings: Settings, args: argparse.Namespace) -> None:
    store = EmbeddedStore(build(settings).store)
    report = gap_views.gap_report(store, CoverageIndex(store), args.as_of)
    print(reports.as_json(report.record()) if args.format == "json" else gap_views.gap_text(report))


def run_check_ontology(settings: Settings) -> int:
    from .reasoning import check_consistency

    files = parse_folder("ontology", settings.ontology_dir) + parse_folder("data", settings.data_dir)
    verdict = check_consistency([q for f in files for q in f.quads])
    print(f"consistent: {'yes' if verdict.consistent else 'no'}")
    if verdict.detail:
        print(verdict.detail)
    print(f"unsatisfiable classes: {len(verdict.unsatisfiable)}")
    for iri in verdict.unsatisfiable:
        print(f"  {iri}")
    return 0 if verdict.ok else DATA_FAILURE


def run_load(settings: Settings, into: str) -> None:
    """The built, validated graph into another SPARQL server, its version graph last."""
    from .remote_store import push

    graph = run_build(settings)
    user, password = settings.store_user, settings.store_password
    credentials = (user, password.get_secret_value()) if user and password else None
    written = push(graph.store, graph.version, into, credentials=credentials)
    print(f"wrote {written:,} quads (version {graph.version}) into {into}")


WILDCARD_HOSTS = ("0.0.0.0", "::", "")  # listening on every interface: no address to link to


def remote_graph(settings: Settings) -> BuiltGraph:
    """The graph a remote store holds, read once into this replica (its version and SHACL report)."""
    from .remote_store import mirror

    assert settings.store_url
    graph = mirror(settings.store_url, settings)
    print(f"serving the graph {graph.version} of the store at {settings.store_url} ({graph.triple_count:,} triples)")
    return graph


def run_serve(settings: Settings) -> int:
    """Build (or open the cached build), say where to go (the public base URL when one is set), then
    serve with as many HTTP worker processes as asked, each forked after this one build."""
    from .service.app import create_app
    from .service.home import places
    from .service.serve import default_workers, serve

    if settings.http_workers is not None and settings.http_workers < 1:
        raise argparse.ArgumentTypeError(f"COMMIT_KG_HTTP_WORKERS={settings.http_workers}: expected 1 or more")
    try:
        settings.admin_secret()
    except (ValueError, OSError) as error:
        raise argparse.ArgumentTypeError(f"admin token: {error}") from None
    graph = remote_graph(settings) if settings.store_url else run_build(settings)
    origins = settings.public_origins()
    listening, base = origins.listening, origins.default
    if base == listening and settings.host in WILDCARD_HOSTS:
        print(f"warning: links will name {listening}, which no client can reach: set COMMIT_KG_BASE_URL (or "
              "COMMIT_KG_ALLOWED_HOSTS) to the address clients use", file=sys.stderr)
    print(f"commit-kg at {base}/" + ("" if base == listening else f" (listening on {listening})"))
    for url, name, _ in places(base):
        print(f"  {name + ':':22} {url}")
    sys.stdout.flush()
    return serve(create_app(settings, graph), settings.host, settings.port, settings.http_workers or default_workers(),
                 settings.request_head_max_bytes)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = settings_from(args)
        if args.command == "build":
            run_build(settings)
        elif args.command == "queries":
            run_queries(settings)
        elif args.command == "load":
            run_load(settings, args.into)
        elif args.command == "query":
            run_query(settings, args)
        elif args.command == "coverage":
            run_coverage(settings, args)
        elif args.command == "criteria":
            run_criteria(settings, args)
        elif args.command == "validate":
            return run_validate(settings, args)
        elif args.command == "gaps":
            run_gaps(settings, args)
        elif args.command == "check-ontology":
            return run_check_ontology(settings)
        elif args.command == "serve":
            return run_serve(settings)
    except (ParseError, IntegrityError, ShapesError) as error:
        print(f"error: {error.message}", file=sys.stderr)
        return DATA_FAILURE
    except (CommitKgError, argparse.ArgumentTypeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE
    except ValidationError as error:  # a setting (COMMIT_KG_*) that is not valid: named, without pydantic's page
        for problem in error.errors():
            name = f"COMMIT_KG_{'_'.join(str(part) for part in problem['loc'][:1]).upper()}"
            print(f"error: {name}: {problem['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return USAGE
    return 0


if __name__ == "__main__":
    sys.exit(main())
