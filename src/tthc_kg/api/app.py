"""The FastAPI application: ``create_app(settings)``; started by ``tthc-kg serve``."""

from __future__ import annotations

import importlib
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .. import __version__
from ..registry import load_registry
from ..resolve import Resolver
from ..store import Store
from .settings import Settings

WEB = Path(__file__).resolve().parent.parent / "web"

# One router per resource (routes/<name>.py, each exposing ``router``); the pages router comes last.
ROUTERS = (
    "sparql",
    "queries",
    "documents",
    "audit",
    "impact",
    "tasks",
    "check",
    "exports",
    "search",
    "ingest",
    "review",
    "feeds",
    "pages",
)


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        title="tthc-kg",
        version=__version__,
        description="Căn cứ pháp lý của kế hoạch hành chính: SPARQL, truy vấn có tên, API và trang web.",
    )
    app.state.settings = settings
    app.state.store = store if store is not None else Store(settings.store)
    app.state.registry = load_registry()
    app.state.resolver = Resolver(app.state.registry)
    for name in ROUTERS:
        module = importlib.import_module(f".routes.{name}", __package__)
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
    return app
