"""GET /api/tasks: tasks by agency, due date and dependence on superseded documents."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from ... import queries
from .. import services
from ..deps import StoreDep
from ..models import AsOfQuery, TasksOut

router = APIRouter(prefix="/api/tasks", tags=["tasks"])


@router.get("", response_model=TasksOut, summary="Tasks, filtered")
def get_tasks(
    store: StoreDep,
    agency: Annotated[
        str | None, Query(description="Lead or coordinating agency: a substring of its name, case-insensitive.")
    ] = None,
    due_from: Annotated[date | None, Query(description="Due on or after this date (undated tasks drop out).")] = None,
    due_to: Annotated[date | None, Query(description="Due on or before this date (undated tasks drop out).")] = None,
    depends_on_superseded: Annotated[
        bool | None,
        Query(
            description="true: only tasks depending (directly or through their plan's preamble) on a document "
            "replaced, repealed, expired or partially repealed at `as_of`; false: only the others; absent: all."
        ),
    ] = None,
    as_of: AsOfQuery = None,
) -> TasksOut:
    """Tasks of every plan in the store, each with its lead and coordinating agencies, timeframe, due date and the
    superseded documents it depends on."""
    if due_from and due_to and due_from > due_to:
        raise HTTPException(status_code=422, detail=f"due_from {due_from} is after due_to {due_to}")
    return services.tasks(store, agency, due_from, due_to, depends_on_superseded, as_of or queries.today())
