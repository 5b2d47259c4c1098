"""The flagship question read fast: which plans and tasks depend on a document that was replaced, repealed, expired
or partially repealed (``queries/superseded-dependencies.rq``), from the dependency records.

``superseded-dependencies.rq`` states the question in SPARQL and is what a SPARQL user runs (the named query, the
``/sparql`` editor, a server). It cuts each stored dependency record into its fields with string functions, which
costs Oxigraph far more than reading the record (each intermediate string is a term of its own). This module runs
``superseded-events.rq`` (the change events, a few dozen rows) and reads the records of each document they affect
as stored — on the embedded store all of a document's records as one string (``dependency-records-joined.rq``),
elsewhere one solution each (``dependency-records.rq``) — and does the cutting
(:mod:`tthc_kg.dependency_records`) and the sort in Python: the same rows (tests/test_superseded.py compares the
two on the seeds and on generated plans, embedded and on the SPARQL servers). :func:`page` is a page of them in
the store's order, with no sort of every row. Measured: bench/README.md "scale.py".
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from . import queries
from .dependency_records import Record, decode, decode_joined
from .store import Store

EVENTS, RECORDS, JOINED = "superseded-events", "dependency-records", "dependency-records-joined"
# The columns of superseded-dependencies.rq, in its order, and its ORDER BY keys.
COLUMNS = (
    *("asOf", "includeAmended", "plan", "planTitle", "planSymbol", "planDate", "file", "taskNumber"),
    *("doc", "symbol", "finding", "since", "confidence", "role", "scope", "event"),
)
ORDER = ("file", "taskNumber", "symbol", "finding", "since")
_REST = tuple(c for c in COLUMNS if c not in ORDER)


def _values(as_of: date | str | None, include_amended: bool) -> dict[str, str]:
    values = {"includeAmended": "true" if include_amended else "false"}
    if as_of is not None:
        values["asOf"] = as_of if isinstance(as_of, str) else as_of.isoformat()
    return values


def events(store: Any, as_of: date | str | None = None, include_amended: bool = False) -> list[dict[str, Any]]:
    """The change events at ``as_of`` (queries/superseded-events.rq), sorted by document and event."""
    q = queries.load(EVENTS)
    return list(store.select(q.text, q.bind(_values(as_of, include_amended))))


def records(store: Any, doc: str, limit: int | None = None, offset: int = 0) -> list[Record]:
    """The dependency records of ``doc`` (queries/dependency-records.rq), in the store's order."""
    q = queries.load(RECORDS)
    text = q.text if limit is None else f"{q.text}\nLIMIT {int(limit)} OFFSET {int(offset)}"
    if isinstance(store, Store):  # the solutions themselves: only ?record is read (each read term costs a lookup)
        return [decode(r["record"].value) for r in store.query(text, q.bind({"doc": doc}))]
    return [decode(r["record"]) for r in store.select(text, q.bind({"doc": doc}))]


def _row(event: dict[str, Any], rec: Record) -> dict[str, Any]:
    return {
        "asOf": event["asOf"],
        "includeAmended": event["includeAmended"],
        "plan": rec.plan,
        "planTitle": rec.planTitle,
        "planSymbol": rec.planSymbol,
        "planDate": rec.planDate,
        "file": rec.file,
        "taskNumber": rec.taskNumber,
        "doc": event["doc"],
        "symbol": event.get("symbol"),
        "finding": event["finding"],
        "since": event.get("since"),
        "confidence": event["confidence"],
        "role": rec.role,
        "scope": event.get("scope"),
        "event": event["event"],
    }


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    """ORDER BY ?file ?taskNumber ?symbol ?finding ?since (unbound first, strings by code point, as Oxigraph
    compares them), ties broken by the other columns so the order is the same on every store."""
    task, symbol, since, scope = row["taskNumber"], row["symbol"], row["since"], row["scope"]
    plan_symbol, plan_date, title = row["planSymbol"], row["planDate"], row["planTitle"]
    return (
        *(row["file"], task is not None, task or "", symbol is not None, symbol or "", row["finding"]),
        *(since is not None, since or "", row["event"], scope is not None, scope or "", row["plan"], row["role"]),
        *(plan_symbol is not None, plan_symbol or "", plan_date is not None, plan_date or ""),
        *(title is not None, title or "", row["doc"], row["confidence"]),
    )


def _event_key(e: dict[str, Any]) -> tuple[Any, ...]:
    """The part of :func:`_key` an event gives (the same for each of its rows)."""
    symbol, since, scope = e.get("symbol"), e.get("since"), e.get("scope")
    return (
        *(symbol is not None, symbol or "", e["finding"], since is not None, since or "", e["event"]),
        *(scope is not None, scope or ""),
    )


def _record_keys(r: Record) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The parts of :func:`_key` a record gives: before the event's part, and after it."""
    return (r.file, r.taskNumber is not None, r.taskNumber or ""), (
        *(r.plan, r.role, r.planSymbol is not None, r.planSymbol or "", r.planDate is not None, r.planDate or ""),
        *(r.planTitle is not None, r.planTitle or ""),
    )


def all_records(store: Any, docs: list[str]) -> dict[str, list[Record]]:
    """Every dependency record of each of ``docs``, in no particular order. On the embedded store one string a
    document (queries/dependency-records-joined.rq: the store joins the records, so Python reads one value, not
    one solution a record); elsewhere :func:`records` (a server's string functions and limits on long strings
    differ)."""
    if not isinstance(store, Store):
        return {doc: records(store, doc) for doc in docs}
    q = queries.load(JOINED)
    out: dict[str, list[Record]] = {}
    for doc in docs:
        found = [(r[1].value, int(r[2].value)) for r in store.query(q.text, q.bind({"doc": doc}))]
        out[doc] = decode_joined(*found[0]) if found else []
    return out


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while tens of thousands of rows are built (none of them is a cycle; each
    collection would walk them all again: a third of the time at 32k rows)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def rows(store: Any, as_of: date | str | None = None, include_amended: bool = False) -> list[dict[str, Any]]:
    """Every row of superseded-dependencies at ``as_of`` (default today), sorted as it sorts them (:func:`_key`):
    each change event with each record of the document it affects (each document's records read once)."""
    evs = events(store, as_of, include_amended)
    with _gc_paused():
        recs = all_records(store, list(dict.fromkeys(e["doc"] for e in evs)))
        keyed = []
        for doc, rs in recs.items():
            rkeys = [_record_keys(r) for r in rs]
            for e in evs:
                if e["doc"] == doc:  # the key of _key in four parts of fixed length: compared as the flat tuple
                    ek, tail = _event_key(e), (doc, e["confidence"])
                    keyed += [((k1, ek, k2, tail), e, r) for (k1, k2), r in zip(rkeys, rs, strict=True)]
        keyed.sort(key=lambda t: t[0])
        return [_row(e, r) for _, e, r in keyed]


def page(
    store: Any, limit: int, offset: int = 0, as_of: date | str | None = None, include_amended: bool = False
) -> list[dict[str, Any]]:
    """``limit`` rows from ``offset``, in the order of the events (superseded-events.rq: by document, event)
    and, within an event, of the document's records in the store: all pages together are the rows of
    :func:`rows`, and a page reads only the records it shows (and those it skips), not all of them."""
    if type(limit) is not int or type(offset) is not int or limit < 1 or offset < 0:
        raise ValueError(f"page: expected limit ≥ 1 and offset ≥ 0, got {limit!r}, {offset!r}")
    out: list[dict[str, Any]] = []
    skip = offset
    counts: dict[str, int] = {}
    for e in events(store, as_of, include_amended):
        doc = e["doc"]
        if doc not in counts and skip > 0:  # how many rows this event adds, to skip it whole when it can
            counts[doc] = len(records(store, doc))
        if skip >= counts.get(doc, -1) >= 0:
            skip -= counts[doc]
            continue
        for rec in records(store, doc, limit=limit - len(out), offset=skip):
            out.append(_row(e, rec))
        skip = 0
        if len(out) == limit:
            break
    return out
