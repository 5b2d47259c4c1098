"""A text with its citations highlighted: each a link coloured by its document's status, the rest escaped.

A citation is a "mark" (a dict: offsets, text, symbol, name, role, task, status, confidence, since, url), built from
the analysis of a plan (``plan_marks``) or from the check of a draft (``check_marks``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Protocol

from markupsafe import Markup, escape

from ..analyze import Analysis
from ..api.models import CheckOut
from .labels import STATUS_LABELS, status_class
from .urls import doc_url


class Status(Protocol):
    """A document's status at a date, as ``services.status_at`` gives it."""

    @property
    def status(self) -> str: ...
    @property
    def confidence(self) -> str | None: ...
    @property
    def since(self) -> date | None: ...


def plan_marks(analysis: Analysis, status_of: Callable[[str], Status]) -> list[dict[str, Any]]:
    """The marks of a plan's citations; ``status_of`` gives a registry document's status (by IRI)."""
    out = []
    for r in analysis.citations:
        st = status_of(r.iri) if r.in_registry else None
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


def check_marks(result: CheckOut) -> list[dict[str, Any]]:
    """The marks of a checked draft's citations."""
    return [
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
