"""Dependencies the routers share, declared once as Annotated aliases (tests may override them). They
read the one app state the lifespan made (state.py). They are async because they only read it: FastAPI
runs a plain function dependency in its thread pool, a thread hop per dependency per request (seen in
the /sparql profile, bench/README.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant

from ..build import BuiltGraph
from ..catalogue import Catalogue
from ..coverage import CoverageIndex
from ..errors import ParameterError, excerpt
from ..publish.dumps import DatasetFiles
from ..settings import Settings
from ..store import EmbeddedStore
from .state import AppState

PINNED = "commit_kg.state"  # the request scope's key for the state it read


async def get_state(request: Request) -> AsyncIterator[AppState]:
    """The app state, read once per request (every other dependency derives from this one) and held
    until the request has answered: a reload swaps in a whole new state for later requests, while this
    one finishes on the graph, store and query workers it started with, never on half of each."""
    state: AppState = request.app.state.commit_kg
    request.scope[PINNED] = state
    with state.held():
        yield state


def pinned(request: Request) -> AppState:
    """The state this request read (for code that has the request, not the dependency)."""
    return request.scope.get(PINNED) or request.app.state.commit_kg


async def get_store(state: StateDep) -> EmbeddedStore:
    return state.store


async def get_graph(state: StateDep) -> BuiltGraph:
    return state.graph


async def get_settings(state: StateDep) -> Settings:
    return state.settings


async def get_catalogue(state: StateDep) -> Catalogue:
    """The named-query catalogue loaded with this state's graph."""
    return state.catalogue


async def get_coverage_index(state: StateDep) -> CoverageIndex:
    """The coverage index of the graph being served, read once per graph version."""
    return state.coverage_index()


def get_dataset_files(state: StateDep) -> DatasetFiles:
    """The dumps and statistics of the build being served, made on first use (a plain function, so
    that the first, slow generation runs in the thread pool, not on the event loop)."""
    return state.dataset.get(state.graph)


async def public_base(request: Request) -> str:
    """The service's public URL without a trailing slash, from the configuration alone (never from the
    Host header): fixed for the request by the PublicBase middleware (hosts.py)."""
    return request.state.public_base


def query_parameters(dependant: Dependant) -> set[str]:
    """The names of the query parameters a route (and the dependencies it uses) declares."""
    return {p.alias for p in dependant.query_params}.union(*(query_parameters(d) for d in dependant.dependencies))


def declared_parameters_only(request: Request) -> None:
    """Refuse a query parameter the route does not declare, or one given twice, as /sparql and the
    named queries do: a misspelt `as_off` must not quietly answer for today."""
    declared = sorted(query_parameters(request.scope["route"].dependant))
    seen: set[str] = set()
    for key, _ in request.query_params.multi_items():
        if key not in declared:
            raise ParameterError(f"unknown parameter {excerpt(key)}; this route takes: {', '.join(declared) or 'none'}")
        if key in seen:
            raise ParameterError(f"parameter {excerpt(key)} is given more than once")
        seen.add(key)


StateDep = Annotated[AppState, Depends(get_state)]
StoreDep = Annotated[EmbeddedStore, Depends(get_store)]
GraphDep = Annotated[BuiltGraph, Depends(get_graph)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]
CoverageDep = Annotated[CoverageIndex, Depends(get_coverage_index)]
DatasetDep = Annotated[DatasetFiles, Depends(get_dataset_files)]
BaseDep = Annotated[str, Depends(public_base)]
DeclaredParametersOnly = [Depends(declared_parameters_only)]
