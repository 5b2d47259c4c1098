"""Routes: the web pages, in Vietnamese, rendered on the server (Jinja2, autoescaped; light JS only).

- ``/`` — Trang chủ: the search box, the registry's evidence date and the ingested plans.
- ``/tim-kiem?q=…&as_of=&status=&type=&issuer=&year=&kind=&k=`` — search (the hybrid engine, ``tthc_kg.search``,
  through ``services.search.find``): documents, "Căn cứ" passages and tasks, each with its status badge at
  ``as_of`` (marked "chưa xác nhận" when the registry relation behind it is unconfirmed) and links to the document,
  the plans and the task's row; filters by status at a date, type, issuer, year and kind of result.
- ``/van-ban/{symbol}`` — a document: its status badge, a relationship diagram (lược đồ, inline SVG built in
  ``web/diagram.py``) and a timeline of its changes, its successors and who cites it.
- ``/ke-hoach/{key}`` — a plan (``key`` as in its IRI ``id:plan/{key}``): its text with every citation
  highlighted, coloured by status and linked to the document's page, and its task table with flagged tasks.
- ``/kiem-tra`` — "Kiểm tra căn cứ": paste a draft, get it back annotated.
- ``/sparql-editor`` — YASGUI (vendored in ``web/static/vendor/yasgui``) over ``/sparql``, with the named queries.
- ``/ra-soat`` — the audit, with the XLSX download of ``/api/audit`` and, for each finding, whether the cited
  document was still in force when the plan was signed (``services.audit.signing_notes``) and the officers'
  decision on it (acknowledged or dismissed, who, when, the note: ``services.audit.review_decisions``, as
  ``/api/review``); ``hide_reviewed=true`` leaves out the findings decided on.

The plan and document pages link the Atom feed of the changes affecting them (``/feeds/changes?plan=…``, and
``?agency=…`` for a document's issuer): a ``<link rel="alternate" type="application/atom+xml">`` in the head and a
visible link.

Every answer comes from ``api/services``; the markup beyond the templates is built in ``web/`` (diagram, timeline,
highlighting). The plan page re-reads the plan's source file (its ``tthc:path``) and runs the analysis again to get
the citations' offsets into the text as printed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ... import iri, queries
from ...analyze import analyze_text
from ...read import read_text
from ...search import SearchError
from ...store import SPARQL_PREFIXES
from ...web.diagram import related_documents, relationship_svg, timeline
from ...web.highlight import check_marks, highlight, plan_marks
from ...web.labels import KIND_LABELS, OUTDATED, STATUS_FILTER_LABELS
from ...web.sparql_editor import named_queries
from ...web.templating import environment
from ...web.urls import doc_url, hit_url, plan_key, task_anchor
from .. import services
from ..deps import ResolverDep, StoreDep
from ..services.audit import review_decisions, signing_notes
from ..services.search import find, search_facets

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
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
    if q and q.strip():  # an old link "/?q=…": the search page
        return _search(request, store, SearchForm.from_query(request.query_params))
    return render(
        request,
        "home.html",
        title="Trang chủ",
        nav="home",
        form=SearchForm(),
        facets=_facets(store),
        plans=services.plans(store),
        as_of=queries.today(),
        **SEARCH_LABELS,
    )


@router.get("/tim-kiem", response_class=HTMLResponse, name="search_page")
def search_page(request: Request, store: StoreDep) -> HTMLResponse:
    return _search(request, store, SearchForm.from_query(request.query_params))


SEARCH_LABELS = {"KIND_LABELS": KIND_LABELS, "STATUS_FILTER_LABELS": STATUS_FILTER_LABELS}
SEARCH_K = 20  # results shown; "Xem thêm" doubles it up to SEARCH_K_MAX
SEARCH_K_MAX = 200


@dataclass
class SearchForm:
    """The search page's query string, as typed (strings, so the form shows back what was sent)."""

    q: str = ""
    as_of: str = ""
    status: str = ""
    type: str = ""
    issuer: str = ""
    year: str = ""
    kind: str = ""
    k: str = ""

    @classmethod
    def from_query(cls, params: Any) -> SearchForm:
        return cls(**{f: (params.get(f) or "").strip()[:200] for f in cls.__dataclass_fields__})

    @property
    def filtered(self) -> bool:
        return any((self.as_of, self.status, self.type, self.issuer, self.year, self.kind))

    def url(self, **changes: str) -> str:
        """The search page's address for this form with ``changes``, empty fields left out."""
        values = {**asdict(self), **changes}
        return "/tim-kiem?" + urlencode({k: v for k, v in values.items() if v})


def _facets(store: Any) -> Any:
    try:
        return search_facets(store)
    except OSError:  # the index cannot be read: the filters offer free text only
        return None


def _search(request: Request, store: Any, form: SearchForm) -> HTMLResponse:
    """Check the form (one Vietnamese message for what is wrong), then ask the search engine."""
    context: dict[str, Any] = {"nav": "home", "form": form, "facets": _facets(store), **SEARCH_LABELS}
    title = f"Tìm kiếm: {form.q}" if form.q else "Tìm kiếm"
    errors = []
    try:
        as_of = _as_of(form.as_of or None)
    except BadDate as exc:
        as_of, errors = queries.today(), [str(exc)]
    if form.status and form.status not in STATUS_FILTER_LABELS:
        errors.append(f"Tình trạng không hợp lệ: “{form.status}”.")
    if form.kind and form.kind not in KIND_LABELS:
        errors.append(f"Loại kết quả không hợp lệ: “{form.kind}”.")
    year = int(form.year) if form.year.isdigit() and len(form.year) == 4 else None
    if form.year and (year is None or not 1900 <= year <= 2200):
        errors.append(f"Năm không hợp lệ: “{form.year}” (cần 4 chữ số, ví dụ 2024).")
    k = min(int(form.k), SEARCH_K_MAX) if form.k.isdigit() and int(form.k) > 0 else SEARCH_K
    if not form.q:
        if errors or form.filtered:
            errors.append("Hãy nhập từ khóa, số hiệu hoặc trích yếu văn bản cần tìm.")
        return render(
            request,
            "search.html",
            400 if errors else 200,
            title=title,
            as_of=as_of,
            errors=errors,
            searched=False,
            **context,
        )
    if errors:
        return render(request, "search.html", 400, title=title, as_of=as_of, errors=errors, searched=False, **context)
    fallback = None
    try:
        found = find(
            store,
            form.q,
            k=k,
            as_of=as_of,
            type_=form.type or None,
            status=form.status or None,
            issuer=form.issuer or None,
            year=year,
            kind=form.kind or None,
        )
        results, note, dense = found.results, found.note, found.dense
    except SearchError as exc:
        return render(
            request, "search.html", 400, title=title, as_of=as_of, errors=[str(exc)], searched=False, **context
        )
    except OSError:  # the index is being rewritten or cannot be read: a plain match, without the filters
        plain = services.search_lexical(store, form.q, limit=k, as_of=as_of)
        results, note, dense = [], None, False
        fallback = [{"hit": h, "url": hit_url(h)} for h in plain.results]
    return render(
        request,
        "search.html",
        title=title,
        as_of=as_of,
        errors=[],
        searched=True,
        results=[_result_links(r) for r in results],
        fallback=fallback,
        note=_note(note),
        dense=dense,
        k=k,
        more_url=form.url(k=str(min(k * 2, SEARCH_K_MAX))) if len(results) == k < SEARCH_K_MAX else None,
        clear_url=form.url(as_of="", status="", type="", issuer="", year="", kind="", k=""),
        **context,
    )


_NOTES = (  # the engine's notes (tthc_kg.search.engine), in Vietnamese
    (
        re.compile(r"dense retrieval off: no unit has a vector yet .*"),
        "Tìm theo nghĩa đang tắt: chỉ mục chưa có vectơ (chạy “tthc-kg index”); kết quả chỉ theo từ khóa.",
    ),
    (
        re.compile(r"dense retrieval off: (?P<why>.*); lexical results only"),
        "Tìm theo nghĩa đang tắt ({why}); kết quả chỉ theo từ khóa.",
    ),
    (
        re.compile(r"dense vectors cover (?P<done>\d+) of (?P<total>\d+) .*"),
        "Tìm theo nghĩa mới phủ {done}/{total} văn bản và đoạn căn cứ (chạy “tthc-kg index” để phủ hết).",
    ),
)


def _note(note: str | None) -> str | None:
    """The engine's note in Vietnamese (an unknown note as it is)."""
    for pattern, text in _NOTES:
        m = pattern.fullmatch(note or "")
        if m:
            return text.format(**m.groupdict())
    return note


def _result_links(r: Any) -> dict[str, Any]:
    """A result and the pages it links to: the document, the plans (a passage's every plan), the task's row."""
    doc = doc_url(r.symbol, r.doc, in_registry=r.in_registry) if r.doc else None
    plan = f"/ke-hoach/{quote(plan_key(r.plan))}" if r.plan else None
    if r.kind == "task":
        main = f"{plan}#{task_anchor(r.task)}" if plan and r.task else plan
    elif r.kind == "passage":
        main = plan
    else:
        main = doc or plan  # a plan without a symbol: its page
    plans = [(f"/ke-hoach/{quote(plan_key(p))}", Path(f).name if f else plan_key(p)) for p, f in r.plans]
    return {"r": r, "url": main, "doc_url": doc, "plan_url": plan, "plans": plans}


# --- document ---------------------------------------------------------------------------------------------


def _feed(label: str, title: str, **params: str) -> dict[str, str]:
    """An Atom feed of changes (routes/feeds.py) to link from a page: its visible label, its title, its URL."""
    return {"label": label, "title": title, "href": "/feeds/changes?" + urlencode(params)}


def plan_feed(plan_iri: str) -> dict[str, str]:
    return _feed(
        "Thay đổi ảnh hưởng đến kế hoạch này",
        "Thay đổi văn bản và cơ quan ảnh hưởng đến kế hoạch (Atom)",
        plan=plan_iri,
    )


def agency_feed(agency: str) -> dict[str, str]:
    return _feed(
        f"Thay đổi liên quan đến {agency}",
        f"Thay đổi liên quan đến {agency} (Atom)",
        agency=agency,
    )


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
    feeds = ([plan_feed(plan.iri)] if plan else []) + ([agency_feed(doc.issuer)] if doc.issuer else [])
    return render(
        request,
        "document.html",
        title=doc.symbol or doc.title or "Văn bản",
        doc=doc,
        as_of=when,
        diagram=relationship_svg(doc, related),
        timeline=timeline(doc),
        plan=plan,
        feeds=feeds,
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
        feeds=[plan_feed(plan.iri)],
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


REVIEW_LABELS = {"acknowledged": "Đã ghi nhận", "dismissed": "Đã bác bỏ"}


def _review_view(r: dict[str, str] | None) -> dict[str, str] | None:
    """A decision as the page shows it: its label, and when in Vietnam's time ("22/11/2026 16:05")."""
    if r is None:
        return None
    try:
        at = datetime.fromisoformat(r["at"].replace("Z", "+00:00")).astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        at = r["at"]
    return {**r, "label": REVIEW_LABELS.get(r["decision"], r["decision"]), "at_vn": at}


@router.get("/ra-soat", response_class=HTMLResponse, name="audit_page")
def audit_page(
    request: Request,
    store: StoreDep,
    as_of: str | None = None,
    plan: str | None = None,
    include_amended: bool = False,
    expand: bool = False,
    hide_reviewed: bool = False,
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
    # point in time (issue 8): valid when the plan was signed, out of force since …, or already out of force then
    signed = signing_notes(store, result.findings, when, lang="vi")
    reviews = [_review_view(r) for r in review_decisions(store, result.findings)]  # /api/review, tthc-kg review
    items = [{"f": f, "signed": s, "review": r} for f, s, r in zip(result.findings, signed, reviews, strict=True)]
    reviewed = Counter(r["decision"] for r in reviews if r)
    if hide_reviewed:
        items = [i for i in items if i["review"] is None]
    return render(
        request,
        "audit.html",
        title="Rà soát căn cứ",
        nav="audit_page",
        as_of=when,
        result=result,
        items=items,
        plans=all_plans,
        plan=plan or "",
        include_amended=include_amended,
        expand=expand,
        hide_reviewed=hide_reviewed,
        reviewed=reviewed,
        by_file=by_file,
        counts=counts,
        xlsx_url="/api/audit?" + urlencode(params),
        csv_url="/api/audit?" + urlencode({**params, "format": "csv"}),
    )
