"""A document by its symbol: what it is, its status and changes, its successors, and who cites it."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from ...store import Store
from ...symbols import parse_symbol
from ..models import CitationSpan, CitersOut, DocumentOut, PlanCiter, TaskCiter
from .cache import memo
from .plan_lookup import plans
from .rows import add_once, natural, rows, to_date
from .status import event_out, registry_table, status_in, successors_out
from .task_filter import task_list


def canonical_symbol(text: str) -> str:
    """The canonical form of a symbol as typed ("61/2018/nđ-cp" → "61/2018/NĐ-CP"); other text NFC, stripped."""
    text = unicodedata.normalize("NFC", text).strip()
    parsed = parse_symbol(text)
    return str(parsed) if parsed is not None else text


def documents_by_symbol(store: Store, symbol: str) -> dict[str, dict[str, Any]]:
    """The documents with this (canonical) symbol, registry documents first; a stub's rows merged."""

    def compute() -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for r in rows(store, "document", symbol=symbol):
            merged = out.setdefault(r["doc"], dict(r))
            for k, v in r.items():
                if merged.get(k) is None:
                    merged[k] = v
        return out

    return memo(store, ("documents", symbol), compute)


def document_info(store: Store, symbol: str, as_of: date, iri: str | None = None) -> DocumentOut | None:
    """A document by symbol (the first registry document with it, or the one named by ``iri``); None if absent."""
    symbol = canonical_symbol(symbol)
    return memo(store, ("document", symbol, as_of, iri), lambda: _document_info(store, symbol, as_of, iri))


def cached_document_info(
    store: Store, symbol: str, as_of: date, iri: str | None = None
) -> tuple[bool, DocumentOut | None]:
    """``(True, document_info(…))`` when that answer is cached, else ``(False, None)`` without querying: an async
    route answers a hit in the event loop and sends only a miss to a worker thread."""
    return memo.peek(store, ("document", canonical_symbol(symbol), as_of, iri))


def _document_info(store: Store, symbol: str, as_of: date, iri: str | None) -> DocumentOut | None:
    docs = documents_by_symbol(store, symbol)
    row = docs.get(iri) if iri else next(iter(docs.values()), None)
    if row is None:
        return None
    doc = row["doc"]
    table = registry_table(store)
    status = status_in(table, doc, as_of)
    return DocumentOut(
        iri=doc,
        symbol=row["symbol"],
        type=row["type"],
        title=row["title"],
        issuer=row["issuer"],
        issued=to_date(row["issued"]),
        effective=to_date(row["effective"]),
        no_longer_in_force=to_date(row["noLongerInForce"]),
        in_registry=bool(row["inRegistry"]),
        is_plan=bool(row["isPlan"]),
        file=row["file"],
        status_note=row["statusNote"],
        registry_confidence=row["confidence"],
        as_of=as_of,
        status=status.status,  # type: ignore[arg-type]
        status_confidence=status.confidence,  # type: ignore[arg-type]
        since=status.since,
        events_in=[event_out(e, as_of) for e in table.events_in.get(doc, [])],
        events_out=[event_out(e, as_of) for e in table.events_out.get(doc, [])],
        successors=successors_out(table, doc, as_of),
        cited_by=citers(store, doc),
        same_symbol=[d for d in docs if d != doc],
    )


def citers(store: Store, doc_iri: str) -> CitersOut:
    """Who cites a document (by IRI): the plans, with every citation, and the tasks citing it in their row."""
    return memo(store, ("citers", doc_iri), lambda: _citers(store, doc_iri))


def _citers(store: Store, doc_iri: str) -> CitersOut:
    plan_info = {p.iri: p for p in plans(store)}
    task_info = {(t.plan, t.number): t for t in task_list(store, "*", None, None)}
    plans_: dict[str, PlanCiter] = {}
    tasks_: dict[tuple[str, str], TaskCiter] = {}
    for r in rows(store, "document-citers", doc=doc_iri):
        info = plan_info.get(r["plan"])
        p = plans_.get(r["plan"])
        if p is None:
            p = plans_[r["plan"]] = PlanCiter(
                iri=r["plan"],
                title=info.title if info else None,
                symbol=info.symbol if info else None,
                file=r["file"],
                roles=[],
                citations=[],
            )
        add_once(p.roles, r["role"])  # type: ignore[arg-type]
        p.citations.append(
            CitationSpan(
                start=r["start"], end=r["end"], text=r["text"], role=r["role"], scope=r["scope"], task=r["taskNumber"]
            )
        )
        task = task_info.get((r["plan"], r["taskNumber"]))
        if task is not None and (task.plan, task.number) not in tasks_:
            tasks_[(task.plan, task.number)] = TaskCiter(
                plan=task.plan,
                plan_title=task.plan_title,
                file=task.file,
                number=task.number,
                content=task.content,
                lead=list(task.lead),
                timeframe=task.timeframe,
                due=task.due,
                role=r["role"],
            )
    return CitersOut(
        plans=sorted(plans_.values(), key=lambda p: p.file),
        tasks=sorted(tasks_.values(), key=lambda t: (t.file, natural(t.number))),
    )
