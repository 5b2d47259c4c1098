"""The status of a document at a date, and its successors, from one table of the registry.

Status at a date D (docs/model.md): a document is out of force at D when a replacement, repeal or expiry is in
effect by D; it is then ``replaced``/``repealed``/``expired`` (the earliest such event decides). Otherwise a partial
repeal in effect makes it ``partially_repealed``, an amendment ``amended``. An event without a date counts as in
effect, as in the audit (the registry records it as a fact of its evidence date). ``not_yet_in_force`` before its
entry into force (or issue), ``unknown`` for a document not in the registry. Statuses and successors come from one
table of registry documents and change events, so a document costs two queries (itself, its citers).

A registry document with neither an issue nor an entry-into-force date (the registry has some, e.g. 187/2025/NĐ-CP)
is in force at D only when a dated change event shows it in force by D (``known_in_force``): a change it makes,
a lapse naming it as a successor, or a change made to it, taking effect on or before D. Otherwise it is
``not_yet_in_force`` before the year its symbol carries (``…/2025/…``: not issued before 2025), else ``unknown``
(in the registry, but whether it was in force at D is not known); a dated replacement, repeal or expiry in effect
still says it is out of force.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from ...store import Store
from ..models import ChangeEventOut, DocRef, SuccessorOut
from .cache import memo
from .rows import rows, to_date

ENDING = {"replacement": "replaced", "repeal": "repealed", "expiry": "expired"}
IN_FORCE = ("in_force", "amended", "partially_repealed")
OUTDATED = ("replaced", "repealed", "expired", "partially_repealed")


@dataclass(frozen=True)
class Event:
    iri: str
    kind: str
    affected: str
    affected_symbol: str | None
    by: str | None
    by_symbol: str | None
    successors: tuple[tuple[str, str | None], ...]
    effective: date | None
    scope: str | None
    source: str | None
    confidence: str | None
    note: str | None

    def in_effect(self, as_of: date) -> bool:
        return self.effective is None or self.effective <= as_of


@dataclass(frozen=True)
class RegistryDoc:
    iri: str
    symbol: str
    type: str | None
    title: str | None
    issued: date | None
    effective: date | None
    confidence: str | None


@dataclass(frozen=True)
class RegistryTable:
    docs: dict[str, RegistryDoc]
    events_in: dict[str, list[Event]]
    events_out: dict[str, list[Event]]


@dataclass(frozen=True)
class DocStatus:
    status: str
    confidence: str | None
    since: date | None
    event: Event | None = None  # the event behind the status


def registry_table(store: Store) -> RegistryTable:
    """The registry's documents and change events (both directions), each list in date order."""
    return memo(store, "table", lambda: _build_table(store))


def _build_table(store: Store) -> RegistryTable:
    docs = {
        r["doc"]: RegistryDoc(
            r["doc"], r["symbol"], r["type"], r["title"], to_date(r["issued"]), to_date(r["effective"]), r["confidence"]
        )
        for r in rows(store, "registry-documents")
    }
    successors: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    first: dict[str, dict[str, Any]] = {}
    for r in rows(store, "change-events"):
        first.setdefault(r["event"], r)
        if r["successor"] and (r["successor"], r["successorSymbol"]) not in successors[r["event"]]:
            successors[r["event"]].append((r["successor"], r["successorSymbol"]))
    events_in: dict[str, list[Event]] = defaultdict(list)
    events_out: dict[str, list[Event]] = defaultdict(list)
    for iri, r in first.items():
        e = Event(
            iri,
            r["kind"],
            r["affected"],
            r["affectedSymbol"],
            r["by"],
            r["bySymbol"],
            tuple(successors[iri]),
            to_date(r["effective"]),
            r["scope"],
            r["source"],
            r["confidence"],
            r["note"],
        )
        events_in[e.affected].append(e)
        if e.by:
            events_out[e.by].append(e)
    for table in (events_in, events_out):
        for events in table.values():
            events.sort(key=lambda e: (e.effective or date.min, e.kind, e.affected_symbol or "", e.iri))
    return RegistryTable(docs, dict(events_in), dict(events_out))


_SYMBOL_YEAR = re.compile(r"/((?:19|20)\d\d)(?=/|$)")


def symbol_year(symbol: str | None) -> int | None:
    """The year a symbol carries ("187/2025/NĐ-CP" → 2025; "451/QĐ-TTg" → None): the document's issue year."""
    m = _SYMBOL_YEAR.search(symbol or "")
    return int(m.group(1)) if m else None


def known_in_force(table: RegistryTable, doc: str) -> date | None:
    """The earliest date a dated change event shows ``doc`` in force: one it makes, a lapse naming it as a
    successor, or a change made to it (None: no such event)."""
    dates = [e.effective for e in table.events_out.get(doc, []) if e.effective]
    dates += [e.effective for e in table.events_in.get(doc, []) if e.effective]
    dates += [
        e.effective
        for events in table.events_in.values()
        for e in events
        if e.effective and e.kind == "expiry" and any(s == doc for s, _ in e.successors)
    ]
    return min(dates, default=None)


def status_in(table: RegistryTable, doc: str, as_of: date) -> DocStatus:
    """The status of ``doc`` at ``as_of`` by the rules of this module's docstring."""
    reg = table.docs.get(doc)
    if reg is None:
        return DocStatus("unknown", None, None)
    start = reg.effective or reg.issued
    if start is not None and start > as_of:
        return DocStatus("not_yet_in_force", reg.confidence, start)
    live = [e for e in table.events_in.get(doc, []) if e.in_effect(as_of)]
    if start is None:  # no dates: in force only as far as a dated event shows it
        known = known_in_force(table, doc)
        if known is None or known > as_of:
            gone = [e for e in live if e.kind in ENDING and e.effective is not None]
            if gone:
                e = min(gone, key=lambda e: (e.effective or date.min, list(ENDING).index(e.kind)))
                return DocStatus(ENDING[e.kind], e.confidence, e.effective, e)
            year = symbol_year(reg.symbol)
            if year is not None and as_of < date(year, 1, 1):
                return DocStatus("not_yet_in_force", reg.confidence, None)
            return DocStatus("unknown", reg.confidence, None)
    ending = [e for e in live if e.kind in ENDING]
    if ending:
        e = min(ending, key=lambda e: (e.effective or date.min, list(ENDING).index(e.kind)))
        return DocStatus(ENDING[e.kind], e.confidence, e.effective, e)
    for kind, status in (("partial_repeal", "partially_repealed"), ("amendment", "amended")):
        changes = [e for e in live if e.kind == kind]
        if changes:
            e = max(changes, key=lambda e: e.effective or date.min)  # the latest change in effect
            return DocStatus(status, e.confidence, e.effective, e)
    return DocStatus("in_force", reg.confidence, start)


def status_at(store: Store, doc_iri: str, as_of: date) -> DocStatus:
    """The status of a document (by IRI) at a date; ``unknown`` for a document not in the registry."""
    return status_in(registry_table(store), doc_iri, as_of)


def _successors(table: RegistryTable, doc: str) -> list[str]:
    """Successors through replacements and lapses naming them, transitively (as queries/successor.rq)."""
    found: list[str] = []
    frontier = [doc]
    while frontier:
        current = frontier.pop(0)
        for e in table.events_in.get(current, []):
            if e.kind in ("replacement", "expiry"):
                for succ, _symbol in e.successors:
                    if succ != doc and succ not in found:
                        found.append(succ)
                        frontier.append(succ)
    return found


def successors_out(table: RegistryTable, doc: str, as_of: date) -> list[SuccessorOut]:
    """The successors of ``doc``, each with its status at ``as_of``, oldest first."""
    out = []
    for succ in _successors(table, doc):
        reg = table.docs.get(succ)
        status = status_in(table, succ, as_of).status
        out.append(
            SuccessorOut(
                iri=succ,
                symbol=reg.symbol if reg else None,
                issued=reg.issued if reg else None,
                status=status,  # type: ignore[arg-type]
                current=status in IN_FORCE,
            )
        )
    out.sort(key=lambda s: (s.issued or date.min, s.symbol or ""))
    return out


def event_out(e: Event, as_of: date) -> ChangeEventOut:
    return ChangeEventOut(
        iri=e.iri,
        kind=e.kind,  # type: ignore[arg-type]
        affected=DocRef(iri=e.affected, symbol=e.affected_symbol),
        by=DocRef(iri=e.by, symbol=e.by_symbol) if e.by else None,
        successors=[DocRef(iri=i, symbol=s) for i, s in e.successors],
        effective=e.effective,
        in_effect=e.in_effect(as_of),
        scope=e.scope,
        source=e.source,
        confidence=e.confidence,  # type: ignore[arg-type]
        note=e.note,
    )


def evidence_date(store: Store) -> str | None:
    """When the registry's facts were last checked ("2026-06"): every status is as the registry knew it then."""

    def compute() -> str | None:
        found = rows(store, "registry-info")
        return found[0]["evidenceDate"] if found else None

    return memo(store, "evidence", compute)
