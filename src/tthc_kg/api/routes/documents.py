"""GET /api/documents/{symbol}: a document, its status at a date, its changes, successors and citers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from starlette.concurrency import run_in_threadpool

from ... import queries
from .. import services
from ..deps import StoreDep
from ..models import AsOfQuery, DocumentOut

router = APIRouter(prefix="/api/documents", tags=["documents"])


@router.get(
    "/{symbol:path}",
    response_model=DocumentOut,
    summary="A document by symbol",
    responses={404: {"description": "No document with this symbol in the store."}},
)
async def get_document(
    symbol: str,
    store: StoreDep,
    as_of: AsOfQuery = None,
    iri: Annotated[str | None, Query(description="Which document, when several share the symbol.")] = None,
) -> DocumentOut:
    """Type, title, issuer, dates and status at `as_of`; the change events that affect it and that it makes
    (dates, scope, source, confidence); its successors and whether each is current; the plans and tasks citing it.

    The symbol is percent-encoded in the path (`61%2F2018%2FN%C4%90-CP`); any spelling that parses to the same
    canonical symbol works (`61/2018/nđ-cp`)."""
    # async: a cached answer (the common case) costs no thread hop; a miss runs its queries in a worker thread
    day = as_of or queries.today()
    hit, found = services.cached_document_info(store, symbol, day, iri)
    if not hit:
        found = await run_in_threadpool(services.document_info, store, symbol, day, iri)
    if found is None:
        raise HTTPException(status_code=404, detail=f"no document with symbol {symbol!r} in the store")
    return found
