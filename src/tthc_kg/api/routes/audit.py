"""GET /api/audit: the audit findings (the CLI's jsonl fields), as JSON, JSON lines, CSV or XLSX."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Response

from ... import queries
from ...audit import FIELDS
from ...export_formats import AUDIT_HEADERS_VI, XLSX_MEDIA_TYPE, csv_bytes, jsonl_bytes, xlsx_bytes
from .. import services
from ..deps import StoreDep
from ..models import AsOfQuery, AuditOut

router = APIRouter(prefix="/api/audit", tags=["audit"])

_MEDIA = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8", "xlsx": XLSX_MEDIA_TYPE}


@router.get(
    "",
    response_model=AuditOut,
    summary="Plans and tasks whose legal basis is no longer (fully) in force",
    responses={
        200: {
            "description": "`format=json` (default): the findings in one object; `jsonl`: one finding per line, as "
            "`tthc-kg audit --format jsonl`; `csv`: UTF-8 with a BOM and Vietnamese headers; `xlsx`: a workbook.",
            "content": {"application/x-ndjson": {}, "text/csv": {}, XLSX_MEDIA_TYPE: {}},
        },
        404: {"description": "No such plan in the store."},
    },
)
def get_audit(
    store: StoreDep,
    as_of: AsOfQuery = None,
    plan: Annotated[str | None, Query(description="One plan: its IRI, file, file name or symbol.")] = None,
    include_amended: Annotated[bool, Query(description="Also amendments in force after the plan's date.")] = False,
    expand: Annotated[bool, Query(description="Report preamble bases once per task.")] = False,
    fmt: Annotated[Literal["json", "jsonl", "csv", "xlsx"], Query(alias="format")] = "json",
) -> AuditOut | Response:
    """The audit of every plan in the store (or one), with the fields of `tthc-kg audit --format jsonl`."""
    day = as_of or queries.today()
    try:
        out = services.audit_findings(store, day, plan, include_amended=include_amended, expand=expand)
    except LookupError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    if fmt == "json":
        return out
    rows = [f.model_dump(mode="json") for f in out.findings]
    if fmt == "jsonl":
        body = jsonl_bytes(rows)
    elif fmt == "csv":
        body = csv_bytes(rows, FIELDS, AUDIT_HEADERS_VI)
    else:
        note = (
            f"Audit as of {day.isoformat()}; registry evidence date: {out.evidence_date} — statuses are as the "
            "registry knew them then"
        )
        body = xlsx_bytes(rows, FIELDS, AUDIT_HEADERS_VI, note)
    name = f"audit-{day.isoformat()}.{fmt}"
    return Response(body, media_type=_MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})
