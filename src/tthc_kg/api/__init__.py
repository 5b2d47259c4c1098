"""The HTTP layer: a SPARQL 1.1 Protocol endpoint, named queries, a REST API and the web pages (FastAPI)."""

from .app import create_app

__all__ = ["create_app"]
