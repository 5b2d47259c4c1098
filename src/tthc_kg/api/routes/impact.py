"""Impact: what depends on the documents a document changes — plans, tasks, agencies.

- ``GET /api/impact`` — the document's changes and the plans, tasks and agencies depending on them (``ImpactOut``).
- ``GET /api/impact/rows`` — the rows of ``tthc-kg impact`` (the audit's fields plus ``lead``, ``due`` …,
  docs/cli.md) as JSON, JSON lines, CSV (UTF-8 with a BOM, Vietnamese headers) or XLSX; ``POST`` the same with a
  what-if change (YAML) in the body, applied to a copy of the registry in memory, never stored.
- ``/tac-dong`` — the web page: the rows grouped by lead agency, with a form for a what-if change;
  ``POST /tac-dong/tai-ve`` (the page's form, ``format=csv|xlsx``) downloads the rows, what-if included.

The impact itself is ``tthc_kg.impact.impact``; ``GET /api/impact`` regroups its rows (``services.change_impact``).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ... import queries
from ...export_formats import AUDIT_HEADERS_VI, XLSX_MEDIA_TYPE, cell, csv_bytes, jsonl_bytes, xlsx_bytes
from ...impact import FIELDS, HEADERS_VI, Impact, ImpactError, impact, overlay_table, signing_note
from ...registry_change import ChangeError, changing_symbol, complete, overlay_registry, parse_change
from .. import services
from ..deps import StoreDep
from ..models import AsOfQuery, ImpactOut
from .pages import BadDate, render
from .pages import _as_of as page_date

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


def _vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def download_note(store: Any, result: Impact) -> str:
    """The XLSX's "Ghi chú": what was computed, against which registry, as of when (in Vietnamese)."""
    kind = "thay đổi giả định (không có trong sổ đăng ký, không lưu)" if result.what_if else "theo sổ đăng ký"
    evidence = services.evidence_date(store)
    known = f"; sổ đăng ký có dữ liệu đến {evidence}" if evidence else ""
    return f"Tác động của {result.symbol} tính đến ngày {_vn(result.as_of)} — {kind}{known}."


def _xml_text(text: str) -> str:
    """A cell's text as XLSX can hold it: a control character (a what-if's YAML may carry one, as "\\x07") becomes
    U+FFFD instead of failing the whole file (openpyxl refuses them)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)


def _rows_response(result: Impact, fmt: str, store: Any = None) -> Response:
    rows = [r.as_dict() for r in result.rows]
    name = "tac-dong-gia-dinh" if result.what_if else "tac-dong"
    if fmt == "jsonl":
        return Response(jsonl_bytes(rows), media_type="application/x-ndjson")
    if fmt == "csv":
        return Response(
            csv_bytes(rows, FIELDS, {**AUDIT_HEADERS_VI, **HEADERS_VI}),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt == "xlsx":
        note = _xml_text(download_note(store, result))
        cells = [{f: _xml_text(cell(r[f])) for f in FIELDS} for r in rows]
        return Response(
            xlsx_bytes(cells, FIELDS, {**AUDIT_HEADERS_VI, **HEADERS_VI}, note, title="Tác động"),
            media_type=XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return Response(
        content=json.dumps(
            {"symbol": result.symbol, "as_of": result.as_of.isoformat(), "what_if": result.what_if, "rows": rows},
            ensure_ascii=False,
        ),
        media_type="application/json",
    )


FormatQuery = Annotated[
    str, Query(pattern="^(json|jsonl|csv|xlsx)$", description="json (default), jsonl, csv (UTF-8 BOM) or xlsx")
]


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
    return _rows_response(result, format, store)


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
    return _rows_response(result, format, store)


# --- the web page ---------------------------------------------------------------------------------------------


def _page(request: Request, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("result", None)
    context.setdefault("groups", [])
    context.setdefault("error", None)
    context.setdefault("what_if", "")
    context.setdefault("expand", False)
    return render(request, "impact.html", status_code, title="Tác động của văn bản", nav="impact_page", **context)


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


def _answer(
    request: Request, store: Any, symbol: str, as_of: str | None, expand: bool, what_if: str, download: str = ""
) -> Response:
    """The page for the form's values; with ``download`` ("csv" or "xlsx"), the rows as that file instead (the
    page with its message when the form is wrong)."""
    symbol = symbol.strip()
    context: dict[str, Any] = {"symbol": symbol, "what_if": what_if, "expand": expand}
    try:
        when = page_date(as_of)
    except BadDate as exc:
        return _page(request, 400, error=str(exc), as_of=queries.today(), **context)
    context["as_of"] = when
    if not symbol and not what_if.strip():
        if download:
            return _page(request, 400, error="Hãy nhập số, ký hiệu văn bản hoặc một thay đổi giả định.", **context)
        return _page(request, **context)
    try:
        result = _compute(store, symbol or None, when, expand, what_if)
    except ImpactError as exc:
        return _page(request, 404, error=str(exc), **context)
    except ValueError as exc:
        return _page(request, 400, error=str(exc), **context)
    if download:
        return _rows_response(result, download, store)
    return _page(request, result=result, groups=_groups(result), **context)


@router.get("/tac-dong", response_class=HTMLResponse, name="impact_page", include_in_schema=False)
def impact_page(
    request: Request, store: StoreDep, symbol: str = "", as_of: str | None = None, expand: bool = False
) -> Response:
    return _answer(request, store, symbol, as_of, expand, "")


@router.post("/tac-dong", response_class=HTMLResponse, name="impact_submit", include_in_schema=False)
def impact_submit(
    request: Request,
    store: StoreDep,
    symbol: Annotated[str, Form()] = "",
    as_of: Annotated[str, Form()] = "",
    expand: Annotated[bool, Form()] = False,
    what_if: Annotated[str, Form()] = "",
) -> Response:
    return _answer(request, store, symbol, as_of or None, expand, what_if.replace("\r\n", "\n"))


@router.post("/tac-dong/tai-ve", name="impact_download", include_in_schema=False)
def impact_download(
    request: Request,
    store: StoreDep,
    format: Annotated[str, Form(pattern="^(csv|xlsx)$")],
    symbol: Annotated[str, Form()] = "",
    as_of: Annotated[str, Form()] = "",
    expand: Annotated[bool, Form()] = False,
    what_if: Annotated[str, Form()] = "",
) -> Response:
    """The page's form downloaded: the rows as CSV (UTF-8 with a BOM, Vietnamese headers) or XLSX, for a document
    of the registry or a what-if change (applied in memory, never stored)."""
    return _answer(request, store, symbol, as_of or None, expand, what_if.replace("\r\n", "\n"), download=format)
