"""Server settings, from the environment (``TTHC_KG_*``) or the ``tthc-kg serve`` options.

Security-relevant settings (see docs/http.md): ``write_token`` (unset: every write route answers 403),
``cors_origins`` (empty: no CORS headers at all), ``max_body_bytes`` (larger request bodies get 413),
``query_timeout`` / ``max_rows`` / ``query_slots`` (the SPARQL limits, api/sparql_exec.py).
"""

from __future__ import annotations

from pathlib import PurePath

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ..store import default_store_dir


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TTHC_KG_", extra="ignore")

    # a directory of the embedded store, or a SPARQL server "sparql+http://host:port/path?…" (docs/deploy.md)
    store: str = str(default_store_dir())
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout: float = 10.0  # seconds; a longer SPARQL query is aborted with 503
    max_rows: int = 10_000  # rows returned at most by /sparql and /queries (the rest is cut, and said so)
    # /sparql queries run in this many worker processes, killed at the time limit (0: in threads, abandoned)
    sparql_workers: int = 2
    queue_wait: float = 10.0  # seconds a /sparql query waits for an idle worker before 503 "busy"
    # queries evaluated at once in threads (named queries; /sparql without workers), counting those abandoned
    # at the time limit until they end; one more waits, then 503
    query_slots: int = 4
    max_query_chars: int = 100_000  # a longer SPARQL query text is refused with 413
    max_body_bytes: int = 8_000_000  # request bodies (POST /sparql, /api/check, /api/ingest …); larger → 413
    # The token every write route (POST /api/ingest, review, registry edits) requires; unset → writes disabled
    write_token: SecretStr | None = None
    # Origins allowed to call the API from a browser (comma-separated, or "*"); empty → no CORS headers at all
    cors_origins: str = ""

    @field_validator("store", mode="before")
    @classmethod
    def _store_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, PurePath) else value  # a Path is still accepted

    @property
    def cors_allow_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]
