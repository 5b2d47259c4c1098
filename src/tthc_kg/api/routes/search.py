"""GET /api/search: documents, "Căn cứ" passages and tasks for a query, ranked, with statuses at a date."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from ...search import SearchError
from ...search.engine import STATUS_FILTERS
from ..deps import StoreDep
from ..models import AsOfQuery, Status
from ..services.search import find

router = APIRouter(prefix="/api/search", tags=["search"])

StatusFilter = Literal[tuple(STATUS_FILTERS)]  # type: ignore[valid-type]


class SearchResultOut(BaseModel):
    kind: Literal["document", "passage", "task"]
    symbol: str | None = Field(description="The document's symbol; for a passage or task, the document it is about.")
    task: str | None = Field(description="The task number (a task), else null.")
    title: str | None = Field(description="The document's title, the passage's text, or the task's content.")
    status: Status | None = Field(description="The document's status at `as_of`; null for a task about no document.")
    score: float = Field(description="The fused lexical and dense score (higher ranks first); 1.0 for a symbol match.")
    iri: str = Field(description="The document (document, passage) or the task (task).")
    doc: str | None = Field(description="IRI of the document it is or is about.")
    plan: str | None = Field(description="The plan's IRI (of a task or passage; of a document that is a plan).")
    file: str | None = Field(description="The plan's source file, as given at ingest.")


class SearchResultsOut(BaseModel):
    q: str
    as_of: dt.date
    dense: bool = Field(description="Whether dense retrieval took part in the ranking.")
    note: str | None = Field(description="Why dense retrieval did not take part, or what it covered.")
    count: int
    results: list[SearchResultOut]


@router.get(
    "",
    response_model=SearchResultsOut,
    summary="Search documents, passages and tasks",
    responses={422: {"description": "A bad query or filter."}, 503: {"description": "The index is unavailable."}},
)
def search(
    store: StoreDep,
    q: Annotated[str, Query(min_length=1, description="The query: words (with or without diacritics) or a symbol.")],
    k: Annotated[int, Query(ge=1, le=200, description="Number of results.")] = 10,
    as_of: AsOfQuery = None,
    type_: Annotated[str | None, Query(alias="type", description='Document type word ("Nghị định").')] = None,
    status: Annotated[
        StatusFilter | None,
        Query(description="in_force (also amended, partially repealed), out_of_force, or one status."),
    ] = None,
    issuer: Annotated[str | None, Query(description="Part of the issuer's name.")] = None,
    year: Annotated[int | None, Query(ge=1900, le=2200, description="The document's year.")] = None,
    kind: Annotated[
        Literal["document", "passage", "task"] | None,
        Query(description='Only results of this kind (documents, "Căn cứ" passages, tasks).'),
    ] = None,
    dense: Annotated[bool | None, Query(description="Dense retrieval (default: when vectors exist).")] = None,
) -> SearchResultsOut:
    """Symbol-shaped queries ("nd 61/2018", "61/2018") put the document first; words are matched lexically
    (syllables, words, diacritics-folded) and by meaning (multilingual-e5-small), fused by reciprocal rank.
    Filters apply to the document a result is or is about; `kind` keeps one kind of result. A plain `def`: FastAPI
    runs it in a worker thread."""
    try:
        result = find(
            store, q, k=k, as_of=as_of, type_=type_, status=status, issuer=issuer, year=year, kind=kind, dense=dense
        )
    except SearchError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    except OSError as exc:  # the index is being written by another process, or cannot be read
        raise HTTPException(status_code=503, detail=f"search index unavailable: {exc}") from exc
    return SearchResultsOut(
        q=q,
        as_of=result.as_of,
        dense=result.dense,
        note=result.note,
        count=len(result.results),
        results=[SearchResultOut(**h.api()) for h in result.results],
    )
