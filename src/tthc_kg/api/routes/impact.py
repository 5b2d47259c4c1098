"""Impact: what depends on the documents a document changes — plans, tasks, agencies.

- ``GET /api/impact`` — the document's changes and the plans, tasks and agencies depending on them (``ImpactOut``).
- ``GET /api/impact/rows`` — the rows of ``tthc-kg impact`` (the audit's fields plus ``lead``, ``due`` …,
  docs/cli.md) as JSON, JSON lines or CSV; ``POST`` the same with a what-if change (YAML) in the body, applied
  to a copy of the registry in memory, never stored.
- ``/tac-dong`` — the web page: the rows grouped by lead agency, with a form for a what-if change.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ... import queries
from ...export_formats import AUDIT_HEADERS_VI, csv_bytes, jsonl_bytes
from ...impact import FIELDS, HEADERS_VI, Impact, ImpactError, impact, overlay_table, signing_note
from ...registry_change import ChangeError, changing_symbol, complete, overlay_registry, parse_change
from .. import services
from ..deps import StoreDep
from ..models import AsOfQuery, ImpactOut

router = APIRouter(tags=["impact"])

MAX_WHAT_IF = 64_000  # characters of YAML


@router.get(
    "/api/impact",
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


def _what_if(text: str) -> tuple[Any, str | None]:
    """(registry table, changing symbol) of a what-if change given as YAML text; ValueError with the message."""
    if len(text) > MAX_WHAT_IF:
        raise ValueError(f"the what-if change is too long ({len(text):,} characters; at most {MAX_WHAT_IF:,})")
    try:
        change = complete(parse_change(text, "what-if"))
        reg = overlay_registry(change)
    except ChangeError as exc:
        raise ValueError("; ".join(str(e) for e in exc.errors[:5])) from exc
    return overlay_table(reg), changing_symbol(change)


def _compute(store: Any, symbol: str | None, as_of: date, expand: bool, what_if: str | None) -> Impact:
    table = None
    if what_if and what_if.strip():
        table, proposed = _what_if(what_if)
        symbol = symbol or proposed
    if not symbol:
        raise ValueError("give the symbol of the changing document")
    return impact(store, symbol, as_of, table=table, expand=expand, what_if=table is not None)


def _rows_response(result: Impact, fmt: str) -> Response:
    rows = [r.as_dict() for r in result.rows]
    if fmt == "jsonl":
        return Response(jsonl_bytes(rows), media_type="application/x-ndjson")
    if fmt == "csv":
        return Response(
            csv_bytes(rows, FIELDS, {**AUDIT_HEADERS_VI, **HEADERS_VI}),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="tac-dong.csv"'},
        )
    return Response(
        content=json.dumps(
            {"symbol": result.symbol, "as_of": result.as_of.isoformat(), "what_if": result.what_if, "rows": rows},
            ensure_ascii=False,
        ),
        media_type="application/json",
    )


FormatQuery = Annotated[str, Query(pattern="^(json|jsonl|csv)$", description="json (default), jsonl or csv")]


@router.get("/api/impact/rows", summary="The rows of `tthc-kg impact`")
def get_impact_rows(
    symbol: Annotated[str, Query(description='The changing document ("118/2025/NĐ-CP").', min_length=1)],
    store: StoreDep,
    as_of: AsOfQuery = None,
    expand: bool = False,
    format: FormatQuery = "json",
) -> Response:
    """Every plan and task touched by the document's changes: the audit's fields plus `lead`, `due`, `scope`,
    `clause`, `clause_check`, `at_signing` and `change` (docs/cli.md, `tthc-kg impact`)."""
    try:
        result = _compute(store, symbol, as_of or queries.today(), expand, None)
    except ImpactError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    return _rows_response(result, format)


@router.post("/api/impact/rows", summary="The rows of `tthc-kg impact --what-if`")
async def post_impact_rows(
    request: Request,
    store: StoreDep,
    symbol: Annotated[str | None, Query(description="The changing document (default: the change's).")] = None,
    as_of: AsOfQuery = None,
    expand: bool = False,
    format: FormatQuery = "json",
) -> Response:
    """The body is a what-if change in YAML (as `examples/what-if-45-2020.yaml`), applied to a copy of the registry
    in memory; nothing is stored. 400 with the change's errors (`LINE: message`) when it does not check."""
    text = (await request.body()).decode("utf-8", errors="replace")
    try:
        result = await run_in_threadpool(_compute, store, symbol, as_of or queries.today(), expand, text)
    except ImpactError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    return _rows_response(result, format)


# --- the web page ---------------------------------------------------------------------------------------------


def _page(request: Request, status_code: int = 200, **context: Any) -> HTMLResponse:
    from .pages import render

    context.setdefault("result", None)
    context.setdefault("groups", [])
    context.setdefault("error", None)
    context.setdefault("what_if", "")
    context.setdefault("expand", False)
    return render(request, "impact.html", status_code, title="Tác động của văn bản", **context)


def _groups(result: Impact) -> list[dict[str, Any]]:
    return [
        {
            "lead": lead,
            "rows": [
                {"row": r, "signed": signing_note(r.finding, r.since, r.plan_date, result.as_of, lang="vi") or ""}
                for r in rows
            ],
        }
        for lead, rows in result.by_agency()
    ]


def _as_of(value: str | None) -> date:
    if not value:
        return queries.today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"Ngày không hợp lệ: {value!r} (cần dạng YYYY-MM-DD).") from exc


def _answer(request: Request, store: Any, symbol: str, as_of: str | None, expand: bool, what_if: str) -> HTMLResponse:
    symbol = symbol.strip()
    context: dict[str, Any] = {"symbol": symbol, "what_if": what_if, "expand": expand}
    try:
        when = _as_of(as_of)
    except ValueError as exc:
        return _page(request, 400, error=str(exc), as_of=queries.today(), **context)
    context["as_of"] = when
    if not symbol and not what_if.strip():
        return _page(request, **context)
    try:
        result = _compute(store, symbol or None, when, expand, what_if)
    except ImpactError as exc:
        return _page(request, 404, error=str(exc), **context)
    except ValueError as exc:
        return _page(request, 400, error=str(exc), **context)
    return _page(request, result=result, groups=_groups(result), **context)


@router.get("/tac-dong", response_class=HTMLResponse, name="impact_page", include_in_schema=False)
def impact_page(
    request: Request, store: StoreDep, symbol: str = "", as_of: str | None = None, expand: bool = False
) -> HTMLResponse:
    return _answer(request, store, symbol, as_of, expand, "")


@router.post("/tac-dong", response_class=HTMLResponse, name="impact_submit", include_in_schema=False)
def impact_submit(
    request: Request,
    store: StoreDep,
    symbol: Annotated[str, Form()] = "",
    as_of: Annotated[str, Form()] = "",
    expand: Annotated[bool, Form()] = False,
    what_if: Annotated[str, Form()] = "",
) -> HTMLResponse:
    return _answer(request, store, symbol, as_of or None, expand, what_if.replace("\r\n", "\n"))
