"""GET /api/impact: what depends on the documents a document changes — plans, tasks, agencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from ... import queries
from .. import services
from ..deps import StoreDep
from ..models import AsOfQuery, ImpactOut

router = APIRouter(prefix="/api/impact", tags=["impact"])


@router.get(
    "",
    response_model=ImpactOut,
    summary="What a document touches",
    responses={404: {"description": "No document with this symbol in the store."}},
)
def get_impact(
    symbol: Annotated[str, Query(description='The changing document ("118/2025/NĐ-CP").', min_length=1)],
    store: StoreDep,
    as_of: AsOfQuery = None,
    expand: Annotated[bool, Query(description="Also the tasks of plans whose preamble cites one.")] = False,
) -> ImpactOut:
    """The documents it replaces, amends or repeals (each change with its date and whether it is in effect at
    `as_of`), and everything that depends on them: the plans citing them, the tasks citing them (lead agency, due
    date), and those tasks grouped by lead agency."""
    found = services.impact(store, symbol, as_of or queries.today(), expand=expand)
    if found is None:
        raise HTTPException(status_code=404, detail=f"no document with symbol {symbol!r} in the store")
    return found
