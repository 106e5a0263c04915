"""Small helpers the tests share."""

from __future__ import annotations

import pyoxigraph as ox

from commit_kg.catalogue import Catalogue
from commit_kg.store import EmbeddedStore


def values(solutions: ox.QuerySolutions) -> list[dict[str, str]]:
    """A SELECT answer as plain dicts of variable name to term value (unbound names left out)."""
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def rows(store: EmbeddedStore, sparql: str) -> list[dict[str, str]]:
    return values(store.query(sparql))


def named(store: EmbeddedStore, catalogue: Catalogue, name: str, **params: str) -> list[dict[str, str]]:
    """A named query's answer, its parameters bound the way the CLI and the service bind them."""
    query = catalogue.get(name)
    return values(store.query(query.text, substitutions=query.bind(params, store)))
