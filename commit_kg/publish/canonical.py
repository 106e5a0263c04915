"""Blank nodes labelled from the graph's structure (not the random labels a parser gives), so that the
same files give byte-identical dumps in every process."""

from __future__ import annotations

import hashlib
from collections import defaultdict

import pyoxigraph as ox


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stable_blank_nodes(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The quads with each blank node relabelled by a hash of its surroundings, refined until the
    partition of blank nodes stops growing (colour refinement); blank nodes that stay alike are
    numbered, in which case they are interchangeable in every way the refinement can see."""
    touching = [q for q in quads if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)]
    if not touching:
        return quads
    blanks = {t for q in touching for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
    label: dict[ox.BlankNode, str] = dict.fromkeys(blanks, "")
    classes = 1
    for _ in range(len(blanks) + 1):
        items: dict[ox.BlankNode, list[str]] = {b: [label[b]] for b in blanks}
        for q in touching:
            s = label[q.subject] if q.subject in label else str(q.subject)
            o = label[q.object] if q.object in label else str(q.object)
            if q.subject in label:
                items[q.subject].append(f"> {q.predicate} {o} {q.graph_name}")
            if q.object in label:
                items[q.object].append(f"< {q.predicate} {s} {q.graph_name}")
        label = {b: sha256("\n".join(sorted(v)).encode())[:24] for b, v in items.items()}
        now = len(set(label.values()))
        if now == classes:
            break
        classes = now
    groups: dict[str, list[ox.BlankNode]] = defaultdict(list)
    for b, value in label.items():
        groups[value].append(b)
    renamed: dict[ox.BlankNode, ox.BlankNode] = {}
    for value, members in groups.items():
        for i, b in enumerate(sorted(members, key=str)):
            renamed[b] = ox.BlankNode(f"b{value}" + (f"x{i}" if len(members) > 1 else ""))

    def term(t):
        return renamed.get(t, t)

    return [ox.Quad(term(q.subject), q.predicate, term(q.object), q.graph_name) for q in quads]


def quad_key(q: ox.Quad) -> tuple[str, str, str, str]:
    return (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))
