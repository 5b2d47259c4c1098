"""A document's relationship diagram (lược đồ, inline SVG) and timeline, built from its API model.

Pure functions: a ``DocumentOut`` (and the statuses of the documents around it) in, markup or timeline entries out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

from ..api.models import DocumentOut
from .labels import EVENT_IN, EVENT_OUT, ROLE_LABELS, STATUS_LABELS
from .urls import doc_url, plan_key


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


def related_documents(doc: DocumentOut, status_of: Callable[[str], str]) -> list[Related]:
    """The documents the diagram shows on its right: changes made to ``doc`` and changes ``doc`` makes.

    ``status_of`` gives the status of a document (by IRI) at the page's date."""
    found: dict[tuple[str, bool], Related] = {}

    def add(ref_iri: str, symbol: str | None, label: str, outgoing: bool, confidence: str | None) -> None:
        key = (ref_iri, outgoing)
        r = found.get(key)
        if r is None:
            st = status_of(ref_iri)
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
