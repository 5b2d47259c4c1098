"""Server settings, from the environment (``TTHC_KG_*``) or the ``tthc-kg serve`` options."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from ..store import default_store_dir


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TTHC_KG_", extra="ignore")

    store: Path = default_store_dir()
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout: float = 10.0  # seconds; a longer SPARQL query is aborted with 503
    max_rows: int = 10_000  # rows returned at most by /sparql and /queries (the rest is cut, and said so)
