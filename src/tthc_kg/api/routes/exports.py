"""GET /api/export: the graph (or one plan's named graph) as Turtle, N-Quads or JSON-LD.

The audit's exports (CSV with a BOM and Vietnamese headers, XLSX) are ``GET /api/audit?format=csv|xlsx``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Response

from ...export_formats import RDF_FORMATS
from .. import services
from ..deps import StoreDep

router = APIRouter(prefix="/api/export", tags=["exports"])


@router.get(
    "",
    summary="The graph as RDF",
    response_class=Response,
    responses={
        200: {"content": {media: {} for media, _ in RDF_FORMATS.values()}, "description": "The RDF, as a download."},
        404: {"description": "No such plan in the store."},
    },
)
def get_export(
    store: StoreDep,
    fmt: Annotated[Literal["turtle", "nquads", "jsonld"], Query(alias="format")] = "turtle",
    plan: Annotated[
        str | None, Query(description="Only this plan's named graph: its IRI, file (as ingested), file name or symbol.")
    ] = None,
) -> Response:
    """The whole store (every named graph: the registry and one per ingested file), or one plan's graph. Turtle
    has no graphs: it holds their union; N-Quads and JSON-LD keep the graph names."""
    try:
        body = services.export_rdf(store, fmt, plan)
    except LookupError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    media, ext = RDF_FORMATS[fmt]
    name = f"tthc-kg.{ext}"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})
