"""Dependencies the routers share, declared once as Annotated aliases (tests may override them). They
read the one app state the lifespan made (state.py). They are async because they only read it: FastAPI
runs a plain function dependency in its thread pool, a thread hop per dependency per request (seen in
the /sparql profile, bench/README.md)."""

from __future__ import annotations

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


async def get_state(request: Request) -> AppState:
    return request.app.state.commit_kg


async def get_store(request: Request) -> EmbeddedStore:
    return request.app.state.commit_kg.store


async def get_graph(request: Request) -> BuiltGraph:
    return request.app.state.commit_kg.graph


async def get_settings(request: Request) -> Settings:
    return request.app.state.commit_kg.settings


async def get_catalogue(request: Request) -> Catalogue:
    """The named-query catalogue the lifespan loaded once for this app."""
    return request.app.state.commit_kg.catalogue


async def get_coverage_index(request: Request) -> CoverageIndex:
    """The coverage index of the graph being served, read once per graph version."""
    return request.app.state.commit_kg.coverage_index()


def get_dataset_files(request: Request) -> DatasetFiles:
    """The dumps and statistics of the build being served, made on first use (a plain function, so
    that the first, slow generation runs in the thread pool, not on the event loop)."""
    state: AppState = request.app.state.commit_kg
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
