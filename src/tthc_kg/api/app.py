"""The FastAPI application: ``create_app(settings)``; started by ``tthc-kg serve``.

Hardening, all here so every route gets it (docs/http.md, "Security and limits"):

- request bodies larger than ``max_body_bytes`` → 413 (FastAPI's ``max_body_size``: the Content-Length is checked
  first and a chunked body is counted as it is read);
- CORS off by default: no ``Access-Control-*`` header unless ``cors_origins`` lists origins (``*`` for any);
- an unexpected exception → 500 with a generic body ``{"detail": "internal server error", "error_id": …}`` (HTML
  for a browser), the traceback logged with the same id, never sent;
- ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` and ``Referrer-Policy: same-origin`` on every
  answer;
- the write routes depend on ``security.require_write_token``; the SPARQL limits live in ``sparql_exec`` and
  ``sparql_workers`` (the killable worker processes of ``/sparql``, started in the lifespan).
"""

from __future__ import annotations

import asyncio
import html
import importlib
import logging
import threading
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..registry import load_registry
from ..resolve import Resolver
from ..store import Store, open_store
from .settings import Settings

WEB = Path(__file__).resolve().parent.parent / "web"
log = logging.getLogger("tthc_kg.api")

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

SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        title="tthc-kg",
        version=__version__,
        description="Căn cứ pháp lý của kế hoạch hành chính: SPARQL, truy vấn có tên, API và trang web.",
        max_body_size=settings.max_body_bytes,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store if store is not None else open_store(settings.store)
    app.state.registry = load_registry()
    app.state.resolver = Resolver(app.state.registry)
    # The embedded store admits one writer: every write through the server (ingest, registry, review) takes it.
    app.state.write_lock = threading.Lock()
    # SPARQL queries running at once (abandoned ones included, until they end): see sparql_exec.QuerySlots.
    from .sparql_exec import QuerySlots

    app.state.query_slots = QuerySlots(settings.query_slots)
    for name in ROUTERS:
        module = importlib.import_module(f".routes.{name}", __package__)
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
    app.add_exception_handler(Exception, internal_error)
    if settings.cors_allow_list:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allow_list,
            allow_methods=["GET", "POST"],
            allow_headers=["Accept", "Authorization", "Content-Type"],
            expose_headers=["X-TTHC-Truncated", "X-TTHC-Max-Rows"],
            allow_credentials=False,
        )
    app.add_middleware(SecurityHeaders)
    return app


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At startup, the /sparql worker processes (sparql_workers.py) when the store is an embedded store on disk;
    at shutdown, they are stopped. (A TestClient used without ``with`` runs no lifespan: /sparql uses threads.)"""
    settings: Settings = app.state.settings
    store = app.state.store
    pool = None
    if settings.sparql_workers > 0 and isinstance(store, Store) and store.path is not None:
        from .sparql_workers import WorkerPool

        pool = WorkerPool(store.path, settings.sparql_workers, settings.queue_wait)
        if not await asyncio.to_thread(pool.wait_ready, 120):
            log.warning("the SPARQL workers were not all ready after 120 s; serving anyway")
    app.state.sparql_pool = pool
    try:
        yield
    finally:
        app.state.sparql_pool = None
        if pool is not None:
            pool.close()


async def internal_error(request: Request, exc: Exception) -> Response:
    """A generic 500: an error id for the client, the traceback (with the same id) in the server's log."""
    error_id = uuid.uuid4().hex[:12]
    log.error("error %s on %s %s", error_id, request.method, request.url.path, exc_info=exc)
    message = "internal server error"
    if "text/html" in request.headers.get("accept", "") and not request.url.path.startswith(("/api/", "/sparql")):
        body = (
            "<!doctype html><html lang='vi'><meta charset='utf-8'><title>Lỗi máy chủ</title>"
            f"<h1>Lỗi máy chủ</h1><p>Đã xảy ra lỗi. Mã lỗi: <code>{html.escape(error_id)}</code></p></html>"
        )
        return HTMLResponse(body, status_code=500, headers={"X-Error-Id": error_id})
    return JSONResponse({"detail": message, "error_id": error_id}, status_code=500, headers={"X-Error-Id": error_id})


class SecurityHeaders:
    """Pure ASGI: adds the headers of ``SECURITY_HEADERS`` to every HTTP answer (streaming stays streaming)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
