"""Routes: the web pages, in Vietnamese, rendered on the server (Jinja2, autoescaped; light JS only).

- ``/`` — Trang chủ: a search box over documents and tasks (plain lexical match), the registry's evidence date
  and the ingested plans; ``/tim-kiem?q=…`` shows the results.
- ``/van-ban/{symbol}`` — a document: its status badge, a relationship diagram (lược đồ, inline SVG built in
  ``web/diagram.py``) and a timeline of its changes, its successors and who cites it.
- ``/ke-hoach/{key}`` — a plan (``key`` as in its IRI ``id:plan/{key}``): its text with every citation
  highlighted, coloured by status and linked to the document's page, and its task table with flagged tasks.
- ``/kiem-tra`` — "Kiểm tra căn cứ": paste a draft, get it back annotated.
- ``/sparql-editor`` — YASGUI (vendored in ``web/static/vendor/yasgui``) over ``/sparql``, with the named queries.
- ``/ra-soat`` — the audit, with the XLSX download of ``/api/audit``.

Every answer comes from ``api/services``; the markup beyond the templates is built in ``web/`` (diagram, timeline,
highlighting). The plan page re-reads the plan's source file (its ``tthc:path``) and runs the analysis again to get
the citations' offsets into the text as printed.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ... import iri, queries
from ...analyze import analyze_text
from ...read import read_text
from ...store import SPARQL_PREFIXES
from ...web.diagram import related_documents, relationship_svg, timeline
from ...web.highlight import check_marks, highlight, plan_marks
from ...web.labels import OUTDATED
from ...web.sparql_editor import named_queries
from ...web.templating import environment
from ...web.urls import hit_url
from .. import services
from ..deps import ResolverDep, StoreDep

MAX_DRAFT = 2_000_000  # characters, as the REST /api/check

router = APIRouter(include_in_schema=False)

templates = Jinja2Templates(env=environment())


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    store = request.app.state.store
    context.setdefault("evidence_date", services.evidence_date(store))
    context.setdefault("as_of", None)
    context.setdefault("nav", None)
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def error_page(request: Request, status_code: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html", status_code=status_code, title=title, message=message)


class BadDate(ValueError):
    pass


def _as_of(value: str | None) -> date:
    """The "as of" date of a page (``?as_of=YYYY-MM-DD``), today in Asia/Ho_Chi_Minh by default."""
    if not value:
        return queries.today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise BadDate(f"Ngày không hợp lệ: {value!r} (cần dạng YYYY-MM-DD).") from exc


# --- home and search ------------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse, name="home")
def home(request: Request, store: StoreDep, q: str | None = None) -> HTMLResponse:
    return _search(request, store, q)


@router.get("/tim-kiem", response_class=HTMLResponse, name="search_page")
def search_page(request: Request, store: StoreDep, q: str | None = None) -> HTMLResponse:
    return _search(request, store, q)


def _search(request: Request, store: Any, q: str | None) -> HTMLResponse:
    as_of = queries.today()
    q = (q or "").strip()[:200]
    result = services.search_lexical(store, q, limit=50, as_of=as_of) if q else None
    hits = [{"hit": h, "url": hit_url(h)} for h in (result.results if result else [])]
    return render(
        request,
        "home.html",
        title="Trang chủ" if not q else f"Tìm kiếm: {q}",
        nav="home",
        q=q,
        hits=hits,
        searched=bool(q),
        plans=services.plans(store),
        as_of=as_of,
    )


# --- document ---------------------------------------------------------------------------------------------


@router.get("/van-ban/{symbol:path}", response_class=HTMLResponse, name="document_page")
def document_page(
    request: Request, store: StoreDep, symbol: str, iri: str | None = None, as_of: str | None = None
) -> HTMLResponse:
    try:
        when = _as_of(as_of)
    except BadDate as exc:
        return error_page(request, 400, "Ngày không hợp lệ", str(exc))
    doc = services.document_info(store, symbol, when, iri=iri)
    if doc is None:
        return error_page(
            request, 404, "Không tìm thấy văn bản", f"Không có văn bản nào có số, ký hiệu “{symbol}” trong đồ thị."
        )
    related = related_documents(doc, lambda ref: services.status_at(store, ref, when).status)
    plan = services.find_plan(store, doc.iri) if doc.is_plan else None
    return render(
        request,
        "document.html",
        title=doc.symbol or doc.title or "Văn bản",
        doc=doc,
        as_of=when,
        diagram=relationship_svg(doc, related),
        timeline=timeline(doc),
        plan=plan,
    )


# --- plan -------------------------------------------------------------------------------------------------


@router.get("/ke-hoach/{key}", response_class=HTMLResponse, name="plan_page")
def plan_page(
    request: Request, store: StoreDep, resolver: ResolverDep, key: str, as_of: str | None = None
) -> HTMLResponse:
    try:
        when = _as_of(as_of)
    except BadDate as exc:
        return error_page(request, 400, "Ngày không hợp lệ", str(exc))
    plan = services.find_plan(store, str(iri.plan(key)))
    if plan is None:
        return error_page(request, 404, "Không tìm thấy kế hoạch", f"Không có kế hoạch “{key}” trong đồ thị.")
    try:
        text = read_text(plan.file)
    except (OSError, ValueError) as exc:
        return error_page(
            request,
            500,
            "Không đọc được tệp nguồn",
            f"Tệp “{plan.file}” của kế hoạch không đọc được ({exc}). Đường dẫn là đường dẫn lúc nạp; "
            "hãy chạy máy chủ từ cùng thư mục, hoặc nạp lại tệp.",
        )
    analysis = analyze_text(plan.file, text, resolver)
    audit = services.audit_findings(store, when, plan=plan.iri)
    cites = plan_marks(analysis, lambda ref: services.status_at(store, ref, when))
    flagged: dict[str, list[Any]] = {}
    for f in audit.findings:
        if f.dependency == "direct" and f.task is not None and f.finding in OUTDATED:
            flagged.setdefault(f.task, []).append(f)
    basis = [f for f in audit.findings if f.dependency == "basis" and f.finding in OUTDATED]
    by_task: dict[str, list[dict[str, Any]]] = {}
    for c in cites:  # a task's legal basis, each document once (a cell may cite it twice)
        if c["task"] and c["name"] not in {d["name"] for d in by_task.get(c["task"], [])}:
            by_task.setdefault(c["task"], []).append(c)
    successors = {f.cited: f.successors for f in audit.findings if f.successors}
    counts = Counter(c["status"] for c in cites)
    changed = store.graph_content_hash(key) not in (None, analysis.content_hash)
    return render(
        request,
        "plan.html",
        title=plan.symbol or plan.title or Path(plan.file).name,
        plan=plan,
        key=key,
        as_of=when,
        highlighted=highlight(text, cites),
        citations=cites,
        counts=counts,
        tasks=analysis.tasks,
        by_task=by_task,
        successors=successors,
        flagged=flagged,
        basis=basis,
        changed=changed,
        audit=audit,
    )


# --- check a draft -------------------------------------------------------------------------------------------

EXAMPLE_DRAFT = (
    "KẾ HOẠCH\nKiểm soát thủ tục hành chính năm 2026\n\n"
    "Căn cứ Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ về thực hiện cơ chế một cửa, một cửa liên "
    "thông trong giải quyết thủ tục hành chính;\n"
    "Căn cứ Nghị định số 45/2020/NĐ-CP ngày 08/4/2020 của Chính phủ về thực hiện thủ tục hành chính trên môi "
    "trường điện tử;\n"
)


@router.get("/kiem-tra", response_class=HTMLResponse, name="check_form")
def check_form(request: Request) -> HTMLResponse:
    return render(
        request, "check.html", title="Kiểm tra căn cứ", nav="check_form", text="", example=EXAMPLE_DRAFT, result=None
    )


@router.post("/kiem-tra", response_class=HTMLResponse, name="check_submit")
def check_submit(
    request: Request,
    store: StoreDep,
    resolver: ResolverDep,
    text: Annotated[str, Form()] = "",
    as_of: Annotated[str, Form()] = "",
) -> HTMLResponse:
    context: dict[str, Any] = {"title": "Kiểm tra căn cứ", "nav": "check_form", "example": EXAMPLE_DRAFT}
    text = text.replace("\r\n", "\n")  # browsers send CRLF; offsets are into the text checked and shown
    try:
        when = _as_of(as_of or None)
    except BadDate as exc:
        return render(request, "check.html", 400, text=text, result=None, error=str(exc), **context)
    if len(text) > MAX_DRAFT:
        return render(
            request,
            "check.html",
            413,
            text="",
            result=None,
            error=f"Văn bản quá dài ({len(text):,} ký tự; tối đa {MAX_DRAFT:,}).",
            **context,
        )
    if not text.strip():
        return render(request, "check.html", 400, text=text, result=None, error="Hãy dán văn bản dự thảo.", **context)
    result = services.check_text(store, resolver, text, when)
    cites = check_marks(result)
    return render(
        request,
        "check.html",
        text=text,
        result=result,
        annotated=highlight(text, cites, annotate=True),
        as_of=when,
        **context,
    )


# --- the SPARQL editor ---------------------------------------------------------------------------------------


@router.get("/sparql-editor", response_class=HTMLResponse, name="sparql_editor")
def sparql_editor(request: Request, query: str = "superseded-dependencies") -> HTMLResponse:
    named = named_queries(lambda name: str(request.url_for("run_query", name=name).path))
    selected = query if any(n["name"] == query for n in named) else "superseded-dependencies"
    return render(
        request,
        "sparql_editor.html",
        title="SPARQL",
        nav="sparql_editor",
        named=named,
        selected=selected,
        endpoint=request.url_for("sparql_get").path,
        prefixes=SPARQL_PREFIXES,
    )


# --- audit ----------------------------------------------------------------------------------------------------


@router.get("/ra-soat", response_class=HTMLResponse, name="audit_page")
def audit_page(
    request: Request,
    store: StoreDep,
    as_of: str | None = None,
    plan: str | None = None,
    include_amended: bool = False,
    expand: bool = False,
) -> HTMLResponse:
    try:
        when = _as_of(as_of)
    except BadDate as exc:
        return error_page(request, 400, "Ngày không hợp lệ", str(exc))
    all_plans = services.plans(store)
    try:
        result = services.audit_findings(store, when, plan=plan or None, include_amended=include_amended, expand=expand)
    except LookupError:
        return error_page(request, 404, "Không tìm thấy kế hoạch", f"Không có kế hoạch “{plan}” trong đồ thị.")
    params = {"format": "xlsx", "as_of": when.isoformat()}
    if plan:
        params["plan"] = plan
    if include_amended:
        params["include_amended"] = "true"
    if expand:
        params["expand"] = "true"
    by_file = {p.file: p for p in all_plans}
    counts = Counter(f.finding for f in result.findings)
    return render(
        request,
        "audit.html",
        title="Rà soát căn cứ",
        nav="audit_page",
        as_of=when,
        result=result,
        plans=all_plans,
        plan=plan or "",
        include_amended=include_amended,
        expand=expand,
        by_file=by_file,
        counts=counts,
        xlsx_url="/api/audit?" + urlencode(params),
        csv_url="/api/audit?" + urlencode({**params, "format": "csv"}),
    )
