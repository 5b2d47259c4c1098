"""Routes: the web pages, in Vietnamese, rendered on the server (Jinja2, autoescaped; light JS only).

- ``/`` — Trang chủ: a search box over documents and tasks (plain lexical match), the registry's evidence date
  and the ingested plans; ``/tim-kiem?q=…`` shows the results.
- ``/van-ban/{symbol}`` — a document: its status badge, a relationship diagram (lược đồ, inline SVG built here)
  and a timeline of its changes, its successors and who cites it.
- ``/ke-hoach/{key}`` — a plan (``key`` as in its IRI ``id:plan/{key}``): its text with every citation
  highlighted, coloured by status and linked to the document's page, and its task table with flagged tasks.
- ``/kiem-tra`` — "Kiểm tra căn cứ": paste a draft, get it back annotated.
- ``/sparql-editor`` — YASGUI (vendored in ``web/static/vendor/yasgui``) over ``/sparql``, with the named queries.
- ``/ra-soat`` — the audit, with the XLSX download of ``/api/audit``.

Every answer comes from ``api/services.py``; the plan page re-reads the plan's source file (its ``tthc:path``)
and runs the analysis again to get the citations' offsets into the text as printed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context
from markupsafe import Markup, escape

from ... import iri, queries
from ...analyze import Analysis, analyze_text
from ...read import read_text
from ...store import SPARQL_PREFIXES
from .. import services
from ..deps import ResolverDep, StoreDep
from ..models import DocumentOut, PlanOut

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
MAX_DRAFT = 2_000_000  # characters, as the REST /api/check

router = APIRouter(include_in_schema=False)

# --- Vietnamese labels ------------------------------------------------------------------------------------

STATUS_LABELS = {
    "in_force": "Còn hiệu lực",
    "replaced": "Đã bị thay thế",
    "repealed": "Hết hiệu lực",
    "expired": "Hết hiệu lực",
    "partially_repealed": "Hết hiệu lực một phần",
    "amended": "Đã được sửa đổi",
    "not_yet_in_force": "Chưa có hiệu lực",
    "unknown": "Chưa xác định",
    "unresolved": "Chưa xác định",
}
STATUS_HINTS = {
    "repealed": "bị bãi bỏ",
    "expired": "hết thời hạn áp dụng",
    "unknown": "không có trong cơ sở dữ liệu văn bản",
    "unresolved": "không có trong cơ sở dữ liệu văn bản",
}
# the CSS class of a status (style.css: .st-…); "not_yet_in_force" looks like "unknown"
STATUS_CLASS = {"not_yet_in_force": "not_yet"}
OUTDATED = ("replaced", "repealed", "expired", "partially_repealed")
DEPENDENCY_LABELS = {"basis": "Căn cứ chung (phần mở đầu)", "direct": "Căn cứ của nhiệm vụ", "mention": "Nhắc đến"}
ROLE_LABELS = {"basis": "căn cứ", "task_basis": "căn cứ của nhiệm vụ", "mention": "nhắc đến"}
CONFIDENCE_LABELS = {"confirmed": "đã xác nhận", "unconfirmed": "chưa xác nhận"}
# a change seen from the affected document ("bị … bởi") and from the document making it
EVENT_IN = {
    "replacement": "Bị thay thế bởi",
    "amendment": "Được sửa đổi, bổ sung bởi",
    "repeal": "Bị bãi bỏ bởi",
    "partial_repeal": "Bị bãi bỏ một phần bởi",
    "expiry": "Hết hiệu lực",
    "guidance": "Được hướng dẫn bởi",
}
EVENT_OUT = {
    "replacement": "Thay thế",
    "amendment": "Sửa đổi, bổ sung",
    "repeal": "Bãi bỏ",
    "partial_repeal": "Bãi bỏ một phần",
    "expiry": "Kế thừa",
    "guidance": "Hướng dẫn",
}
# example values of the named queries' parameters without a default, for the SPARQL editor's form
PARAM_EXAMPLES = {
    "symbol": "61/2018/NĐ-CP",
    "doc": str(iri.ID["doc/61-2018-nd-cp"]),
    "agency": "Văn phòng",
    "from": "2024-01-01",
    "to": "2024-12-31",
    "graph": str(iri.REGISTRY_GRAPH),
}


def vn_date(value: date | str | None) -> str:
    """ "2025-07-01" → "01/07/2025"; a year-month ("2026-06") → "06/2026"; None → ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    parts = str(value).split("-")
    return "/".join(reversed(parts))


def status_class(status: str | None) -> str:
    status = status or "unknown"
    return "st-" + STATUS_CLASS.get(status, status)


def plain(text: str | None) -> str:
    """Cell text without the HTML fragments some task tables carry ("<b>", "<ul>"), whitespace collapsed."""
    if not text:
        return ""
    text = re.sub(r"<\s*(br|/p|/li|li)\b[^>]*>", " ", text, flags=re.I)
    text = re.sub(r"<[^>]{0,200}>", "", text)
    return " ".join(text.split())


def plan_key(plan_iri: str) -> str:
    """The key of a plan's IRI (``id:plan/{key}``), which names its page ``/ke-hoach/{key}``."""
    return plan_iri.removeprefix(str(iri.ID) + "plan/")


def plan_link(plan: PlanOut) -> str:
    return f"/ke-hoach/{quote(plan_key(plan.iri))}"


def doc_url(symbol: str | None, doc_iri: str | None = None, in_registry: bool = True) -> str | None:
    """The document page of a symbol; a stub's IRI is added (a yearless symbol may name several documents)."""
    if not symbol:
        return None
    url = "/van-ban/" + quote(symbol, safe="/")
    if doc_iri and not in_registry:
        url += "?" + urlencode({"iri": doc_iri})
    return url


def task_anchor(number: str) -> str:
    return "task-" + iri.slug(number)


@pass_context
def url_for(context: dict[str, Any], name: str, /, **params: Any) -> str:
    """The path of a route or static file (relative to the host, so that a proxy's scheme and host are kept)."""
    return str(context["request"].url_for(name, **params).path)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True)
    env.filters.update(vn_date=vn_date, status_class=status_class, plain=plain, task_anchor=task_anchor)
    env.globals.update(
        STATUS_LABELS=STATUS_LABELS,
        STATUS_HINTS=STATUS_HINTS,
        DEPENDENCY_LABELS=DEPENDENCY_LABELS,
        ROLE_LABELS=ROLE_LABELS,
        CONFIDENCE_LABELS=CONFIDENCE_LABELS,
        EVENT_IN=EVENT_IN,
        EVENT_OUT=EVENT_OUT,
        OUTDATED=OUTDATED,
        url_for=url_for,  # before Starlette's (which gives absolute URLs)
        doc_url=doc_url,
        plan_key=plan_key,
        plan_link=plan_link,
    )
    return env


templates = Jinja2Templates(env=_environment())


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
    hits = []
    for h in result.results if result else []:
        if h.kind == "task":
            url = f"/ke-hoach/{quote(plan_key(h.plan))}#{task_anchor(h.task)}" if h.plan and h.task else None
        elif h.plan:
            url = f"/ke-hoach/{quote(plan_key(h.plan))}"
        else:
            url = doc_url(h.symbol, h.iri, in_registry=h.status != "unknown")
        hits.append({"hit": h, "url": url})
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
    related = _related(store, doc, when)
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


@dataclass
class Related:
    """A document drawn in the diagram: its relations to the document of the page."""

    iri: str
    symbol: str | None
    status: str
    labels: list[str]
    outgoing: bool  # True: the page's document acts on it (replaces, amends, guides)
    unconfirmed: bool = False
    url: str | None = None


def _related(store: Any, doc: DocumentOut, as_of: date) -> list[Related]:
    """The documents the diagram shows on its right: changes made to ``doc`` and changes ``doc`` makes."""
    found: dict[tuple[str, bool], Related] = {}

    def add(ref_iri: str, symbol: str | None, label: str, outgoing: bool, confidence: str | None) -> None:
        key = (ref_iri, outgoing)
        r = found.get(key)
        if r is None:
            st = services.status_at(store, ref_iri, as_of).status
            r = found[key] = Related(ref_iri, symbol, st, [], outgoing, url=doc_url(symbol, ref_iri, st != "unknown"))
        if label not in r.labels:
            r.labels.append(label)
        r.unconfirmed = r.unconfirmed or confidence == "unconfirmed"

    order = ("replacement", "repeal", "expiry", "partial_repeal", "amendment", "guidance")
    for e in sorted(doc.events_in, key=lambda e: order.index(e.kind)):
        if e.by is not None:
            add(e.by.iri, e.by.symbol, EVENT_IN[e.kind], False, e.confidence)
        if e.kind == "expiry":
            for s in e.successors:
                add(s.iri, s.symbol, "Văn bản kế thừa", False, e.confidence)
    for e in sorted(doc.events_out, key=lambda e: order.index(e.kind)):
        add(e.affected.iri, e.affected.symbol, EVENT_OUT[e.kind], True, e.confidence)
    return list(found.values())


# Colours of the statuses in the SVG (the same as style.css's --st-… variables).
SVG_COLOURS = {
    "in_force": ("#1f7a3d", "#e3f4e8"),
    "replaced": ("#b3261e", "#fde7e5"),
    "repealed": ("#8a3b00", "#fdebd8"),
    "expired": ("#8a3b00", "#fdebd8"),
    "partially_repealed": ("#9a6700", "#fff4cf"),
    "amended": ("#2a5db0", "#e5eefc"),
    "not_yet_in_force": ("#5b6675", "#eceff3"),
    "unknown": ("#5b6675", "#eceff3"),
    "plan": ("#4a3b8f", "#efecfb"),
}


def _width(text: str, size: float) -> float:
    """Rough width in px of a text in the page's sans-serif font: capitals and wide letters count more."""
    w = 0.0
    for ch in text:
        if ch.isupper() or ch in "mwMW":
            w += 0.70
        elif ch in " .,;:!|/()-'1iltfjr":
            w += 0.32
        else:
            w += 0.56
    return w * size


def _fit(text: str, px: float, size: float = 13) -> str:
    """The text, cut with "…" so that it fits ``px`` pixels at ``size``."""
    text = " ".join(text.split())
    if _width(text, size) <= px:
        return text
    while text and _width(text + "…", size) > px:
        text = text[:-1]
    return text.rstrip(" ,;:-") + "…"


NODE_W, NODE_H, ROW = 240.0, 60.0, 72.0


def _node(x: float, y: float, lines: tuple[str, str, str], colours: tuple[str, str], **kw: Any) -> str:
    """A box of three centred lines (what it is to the page's document, its name, its status or file)."""
    stroke, fill = colours
    w, h = NODE_W, NODE_H
    cls = "node center" if kw.get("center") else "node"
    dash = ' stroke-dasharray="5 4"' if kw.get("dashed") else ""
    cx = x + w / 2
    top, name, bottom = (_fit(lines[0], w - 16, 11.5), _fit(lines[1], w - 20, 15.5), _fit(lines[2], w - 16, 11.5))
    inner = (
        f'<g class="{cls}"><title>{escape(kw.get("tooltip") or lines[1])}</title>'
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" rx="8" fill="{fill}" stroke="{stroke}"{dash}/>'
        f'<text x="{cx:.0f}" y="{y + 17:.0f}" text-anchor="middle" font-size="11.5" fill="#3b4654">{escape(top)}</text>'
        f'<text x="{cx:.0f}" y="{y + 35:.0f}" text-anchor="middle" font-size="14" font-weight="600" fill="{stroke}">'
        f"{escape(name)}</text>"
        f'<text x="{cx:.0f}" y="{y + 51:.0f}" text-anchor="middle" font-size="11.5" fill="#3b4654">'
        f"{escape(bottom)}</text>"
        "</g>"
    )
    url = kw.get("url")
    return f'<a href="{escape(url)}">{inner}</a>' if url else inner


def _edge(x1: float, y1: float, x2: float, y2: float, ends: str, dashed: bool = False) -> str:
    mid = (x1 + x2) / 2
    cls = "edge dashed" if dashed else "edge"
    return (
        f'<path class="{cls}" d="M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}" {ends}/>'
    )


def relationship_svg(doc: DocumentOut, related: list[Related]) -> Markup:
    """The lược đồ of a document as inline SVG: the plans citing it on the left, the document in the middle, the
    documents that change it (or that it changes) on the right. Each box says its relation to the document, its
    name and its status; arrows point from the document acting to the one acted on; a dashed box and edge mark
    an unconfirmed relation; colours are statuses. Every text is escaped."""
    plans = doc.cited_by.plans
    left_x, center_x, right_x = 10.0, 370.0, 730.0
    width = right_x + NODE_W + 10
    rows = max(len(plans), len(related), 1)
    height = rows * ROW + 36
    cy = 28 + rows * ROW / 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" aria-labelledby="diagram-title">'
        f'<title id="diagram-title">Lược đồ quan hệ của {escape(doc.symbol or doc.title or "")}</title>'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8b96a5"/></marker></defs>'
    ]
    if plans:
        parts.append(
            f'<text x="{left_x}" y="16" class="edge-label" font-weight="600">Được viện dẫn bởi ({len(plans)})</text>'
        )
    if related:
        parts.append(f'<text x="{right_x}" y="16" class="edge-label" font-weight="600">Quan hệ với văn bản khác</text>')

    def ys(n: int) -> list[float]:
        top = cy - n * ROW / 2 + (ROW - NODE_H) / 2
        return [top + i * ROW for i in range(n)]

    for p, y in zip(plans, ys(len(plans)), strict=True):
        parts.append(_edge(left_x + NODE_W, y + NODE_H / 2, center_x, cy, 'marker-end="url(#arrow)"'))
        roles = ", ".join(ROLE_LABELS[r] for r in p.roles)
        name = p.symbol or p.title or Path(p.file).name
        parts.append(
            _node(
                left_x,
                y,
                (f"Viện dẫn ({roles})", name, Path(p.file).name),
                SVG_COLOURS["plan"],
                url=f"/ke-hoach/{quote(plan_key(p.iri))}",
                tooltip=f"{p.title or name} — {p.file}",
            )
        )
    for r, y in zip(related, ys(len(related)), strict=True):
        ends = 'marker-end="url(#arrow)"' if r.outgoing else 'marker-start="url(#arrow)"'
        parts.append(_edge(center_x + NODE_W, cy, right_x, y + NODE_H / 2, ends, r.unconfirmed))
        relation = "; ".join(r.labels)
        status = STATUS_LABELS.get(r.status, r.status) + (" · chưa xác nhận" if r.unconfirmed else "")
        parts.append(
            _node(
                right_x,
                y,
                (relation, r.symbol or "(không rõ số hiệu)", status),
                SVG_COLOURS.get(r.status, SVG_COLOURS["unknown"]),
                url=r.url,
                dashed=r.unconfirmed,
                tooltip=f"{relation}: {r.symbol or r.iri}" + (" (quan hệ chưa xác nhận)" if r.unconfirmed else ""),
            )
        )
    parts.append(
        _node(
            center_x,
            cy - NODE_H / 2,
            (doc.type or "Văn bản", doc.symbol or doc.title or "", STATUS_LABELS.get(doc.status, doc.status)),
            SVG_COLOURS.get(doc.status, SVG_COLOURS["unknown"]),
            center=True,
            tooltip=doc.title or doc.symbol,
        )
    )
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass
class Moment:
    when: date | None
    kind: str  # css class: ev-issued, ev-effective, ev-replacement, …
    text: str
    refs: list[tuple[str | None, str | None]]  # (symbol, url) of the documents involved
    scope: str | None = None
    confidence: str | None = None
    source: str | None = None
    future: bool = False


def timeline(doc: DocumentOut) -> list[Moment]:
    """The document's life in date order: issue, entry into force, then every change made to it (undated last)."""
    out: list[Moment] = []
    if doc.issued:
        out.append(Moment(doc.issued, "ev-issued", "Ban hành", []))
    if doc.effective:
        out.append(Moment(doc.effective, "ev-effective", "Có hiệu lực", []))
    for e in doc.events_in:
        refs = []
        if e.by is not None:
            refs.append((e.by.symbol, doc_url(e.by.symbol)))
        if e.kind == "expiry":
            refs += [(s.symbol, doc_url(s.symbol)) for s in e.successors]
        text = EVENT_IN[e.kind] + (" — văn bản kế thừa:" if e.kind == "expiry" and e.successors else "")
        out.append(
            Moment(
                e.effective,
                "ev-" + e.kind,
                text,
                refs,
                scope=e.scope,
                confidence=e.confidence,
                source=e.source,
                future=not e.in_effect,
            )
        )
    out.sort(key=lambda m: (m.when is None, m.when or date.min))
    return out


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
    cites = _citations(store, analysis, when)
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


def _citations(store: Any, analysis: Analysis, as_of: date) -> list[dict[str, Any]]:
    out = []
    for r in analysis.citations:
        st = services.status_at(store, r.iri, as_of) if r.in_registry else None
        status = st.status if st else "unknown"
        symbol = str(r.symbol) if r.symbol is not None else None
        out.append(
            {
                "start": r.start,
                "end": r.end,
                "text": r.text,
                "symbol": symbol,
                "name": symbol or r.citation.title or r.text,
                "role": r.role,
                "task": r.task,
                "status": status,
                "confidence": st.confidence if st else None,
                "since": st.since if st else None,
                "url": doc_url(symbol, r.iri, r.in_registry),
            }
        )
    return out


def highlight(text: str, cites: list[dict[str, Any]], annotate: bool = False) -> Markup:
    """The text with each citation wrapped in a link coloured by its status (``a.cite.st-…``); the rest escaped.

    Citations are offsets into ``text``; overlapping ones (never expected) keep the first."""
    parts: list[str] = []
    pos = len(text) - len(text.lstrip())  # leading blank lines (where a PDF header was) are not shown
    pos = min([pos] + [c["start"] for c in cites])
    for c in sorted(cites, key=lambda c: (c["start"], -c["end"])):
        if c["start"] < pos:
            continue
        parts.append(str(escape(text[pos : c["start"]])))
        label = STATUS_LABELS.get(c["status"], c["status"])
        unconfirmed = c.get("confidence") == "unconfirmed"
        tip = f"{c['name']}: {label}" + (" (chưa xác nhận)" if unconfirmed else "")
        cls = f"cite {status_class(c['status'])}" + (" is-unconfirmed" if unconfirmed else "")
        span = escape(text[c["start"] : c["end"]])
        attrs = (
            f'class="{cls}" id="c-{c["start"]}" title="{escape(tip)}" data-status="{escape(c["status"])}" '
            f'data-symbol="{escape(c["symbol"] or "")}"'
        )
        if c["url"]:
            parts.append(f'<a {attrs} href="{escape(c["url"])}">{span}</a>')
        else:
            parts.append(f"<span {attrs}>{span}</span>")
        if annotate:
            note = label + (" · chưa xác nhận" if unconfirmed else "")
            parts.append(f'<span class="annotation {status_class(c["status"])}">[{escape(note)}]</span>')
        pos = c["end"]
    parts.append(str(escape(text[pos:])))
    return Markup("".join(parts))


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
    cites = [
        {
            "start": c.start,
            "end": c.end,
            "text": c.text,
            "symbol": c.symbol,
            "name": c.symbol or c.text,
            "role": c.role,
            "task": None,
            "status": c.status,
            "confidence": c.confidence,
            "since": c.since,
            "url": doc_url(c.symbol) if c.resolved else None,
        }
        for c in result.citations
    ]
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
    named = []
    for name in queries.available():
        q = queries.load(name)
        named.append(
            {
                "name": q.name,
                "description": q.description,
                "text": q.text,
                "url": str(request.url_for("run_query", name=q.name).path),
                "params": [
                    {"name": p.name, "type": p.type, "default": p.default, "example": PARAM_EXAMPLES.get(p.name)}
                    for p in q.params
                ],
            }
        )
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
