#!/usr/bin/env python3
"""SPARQL 1.1 Protocol conformance runner for an HTTP SPARQL endpoint.

The tests are the 34 cases of the W3C SPARQL 1.1 Protocol test suite, re-expressed
as our own table in protocol_cases.py: every request of a case (method, query
string, content type, body in its character encoding) is sent to ENDPOINT_URL
(or to --update-url for update requests), and the response is checked against

  * the expected status class (2xx or 3xx for success, 4xx for refusal),
  * the expected format ("boolean" -> SPARQL XML/JSON results,
                         "tabular" -> SPARQL XML/JSON/CSV/TSV results,
                         "RDF"     -> RDF/XML, Turtle, N-Triples or RDFa),
  * the expected ASK answer.

Requests carry no Accept header, as in the suite (use --accept to add one);
redirects are followed.

Dataset fixture: the cases with graphs need the named graphs
<http://kasei.us/2009/09/sparql/data/dataN.rdf> of protocol_fixture.nq (beside
this file, or --fixture).  Unless --read-only or --no-load is given, the runner
inserts them with SPARQL Update (INSERT DATA) before each such case.  For a
read-only endpoint, load that file into the store yourself before running.

WARNING: the update cases are destructive (CLEAR ALL / DROP ALL).  Run them
only against a scratch store.

--read-only: the 7 cases that need a *successful* SPARQL Update
(update_dataset_*, update_post_*, update_base_uri) are reported as
SKIP "update not offered".  The bad_update_* cases still run: they only
require that malformed/forbidden update requests are refused with 4xx.

Optional extra groups (--include, "all" = all three):
  sd      3 checks after the W3C service-description tests:
          GET on the endpoint without parameters returns RDF, contains an
          sd:endpoint triple naming ENDPOINT_URL, and uses the SD vocabulary
          consistently (approximate schema check, see check_sd_schema).
  conneg  extra content-negotiation checks (not in the W3C suite): Accept
          for XML/JSON/CSV/TSV results and Turtle/N-Triples/RDF-XML/JSON-LD graphs.
  dataset extra default-graph-uri / named-graph-uri checks that an endpoint
          ignoring those parameters cannot pass (needs the fixture).

Output: one line per test (PASS/FAIL/SKIP + reason), the skipped tests listed
again, and the final line "N passed, M failed".  Exit status 1 if M > 0.

Example:
  python protocol_runner.py http://127.0.0.1:7878/query --update-url http://127.0.0.1:7878/update
  python protocol_runner.py http://127.0.0.1:8000/sparql --read-only --include sd,conneg
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx
import rdflib
from rdflib import RDF, Namespace, URIRef

from protocol_cases import CASES, Case, Step

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SRX = "{http://www.w3.org/2005/sparql-results#}"

HERE = Path(__file__).resolve().parent
DEFAULT_FIXTURE = HERE / "protocol_fixture.nq"

# media types per expected format
RESULT_XML = {"application/sparql-results+xml"}
RESULT_JSON = {"application/sparql-results+json"}
RESULT_CSV = {"text/csv"}
RESULT_TSV = {"text/tab-separated-values"}
GENERIC_XML = {"application/xml", "text/xml"}
GENERIC_JSON = {"application/json"}
RDF_TYPES = {  # RDF/XML, Turtle, N-Triples, RDFa (as listed in the test names)
    "application/rdf+xml": "xml",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "text/html": "rdfa",
    "application/xhtml+xml": "rdfa",
}
OTHER_RDF_TYPES = {"application/ld+json": "json-ld", "text/n3": "n3", "application/n-quads": "nquads",
                   "application/trig": "trig"}


# -------------------------------------------------------------- fixture ----
def load_fixture(path):
    """{graph name: N-Triples text} from an N-Quads file."""
    graphs = {}
    dataset = rdflib.Dataset()
    dataset.parse(str(path), format="nquads")
    for s, p, o, g in dataset.quads():
        graphs.setdefault(str(g), []).append(f"{s.n3()} {p.n3()} {o.n3()} .")
    return {name: "\n".join(sorted(lines)) for name, lines in graphs.items()}


# -------------------------------------------------------------- helpers ----
def media_type(resp):
    return (resp.headers.get("content-type") or "").split(";")[0].strip().lower()


def parse_boolean(resp):
    """(format name, boolean value or None) from a SPARQL XML/JSON response."""
    mt = media_type(resp)
    text = resp.text
    if mt in RESULT_XML | GENERIC_XML or (not mt and text.lstrip().startswith("<")):
        root = ET.fromstring(resp.content)
        b = root.find(f"{SRX}boolean")
        if b is None:
            raise ValueError("SPARQL XML results without <boolean>")
        return "xml", b.text.strip() == "true"
    if mt in RESULT_JSON | GENERIC_JSON:
        data = json.loads(text)
        if "boolean" not in data:
            raise ValueError("SPARQL JSON results without 'boolean'")
        return "json", bool(data["boolean"])
    raise ValueError(f"media type {mt or '(none)'} is not SPARQL XML/JSON results")


def parse_tabular(resp):
    mt = media_type(resp)
    if mt in RESULT_XML | GENERIC_XML:
        root = ET.fromstring(resp.content)
        if root.find(f"{SRX}results") is None:
            raise ValueError("SPARQL XML without <results>")
        return "xml", [v.get("name") for v in root.iter(f"{SRX}variable")], len(list(root.iter(f"{SRX}result")))
    if mt in RESULT_JSON | GENERIC_JSON:
        data = json.loads(resp.text)
        return "json", data["head"]["vars"], len(data["results"]["bindings"])
    if mt in RESULT_CSV:
        rows = list(csv.reader(io.StringIO(resp.text)))
        return "csv", rows[0], len(rows) - 1
    if mt in RESULT_TSV:
        lines = [ln for ln in resp.text.split("\n") if ln != ""]
        return "tsv", [v.lstrip("?") for v in lines[0].split("\t")], len(lines) - 1
    raise ValueError(f"media type {mt or '(none)'} is not XML/JSON/CSV/TSV results")


def parse_rdf(resp, allowed=RDF_TYPES):
    mt = media_type(resp)
    if mt not in allowed:
        raise ValueError(f"media type {mt or '(none)'} is not one of {sorted(set(allowed))}")
    fmt = allowed[mt]
    g = rdflib.Graph()
    g.parse(data=resp.content, format=fmt, publicID=str(resp.url))
    return fmt, g


def describe(resp):
    mt = media_type(resp) or "no content-type"
    return f"{resp.status_code} {mt}"


def status_ok(code, statuses):
    return f"{code // 100}xx" in statuses


# --------------------------------------------------------------- runner ----
class Runner:
    def __init__(self, args):
        self.args = args
        self.query_url = args.endpoint
        self.update_url = args.update_url or args.endpoint
        self.client = self._new_client()

    def _new_client(self):
        c = httpx.Client(timeout=self.args.timeout, follow_redirects=True)
        del c.headers["accept"]  # the suite's requests carry no Accept header
        if self.args.accept:
            c.headers["accept"] = self.args.accept
        return c

    def fresh_client(self):
        """A new connection pool per test, so that a server closing a
        connection after an error cannot make the next test fail."""
        self.client.close()
        self.client = self._new_client()

    def url_for(self, step: Step) -> str:
        base = self.update_url if step.update else self.query_url
        if not step.params:
            return base
        query = urlencode(step.params, quote_via=quote, safe="")
        return base + ("&" if "?" in base else "?") + query

    def send(self, step: Step) -> httpx.Response:
        body = None
        if step.body is not None:
            body = step.body.encode(step.charset.lower())
        headers = {"content-type": step.content_type} if step.content_type else {}
        request = self.client.build_request(step.method, self.url_for(step), content=body, headers=headers)
        try:
            return self.client.send(request)
        except (httpx.ReadError, httpx.RemoteProtocolError):
            # stale keep-alive connection closed by the server: retry once on a new connection
            self.fresh_client()
            request = self.client.build_request(step.method, self.url_for(step), content=body, headers=headers)
            return self.client.send(request)

    def check_response(self, req: Step, resp: httpx.Response):
        """(ok, detail)"""
        code = resp.history[0].status_code if resp.history else resp.status_code
        if not status_ok(code, req.status) and not status_ok(resp.status_code, req.status):
            snippet = resp.text[:120].replace("\n", " ") if resp.content else ""
            return False, f"expected status {'/'.join(req.status)}, got {describe(resp)} {snippet!r}"
        notes = []
        if req.format == "boolean" or req.boolean is not None:
            try:
                fmt, val = parse_boolean(resp)
            except Exception as e:
                return False, f"{describe(resp)}: cannot read boolean result: {e}"
            if media_type(resp) in GENERIC_XML | GENERIC_JSON:
                notes.append(f"non-SPARQL media type {media_type(resp)}")
            if req.boolean is not None and val != req.boolean:
                return False, f"{describe(resp)}: expected ASK answer {str(req.boolean).lower()}, got {str(val).lower()}"
        elif req.format == "tabular":
            try:
                fmt, variables, n = parse_tabular(resp)
            except Exception as e:
                return False, f"{describe(resp)}: not a tabular result: {e}"
            if media_type(resp) in GENERIC_XML | GENERIC_JSON:
                notes.append(f"non-SPARQL media type {media_type(resp)}")
        elif req.format == "RDF":
            allowed = {**RDF_TYPES, **OTHER_RDF_TYPES} if self.args.lenient_rdf_types else RDF_TYPES
            try:
                fmt, g = parse_rdf(resp, allowed)
            except Exception as e:
                return False, f"{describe(resp)}: not RDF/XML, Turtle, N-Triples or RDFa: {e}"
            if media_type(resp) in OTHER_RDF_TYPES:
                notes.append(f"{media_type(resp)} accepted by --lenient-rdf-types")
        return True, describe(resp) + (f" ({'; '.join(notes)})" if notes else "")

    # fixture -------------------------------------------------------------
    def load_graph_data(self, names, fixture):
        parts = []
        for name in names:
            parts.append(f"GRAPH <{name}> {{\n{fixture[name]}\n}}")
        update = "INSERT DATA {\n" + "\n".join(parts) + "\n}"
        r = self.client.post(self.update_url, content=update.encode("utf-8"),
                             headers={"content-type": "application/sparql-update"})
        if r.status_code // 100 != 2:
            raise RuntimeError(f"fixture load failed: {describe(r)} {r.text[:100]!r}")

    def fixture_present(self, fixture):
        checks = " ".join(f"GRAPH <{n}> {{ <{n}> a <http://xmlns.com/foaf/0.1/Document> }}" for n in sorted(fixture))
        try:
            r = self.client.post(self.query_url, content=f"ASK {{ {checks} }}".encode(),
                                 headers={"content-type": "application/sparql-query",
                                          "accept": "application/sparql-results+json, application/sparql-results+xml;q=0.9"})
            return parse_boolean(r)[1]
        except Exception:
            return None

    def run_protocol_test(self, t: Case, fixture):
        self.fresh_client()
        if self.args.read_only and t.needs_successful_update():
            return "SKIP", "update not offered"
        if t.graphs and not self.args.read_only and not self.args.no_load:
            try:
                self.load_graph_data(t.graphs, fixture)
            except Exception as e:
                return "FAIL", f"could not load the fixture graphs via SPARQL Update: {e}"
        details = []
        for i, req in enumerate(t.steps):
            try:
                resp = self.send(req)
            except Exception as e:
                return "FAIL", f"request {i + 1}: {type(e).__name__}: {e}"
            ok, detail = self.check_response(req, resp)
            details.append(detail)
            if not ok:
                return "FAIL", (f"request {i + 1}/{len(t.steps)}: " if len(t.steps) > 1 else "") + detail
        return "PASS", " ; ".join(details)

    # service description ---------------------------------------------------
    def sd_fetch(self):
        accept = ("text/turtle, application/rdf+xml;q=0.9, application/n-triples;q=0.8, "
                  "application/ld+json;q=0.5, text/html;q=0.1")
        r = self.client.get(self.query_url, headers={"accept": accept})
        return r

    def run_sd_tests(self):
        self.fresh_client()
        out = []
        try:
            r = self.sd_fetch()
        except Exception as e:
            for tid in ("returns-rdf", "has-endpoint-triple", "conforms-to-schema"):
                out.append((f"sd:{tid}", "FAIL", f"GET failed: {e}"))
            return out
        g = None
        if r.status_code // 100 != 2:
            out.append(("sd:returns-rdf", "FAIL", f"GET {self.query_url} without parameters: {describe(r)}"))
        else:
            try:
                allowed = {**RDF_TYPES, **OTHER_RDF_TYPES}
                note = ""
                if media_type(r) in GENERIC_XML:  # RDF/XML mislabelled as generic XML
                    allowed[media_type(r)] = "xml"
                    note = f" (RDF/XML served with generic media type {media_type(r)})"
                fmt, g = parse_rdf(r, allowed)
                out.append(("sd:returns-rdf", "PASS", f"{describe(r)}, {len(g)} triples{note}"))
            except Exception as e:
                out.append(("sd:returns-rdf", "FAIL", f"{describe(r)}: {e}"))
        if g is None:
            out.append(("sd:has-endpoint-triple", "FAIL", "no RDF service description"))
            out.append(("sd:conforms-to-schema", "FAIL", "no RDF service description"))
            return out
        eps = [str(o) for o in g.objects(None, SD.endpoint)]
        if URIRef(self.query_url) in set(g.objects(None, SD.endpoint)):
            out.append(("sd:has-endpoint-triple", "PASS", f"sd:endpoint <{self.query_url}>"))
        else:
            out.append(("sd:has-endpoint-triple", "FAIL", f"no sd:endpoint <{self.query_url}>; found {eps[:3]}"))
        problems = check_sd_schema(g)
        out.append(("sd:conforms-to-schema", "FAIL" if problems else "PASS", "; ".join(problems[:4]) or "ok"))
        return out

    # extra content negotiation checks (not part of the W3C suite) --------
    def run_conneg_tests(self):
        sel = "SELECT (1 AS ?value) {}"
        con = "CONSTRUCT { <http://example.org/s> <http://example.org/p> 1 } WHERE {}"
        ask = "ASK {}"
        cases = [
            ("x-conneg-select-json", sel, "application/sparql-results+json", "tabular", RESULT_JSON),
            ("x-conneg-select-xml", sel, "application/sparql-results+xml", "tabular", RESULT_XML),
            ("x-conneg-select-csv", sel, "text/csv", "tabular", RESULT_CSV),
            ("x-conneg-select-tsv", sel, "text/tab-separated-values", "tabular", RESULT_TSV),
            ("x-conneg-ask-json", ask, "application/sparql-results+json", "boolean", RESULT_JSON),
            ("x-conneg-ask-xml", ask, "application/sparql-results+xml", "boolean", RESULT_XML),
            ("x-conneg-construct-turtle", con, "text/turtle", "RDF", {"text/turtle"}),
            ("x-conneg-construct-ntriples", con, "application/n-triples", "RDF", {"application/n-triples"}),
            ("x-conneg-construct-rdfxml", con, "application/rdf+xml", "RDF", {"application/rdf+xml"}),
            ("x-conneg-construct-jsonld", con, "application/ld+json", "RDF", {"application/ld+json"}),
        ]
        out = []
        for tid, q, accept, kind, want in cases:
            try:
                r = self.client.get(self.query_url, params={"query": q}, headers={"accept": accept})
            except Exception as e:
                out.append((tid, "FAIL", f"{type(e).__name__}: {e}"))
                continue
            if r.status_code // 100 != 2:
                out.append((tid, "FAIL", f"Accept: {accept} -> {describe(r)}"))
                continue
            if media_type(r) not in want:
                out.append((tid, "FAIL", f"Accept: {accept} -> {describe(r)}"))
                continue
            try:
                if kind == "tabular":
                    fmt, variables, n = parse_tabular(r)
                    ok = variables == ["value"] and n == 1
                    detail = f"vars={variables} rows={n}"
                elif kind == "boolean":
                    fmt, val = parse_boolean(r)
                    ok, detail = val is True, f"boolean={val}"
                else:
                    fmt, g = parse_rdf(r, {**RDF_TYPES, **OTHER_RDF_TYPES})
                    ok, detail = len(g) == 1, f"{len(g)} triple(s)"
            except Exception as e:
                ok, detail = False, f"unparseable body: {e}"
            out.append((tid, "PASS" if ok else "FAIL", f"Accept: {accept} -> {describe(r)}, {detail}"))
        return out


    # extra protocol-dataset checks (not part of the W3C suite) -----------
    def run_dataset_tests(self, fixture):
        """Discriminating checks for default-graph-uri / named-graph-uri: the
        W3C query_dataset_* tests also pass on an endpoint that ignores these
        parameters but queries a union default graph.  Needs the fixture."""
        self.fresh_client()
        out = []
        if not self.args.read_only and not self.args.no_load:
            try:
                self.load_graph_data(sorted(fixture), fixture)
            except Exception as e:
                return [("x-dataset-*", "FAIL", f"could not load fixture: {e}")]
        d = "http://kasei.us/2009/09/sparql/data/data%d.rdf"
        doc = "<http://xmlns.com/foaf/0.1/Document>"
        cases = [
            ("x-dataset-default-graph-uri-restricts", f"ASK {{ <{d % 2}> a {doc} }}", [("default-graph-uri", d % 1)], False,
             "default graph = data1 only, so data2's triple must not match"),
            ("x-dataset-default-graph-uri-selects", f"ASK {{ <{d % 1}> a {doc} }}", [("default-graph-uri", d % 1)], True,
             "default graph = data1"),
            ("x-dataset-default-only-no-named", "ASK { GRAPH ?g { ?s ?p ?o } }", [("default-graph-uri", d % 1)], False,
             "only default-graph-uri given: the named-graph set is empty"),
            ("x-dataset-named-graph-uri-restricts", f"ASK {{ GRAPH ?g {{ <{d % 3}> a {doc} }} }}",
             [("named-graph-uri", d % 1), ("named-graph-uri", d % 2)], False, "named graphs = data1, data2 only"),
            ("x-dataset-named-only-empty-default", "ASK { ?s ?p ?o }", [("named-graph-uri", d % 1)], False,
             "only named-graph-uri given: the default graph is empty"),
            ("x-dataset-protocol-overrides-from", f"ASK FROM <{d % 1}> {{ <{d % 1}> a {doc} }}",
             [("default-graph-uri", d % 3)], False, "protocol dataset (data3) overrides FROM <data1>"),
        ]
        for tid, q, params, expected, why in cases:
            try:
                r = self.client.get(self.query_url, params=[("query", q)] + params,
                                    headers={"accept": "application/sparql-results+json, application/sparql-results+xml;q=0.9"})
                if r.status_code // 100 != 2:
                    out.append((tid, "FAIL", f"{describe(r)} ({why})"))
                    continue
                _, val = parse_boolean(r)
            except Exception as e:
                out.append((tid, "FAIL", f"{type(e).__name__}: {e}"))
                continue
            ok = val == expected
            out.append((tid, "PASS" if ok else "FAIL",
                        f"{describe(r)}: ASK={str(val).lower()}, expected {str(expected).lower()} ({why})"))
        return out


SD_CLASSES = {"Service", "Feature", "Language", "Function", "Aggregate", "EntailmentRegime", "EntailmentProfile",
              "GraphCollection", "Dataset", "Graph", "NamedGraph"}
SD_PROPS = {"endpoint", "feature", "defaultEntailmentRegime", "entailmentRegime", "defaultSupportedEntailmentProfile",
            "supportedEntailmentProfile", "extensionFunction", "extensionAggregate", "languageExtension",
            "supportedLanguage", "propertyFeature", "defaultDataset", "availableGraphs", "resultFormat",
            "inputFormat", "defaultGraph", "namedGraph", "name", "graph"}
SD_INSTANCES = {"SPARQL10Query", "SPARQL11Query", "SPARQL11Update", "DereferencesURIs", "UnionDefaultGraph",
                "RequiresDataset", "EmptyGraphs", "BasicFederatedQuery"}


def check_sd_schema(g):
    """Approximate check of the SPARQL 1.1 Service Description schema: all
    sd: terms exist in the vocabulary and are used in the right position,
    there is an sd:Service with an IRI sd:endpoint and a known
    sd:supportedLanguage, and range constraints hold for the main properties."""
    problems = []
    ns = str(SD)
    for s, p, o in g:
        if str(p).startswith(ns) and str(p)[len(ns):] not in SD_PROPS:
            problems.append(f"unknown property sd:{str(p)[len(ns):]}")
        if isinstance(o, URIRef) and str(o).startswith(ns):
            local = str(o)[len(ns):]
            if p == RDF.type and local not in SD_CLASSES:
                problems.append(f"unknown class sd:{local}")
            elif p != RDF.type and local not in SD_INSTANCES | SD_CLASSES:
                problems.append(f"unknown sd term sd:{local}")
    services = set(g.subjects(RDF.type, SD.Service)) | set(g.subjects(SD.endpoint, None))
    if not services:
        problems.append("no sd:Service")
    for s in services:
        eps = list(g.objects(s, SD.endpoint))
        if not eps:
            problems.append("sd:Service without sd:endpoint")
        if any(not isinstance(e, URIRef) for e in eps):
            problems.append("sd:endpoint value is not an IRI")
        langs = {str(x)[len(ns):] for x in g.objects(s, SD.supportedLanguage)}
        if not langs:
            problems.append("sd:Service without sd:supportedLanguage")
        elif not langs <= {"SPARQL10Query", "SPARQL11Query", "SPARQL11Update"}:
            problems.append(f"unexpected sd:supportedLanguage {sorted(langs)}")
    for p in (SD.resultFormat, SD.inputFormat, SD.feature, SD.extensionFunction, SD.extensionAggregate):
        for o in g.objects(None, p):
            if isinstance(o, rdflib.Literal):
                problems.append(f"{p.n3(g.namespace_manager)} value is a literal")
    for o in g.objects(None, SD.namedGraph):
        if g.value(o, SD.name) is None:
            problems.append("sd:namedGraph without sd:name")
    return sorted(set(problems))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("endpoint", help="query endpoint URL, e.g. http://127.0.0.1:8000/sparql")
    ap.add_argument("--update-url", help="update endpoint URL (default: same as ENDPOINT_URL)")
    ap.add_argument("--read-only", action="store_true",
                    help="endpoint offers no SPARQL Update: tests needing a successful update are SKIP "
                         "'update not offered', and the fixture is not loaded by the runner")
    ap.add_argument("--no-load", action="store_true", help="do not load the fixture graphs via SPARQL Update")
    ap.add_argument("--fixture", type=Path, default=DEFAULT_FIXTURE,
                    help="N-Quads file with the named graphs the dataset cases need (default: %(default)s)")
    ap.add_argument("--include", default="", help="comma list of extra groups: sd,conneg,dataset (or all)")
    ap.add_argument("--only", default="", help="comma list of test ids to run (default: all)")
    ap.add_argument("--accept", default=None,
                    help="Accept header to add to the suite's requests (default: none, as in the suite)")
    ap.add_argument("--lenient-rdf-types", action="store_true",
                    help="where RDF is expected also accept JSON-LD, N3, N-Quads and TriG (default: only "
                         "RDF/XML, Turtle, N-Triples, RDFa as named by the W3C tests)")
    ap.add_argument("--timeout", type=float, default=10.0, help="per-request timeout (s)")
    ap.add_argument("--budget", type=float, default=300.0, help="overall time budget (s)")
    ap.add_argument("--json", type=Path, help="write results as JSON")
    args = ap.parse_args(argv)

    fixture = load_fixture(args.fixture)
    runner = Runner(args)
    include = {x.strip() for x in args.include.split(",") if x.strip()}
    if "all" in include:
        include = {"sd", "conneg", "dataset"}
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    start = time.monotonic()
    results = []

    def emit(tid, status, reason):
        results.append({"test": tid, "status": status, "reason": reason})
        print(f"{status:4} {tid:36} {reason}".rstrip(), flush=True)

    print(f"# endpoint: {args.endpoint}  update: {runner.update_url}  read-only: {args.read_only}")
    if args.read_only or args.no_load:
        present = runner.fixture_present(fixture)
        if present is not True:
            print("# NOTE: the protocol dataset fixture (named graphs http://kasei.us/2009/09/sparql/data/data{1,2,3}.rdf)"
                  " was not found on the endpoint; the query_dataset_* tests will fail. Load"
                  f" {args.fixture} into the store first")
    for t in CASES:
        if only and t.id not in only:
            continue
        if time.monotonic() - start > args.budget:
            emit(t.id, "SKIP", "time budget exhausted")
            continue
        status, reason = runner.run_protocol_test(t, fixture)
        emit(t.id, status, reason)
    if "sd" in include:
        for tid, status, reason in runner.run_sd_tests():
            if not only or tid in only:
                emit(tid, status, reason)
    if "conneg" in include:
        runner.fresh_client()
        for tid, status, reason in runner.run_conneg_tests():
            if not only or tid in only:
                emit(tid, status, reason)
    if "dataset" in include:
        for tid, status, reason in runner.run_dataset_tests(fixture):
            if not only or tid in only:
                emit(tid, status, reason)

    skips = [r for r in results if r["status"] == "SKIP"]
    passed = sum(r["status"] == "PASS" for r in results)
    failed = sum(r["status"] == "FAIL" for r in results)
    if skips:
        print(f"Skipped ({len(skips)}):")
        for r in skips:
            print(f"  SKIP {r['test']}: {r['reason']}")
    if args.json:
        args.json.write_text(json.dumps({"endpoint": args.endpoint, "update_url": runner.update_url,
                                         "read_only": args.read_only, "results": results}, indent=1))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
