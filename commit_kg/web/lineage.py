"""The lineage of the PPCs across plans (12 of SPA 2005 → 10 of its 2006 revision → 8 of SPA II) as a
diagram laid out here and drawn as SVG by the template: one column per plan, one box per PPC, one line
per derivation step, its kind told by a letter (and colour), stated steps solid and inferred ones dashed."""

from __future__ import annotations

from dataclasses import dataclass

from ..namespaces import CK, ID
from ..store import EmbeddedStore

PLANS = ("spa2005", "spa2005r", "spa2")  # in time order; later plans have no PPCs in the data yet
KINDS = {"Merger": "M", "Split": "S", "Renaming": "R", "Renumbering": "N", "ScopeExpansion": "E",
         "Continuation": "C"}
PPCS = f"""SELECT ?ppc ?plan ?n WHERE {{ ?ppc a <{CK}ProjectProposalConcept> ;
  <http://purl.org/dc/terms/isPartOf> ?plan ; <http://www.w3.org/2004/02/skos/core#notation> ?n }}"""
STEPS = f"""SELECT ?step ?older ?newer ?status ?type WHERE {{
  ?newer <http://www.w3.org/ns/prov#qualifiedDerivation> ?step .
  ?step <http://www.w3.org/ns/prov#entity> ?older ; <{CK}evidenceStatus> ?status ; a ?type }}"""
COLUMN, WIDTH, HEIGHT, ROW, TOP, LEFT = 380, 280, 40, 52, 40, 10


@dataclass(frozen=True)
class Box:
    iri: str
    plan: str
    notation: str
    x: int
    y: int


@dataclass(frozen=True)
class Step:
    older: Box
    newer: Box
    kinds: tuple[str, ...]  # local names of the derivation's kinds (Merger, Split …), may be empty
    stated: bool

    @property
    def letters(self) -> str:
        return "+".join(KINDS[k] for k in self.kinds) or "·"


def _order(notation: str) -> tuple[int, str]:
    digits = "".join(ch for ch in notation if ch.isdigit())
    return (int(digits) if digits else 0, notation)


def layout(store: EmbeddedStore) -> tuple[list[Box], list[Step], int, int]:
    """Boxes and steps with their positions, and the drawing's width and height."""
    by_plan: dict[str, list[tuple[str, str]]] = {plan: [] for plan in PLANS}
    for row in store.select(PPCS):
        plan = row["plan"].value.removeprefix(f"{ID}plan/")
        if plan in by_plan:
            by_plan[plan].append((row["n"].value, row["ppc"].value))
    boxes: dict[str, Box] = {}
    for column, plan in enumerate(PLANS):
        for rank, (notation, iri) in enumerate(sorted(by_plan[plan], key=lambda p: _order(p[0]))):
            boxes[iri] = Box(iri, plan, notation, LEFT + column * COLUMN, TOP + rank * ROW)
    kinds: dict[tuple[str, str], set[str]] = {}
    stated: dict[tuple[str, str], bool] = {}
    for row in store.select(STEPS):
        older, newer = row["older"].value, row["newer"].value
        if older in boxes and newer in boxes:
            key = (older, newer)
            local = row["type"].value.removeprefix(CK)
            kinds.setdefault(key, set()).update({local} & KINDS.keys())
            stated[key] = row["status"].value == f"{CK}Stated"
    steps = [Step(boxes[o], boxes[n], tuple(sorted(kinds[(o, n)])), stated[(o, n)]) for o, n in sorted(kinds)]
    height = TOP + max((len(v) for v in by_plan.values()), default=0) * ROW
    return list(boxes.values()), steps, LEFT + (len(PLANS) - 1) * COLUMN + WIDTH + LEFT, height
