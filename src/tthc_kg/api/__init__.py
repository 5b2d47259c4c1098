"""The HTTP layer: a SPARQL 1.1 Protocol endpoint, named queries, a REST API and the web pages (FastAPI).

``create_app`` is imported on first use, so that code needing only the services (the CLI's search, impact) does
not pay for importing FastAPI and every route.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
