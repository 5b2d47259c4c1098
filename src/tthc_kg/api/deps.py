"""Dependencies of the routes, as ``Annotated`` aliases (full-stack-fastapi-template's ``deps.py``).

``async``: FastAPI runs a plain ``def`` dependency in a worker thread, a needless hop for reading app state.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..registry import Registry
from ..resolve import Resolver
from ..store import Store
from .settings import Settings


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


async def get_registry(request: Request) -> Registry:
    return request.app.state.registry  # type: ignore[no-any-return]


async def get_resolver(request: Request) -> Resolver:
    return request.app.state.resolver  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
RegistryDep = Annotated[Registry, Depends(get_registry)]
ResolverDep = Annotated[Resolver, Depends(get_resolver)]
