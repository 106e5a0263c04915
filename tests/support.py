"""Small helpers the tests share."""

from __future__ import annotations

import pyoxigraph as ox

from commit_kg.store import EmbeddedStore


def rows(store: EmbeddedStore, sparql: str) -> list[dict[str, str]]:
    """A SELECT answer as plain dicts of variable name to term value (unbound names left out)."""
    solutions = store.query(sparql)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]
