"""What a query worker does with one query: run it on the store and serialise the answer once.

pyoxigraph cannot cancel a running query in-process, so queries run in worker processes that can be
killed (commit_kg/query_pool.py); this module is the part they share with tests and the HTTP side:
the negotiable formats, the protocol dataset, and `answer`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import BinaryIO

import pyoxigraph as ox

from .errors import ParameterError, excerpt
from .store import EmbeddedStore, QueryAnswer
from .well_formed import XML_MEDIA, WellFormedXml

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
    # The query's own FROM / FROM NAMED: with no protocol dataset, they define it (SPARQL 1.1 13.2).
    from_query: bool = False

    @classmethod
    def checked(cls, default_graphs: list[str], named_graphs: list[str], from_query: bool = False) -> Dataset:
        """The dataset of a request, each graph an absolute IRI, or 400 naming the parameter."""
        for name, values in (("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
            for value in values:
                try:
                    ox.NamedNode(value)
                except ValueError as error:
                    raise ParameterError(f"the '{name}' parameter must be an absolute IRI, got {excerpt(value)} "
                                         f"({str(error)[:80]})") from None
        return cls(tuple(default_graphs), tuple(named_graphs), from_query)

    def arguments(self) -> dict:
        if not self.default_graphs and not self.named_graphs:
            # pyoxigraph lets use_default_graph_as_union override the query's FROM: not asked for then.
            return {} if self.from_query else {"use_default_graph_as_union": True}
        # A protocol dataset is complete: what it does not name is empty (SPARQL 1.1 Protocol 2.1.4).
        return {"default_graph": [ox.NamedNode(g) for g in self.default_graphs],
                "named_graphs": [ox.NamedNode(g) for g in self.named_graphs]}


def answer(store: ox.Store, query: str, dataset: Dataset, media: str, base_iri: str | None = None,
           out: BinaryIO | None = None) -> bytes | None:
    """Run and serialise: into `out` when given (a worker's capped buffer), else as bytes.
    Relative IRIs in the query resolve against `base_iri` (the endpoint's URL). An XML answer is read
    back as it is written and refused (NotRepresentableError) where it stops being well-formed."""
    result = EmbeddedStore(store).query(query, base_iri=base_iri, dataset=dataset.arguments())
    return written(result, media, out)


def written(result: QueryAnswer, media: str, out: BinaryIO | None = None) -> bytes | None:
    """An answer serialised in `media`, into `out` when given, else as bytes; the same bytes whichever
    store answered (a remote store's triples come as a list)."""
    graph = isinstance(result, ox.QueryTriples | list)
    form = GRAPH_FORMATS[media] if graph else RESULT_FORMATS[media]
    if media == "text/csv" and isinstance(result, ox.QuerySolutions):
        return csv_results(result, out)
    target = WellFormedXml(media, out) if media in XML_MEDIA else out
    if isinstance(result, list):
        done = ox.serialize(result, target, format=form)
    else:
        done = result.serialize(target, format=form)
    return target.finish() if isinstance(target, WellFormedXml) else done


def csv_value(term: ox.Term | None) -> str:
    """A term as SPARQL 1.1 CSV writes it: IRIs and literals by their value, blank nodes as _:label."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else str(term)


def csv_results(solutions: ox.QuerySolutions, out: BinaryIO | None) -> bytes | None:
    """SELECT answers as SPARQL 1.1 CSV, quoted by the csv module (RFC 4180): pyoxigraph 0.5 leaves an
    IRI with a comma in it unquoted, which splits its row (tests/test_fuzz_sparql.py found it)."""
    names = [v.value for v in solutions.variables]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    parts: list[bytes] = []

    def flush() -> None:
        data = buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        if out is not None:
            out.write(data)  # the worker's capped buffer: stops an answer past the cap as it grows
        else:
            parts.append(data)

    writer.writerow(names)
    for solution in solutions:
        writer.writerow([csv_value(solution[name]) for name in names])
        if buffer.tell() > 1 << 16:
            flush()
    flush()
    return None if out is not None else b"".join(parts)
