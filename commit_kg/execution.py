"""Running a SPARQL query where a time limit can really stop it.

pyoxigraph cannot cancel a running query in-process, so each query runs in a forked child that
shares the built store copy-on-write, serialises its answer and writes it to a pipe; the parent
waits up to the limit and kills the child when it is over. A timeout is an error, never a cut-off
answer. The child does nothing but query, serialise and exit.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from dataclasses import dataclass

import pyoxigraph as ox

from .errors import CommitKgError, QueryTimeoutError
from .store import EmbeddedStore

RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}


@dataclass(frozen=True)
class Dataset:
    """The protocol's dataset: `default-graph-uri` and `named-graph-uri`; empty lists mean not given."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    def arguments(self) -> dict:
        if not self.default_graphs and not self.named_graphs:
            return {"use_default_graph_as_union": True}
        # A protocol dataset is complete: what it does not name is empty (SPARQL 1.1 Protocol 2.1.4).
        return {"default_graph": [ox.NamedNode(g) for g in self.default_graphs],
                "named_graphs": [ox.NamedNode(g) for g in self.named_graphs]}


def answer(store: ox.Store, query: str, dataset: Dataset, media: str, base_iri: str | None = None) -> bytes:
    """Run and serialise in this process (the child's work; also what tests of the pieces call).
    Relative IRIs in the query resolve against `base_iri` (the endpoint's URL)."""
    result = EmbeddedStore(store).query(query, base_iri=base_iri, dataset=dataset.arguments())
    if isinstance(result, ox.QueryTriples):
        return result.serialize(format=GRAPH_FORMATS[media])
    return result.serialize(format=RESULT_FORMATS[media])


def run(store: ox.Store, query: str, dataset: Dataset, media: str, timeout: float,
        base_iri: str | None = None) -> bytes:
    """`answer` in a forked child, stopped after `timeout` seconds (QueryTimeoutError)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer, report, leave without running any parent cleanup
        os.close(read_end)
        try:
            payload = pickle.dumps(("ok", answer(store, query, dataset, media, base_iri)))
        except CommitKgError as error:
            payload = pickle.dumps(("error", error))
        except BaseException as error:  # noqa: BLE001 - reported to the parent as an internal error
            payload = pickle.dumps(("error", CommitKgError(f"query failed: {type(error).__name__}")))
        with os.fdopen(write_end, "wb") as out:
            out.write(payload)
        os._exit(0)
    os.close(write_end)
    chunks, deadline = [], time.monotonic() + timeout
    try:
        with os.fdopen(read_end, "rb") as source:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not select.select([source], [], [], remaining)[0]:
                    os.kill(pid, signal.SIGKILL)
                    raise QueryTimeoutError(f"the query ran longer than {timeout:g} s and was stopped")
                chunk = os.read(source.fileno(), 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.waitpid(pid, 0)
    status, value = pickle.loads(b"".join(chunks))
    if status == "error":
        raise value
    return value
