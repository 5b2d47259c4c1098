"""/api/review: officers' decisions on audit findings (review.py; the CLI's ``tthc-kg review``).

- ``GET /api/review?as_of=…[&pending=true]``: the current findings, each with its ``id`` and ``review``;
- ``GET /api/review/history``: every decision recorded, oldest first;
- ``POST /api/review/{id}/ack`` and ``POST /api/review/{id}/dismiss`` with ``{"by": …, "note": …}`` (a dismissal
  needs a note): write routes, so they need the write token (``Authorization: Bearer <token>``; without one
  configured on the server they answer 403, api/security.py) and take the app's write lock.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ... import queries
from ...audit import audit
from ...review import MAX_NAME, MAX_NOTE, ReviewError, annotate, load_reviews, record, resolve_id
from ..deps import StoreDep
from ..models import AsOfQuery
from ..security import WriteToken

router = APIRouter(prefix="/api/review", tags=["review"])


class ReviewIn(BaseModel):
    by: str = Field(min_length=1, max_length=MAX_NAME, description="Who decides (name or login).")
    note: str = Field("", max_length=MAX_NOTE, description="The officer's note (required to dismiss).")


class DecisionOut(BaseModel):
    decision: Literal["acknowledged", "dismissed"]
    by: str
    at: str = Field(description="When (ISO date-time, UTC).")
    note: str


class ReviewedFindingOut(BaseModel):
    id: str = Field(description="The finding's id (stable across audits).")
    finding: dict[str, Any] = Field(description="The finding: the fields of `tthc-kg audit --format jsonl`.")
    review: DecisionOut | None


class ReviewListOut(BaseModel):
    as_of: date
    count: int
    reviewed: int
    findings: list[ReviewedFindingOut]


class HistoryEntryOut(BaseModel):
    id: str
    decision: Literal["acknowledged", "dismissed"]
    by: str
    at: str
    note: str
    finding: dict[str, Any] | None = Field(description="The finding as it was when decided.")


def _split(row: dict[str, Any]) -> ReviewedFindingOut:
    finding = {k: v for k, v in row.items() if k not in ("id", "review")}
    return ReviewedFindingOut(id=row["id"], finding=finding, review=row["review"])


@router.get("", response_model=ReviewListOut, summary="Current audit findings with their review decision")
def list_reviews(
    store: StoreDep,
    as_of: AsOfQuery = None,
    pending: Annotated[bool, Query(description="Only findings nobody has decided on.")] = False,
) -> ReviewListOut:
    day = as_of or queries.today()
    rows = annotate(audit(store, day), load_reviews(store))
    if pending:
        rows = [r for r in rows if r["review"] is None]
    return ReviewListOut(
        as_of=day, count=len(rows), reviewed=sum(1 for r in rows if r["review"]), findings=[_split(r) for r in rows]
    )


@router.get("/history", response_model=list[HistoryEntryOut], summary="Every review decision, oldest first")
def history(store: StoreDep) -> list[HistoryEntryOut]:
    return [HistoryEntryOut(**r.as_dict()) for r in load_reviews(store)]


def _decide(request: Request, store: Any, finding_id: str, body: ReviewIn, decision: str, day: date) -> HistoryEntryOut:
    with request.app.state.write_lock:
        try:
            finding = resolve_id(finding_id, audit(store, day))
            r = record(store, finding, decision, body.note, body.by)
        except ReviewError as exc:
            status = 404 if "no current finding" in str(exc) else 422
            raise HTTPException(status_code=status, detail=str(exc)) from exc
    return HistoryEntryOut(**r.as_dict())


@router.post(
    "/{finding_id}/ack",
    response_model=HistoryEntryOut,
    summary="Acknowledge a finding (needs the write token)",
    responses={404: {"description": "No current finding has this id."}, 422: {"description": "Bad id or body."}},
)
async def acknowledge(
    request: Request, store: StoreDep, finding_id: str, body: ReviewIn, _: WriteToken, as_of: AsOfQuery = None
) -> HistoryEntryOut:
    day = as_of or queries.today()
    return await run_in_threadpool(_decide, request, store, finding_id, body, "acknowledged", day)


@router.post(
    "/{finding_id}/dismiss",
    response_model=HistoryEntryOut,
    summary="Dismiss a finding, with a note saying why (needs the write token)",
    responses={404: {"description": "No current finding has this id."}, 422: {"description": "Bad id or body."}},
)
async def dismiss(
    request: Request, store: StoreDep, finding_id: str, body: ReviewIn, _: WriteToken, as_of: AsOfQuery = None
) -> HistoryEntryOut:
    day = as_of or queries.today()
    return await run_in_threadpool(_decide, request, store, finding_id, body, "dismissed", day)
