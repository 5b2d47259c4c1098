"""Routes for /ingest (placeholder: filled by its issue)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["ingest"])
