"""The REST API's answers, as plain functions over the store (and the resolver, for drafts).

The routes and the web pages call these; each returns a model of ``api/models.py``. Stable signatures:

- ``document_info(store, symbol, as_of, iri=None) -> DocumentOut | None`` (``cached_document_info``: no query)
- ``audit_findings(store, as_of, plan=None, include_amended=False, expand=False) -> AuditOut``
- ``impact(store, symbol, as_of, expand=False) -> ImpactOut | None``
- ``tasks(store, agency=None, due_from=None, due_to=None, depends_on_superseded=None, as_of=None) -> TasksOut``
- ``check_text(store, resolver, text, as_of) -> CheckOut``
- ``search_lexical(store, q, limit=20, as_of=None) -> SearchOut``
- ``plans(store) -> list[PlanOut]``, ``find_plan(store, ref) -> PlanOut | None`` (ref: IRI, file, symbol or name)
- ``status_at(store, doc_iri, as_of) -> DocStatus``, ``evidence_date(store) -> str | None``
- ``export_rdf(store, fmt, plan=None) -> bytes``

``audit_findings`` and ``export_rdf`` raise ``LookupError`` for an unknown plan. The SPARQL is in ``queries/*.rq``.

Status at a date D (docs/model.md): a document is out of force at D when a replacement, repeal or expiry is in
effect by D; it is then ``replaced``/``repealed``/``expired`` (the earliest such event decides). Otherwise a partial
repeal in effect makes it ``partially_repealed``, an amendment ``amended``. An event without a date counts as in
effect, as in the audit (the registry records it as a fact of its evidence date). ``not_yet_in_force`` before its
entry into force (or issue), ``unknown`` for a document not in the registry. Statuses and successors come from one
table of registry documents and change events, so a document costs two queries (itself, its citers).

Results are memoized per store, keyed by the arguments and the store's ``generation`` (a counter the store bumps on
each write, when it has one: then entries live ``CACHE_TTL_COUNTED`` seconds); a store without one keeps them
``CACHE_TTL`` seconds, so a write is seen within that time. The returned models are shared: do not mutate them.
"""

from __future__ import annotations

import os
import threading
import time
import unicodedata
import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import pyoxigraph as ox

from .. import queries
from ..analyze import analyze_text
from ..audit import audit
from ..export_formats import rdf_bytes
from ..resolve import Resolver
from ..store import Store
from ..symbols import parse_symbol
from .models import (
    AgencyImpact,
    AuditOut,
    ChangeEventOut,
    CheckOut,
    CitationCheck,
    CitationSpan,
    CitersOut,
    DependencyOut,
    DocRef,
    DocumentOut,
    FindingOut,
    ImpactOut,
    ImpactPlan,
    ImpactTask,
    PlanCiter,
    PlanOut,
    SearchHit,
    SearchOut,
    SuccessorOut,
    TaskCiter,
    TaskOut,
    TasksOut,
)

CACHE_TTL = 5.0  # seconds, for a store without a generation counter (a write is seen within this time)
CACHE_TTL_COUNTED = 600.0  # seconds, for a store whose ``generation`` counts its writes
CACHE_SIZE = 2048  # entries per store

ENDING = {"replacement": "replaced", "repeal": "repealed", "expiry": "expired"}
IN_FORCE = ("in_force", "amended", "partially_repealed")
OUTDATED = ("replaced", "repealed", "expired", "partially_repealed")
_DEPENDENCY_RANK = {"basis": 0, "direct": 1, "mention": 2}

T = TypeVar("T")


# --- memo ---------------------------------------------------------------------------------------------------


class _Memo:
    """Per-store LRU of results keyed by (store generation, key), each kept at most a TTL (see CACHE_TTL).

    Single flight: when several threads miss the same key at once, one computes and the others wait for its result
    (without this, every request arriving while an entry is refreshed ran the same queries, on the same cores).
    """

    def __init__(self) -> None:
        self._stores: weakref.WeakKeyDictionary[Any, OrderedDict[Hashable, tuple[float, Any]]]
        self._stores = weakref.WeakKeyDictionary()
        self._flights: dict[tuple[int, Hashable], threading.Lock] = {}
        self._lock = threading.Lock()

    def _fresh(self, store: Store, full: Hashable, ttl: float) -> tuple[bool, Any]:
        with self._lock:
            entries = self._stores.setdefault(store, OrderedDict())
            hit = entries.get(full)
            if hit is not None and time.monotonic() - hit[0] < ttl:
                entries.move_to_end(full)
                return True, hit[1]
        return False, None

    @staticmethod
    def _key(store: Store, key: Hashable) -> tuple[Hashable, float]:
        generation = getattr(store, "generation", None)
        return (generation, key), CACHE_TTL if generation is None else CACHE_TTL_COUNTED

    def peek(self, store: Store, key: Hashable) -> tuple[bool, Any]:
        """(True, value) when a fresh value is cached, else (False, None); never computes."""
        return self._fresh(store, *self._key(store, key))

    def __call__(self, store: Store, key: Hashable, compute: Callable[[], T]) -> T:
        full, ttl = self._key(store, key)
        found, value = self._fresh(store, full, ttl)
        if found:
            return value  # type: ignore[no-any-return]
        with self._lock:
            flight = self._flights.setdefault((id(store), full), threading.Lock())
        with flight:
            found, value = self._fresh(store, full, ttl)  # computed by another thread meanwhile
            if found:
                return value  # type: ignore[no-any-return]
            value = compute()
            with self._lock:
                entries = self._stores.setdefault(store, OrderedDict())
                entries[full] = (time.monotonic(), value)
                while len(entries) > CACHE_SIZE:
                    entries.popitem(last=False)
                self._flights.pop((id(store), full), None)
        return value

    def clear(self) -> None:
        with self._lock:
            self._stores.clear()


memo = _Memo()


def _rows(store: Store, name: str, **values: str) -> list[dict[str, Any]]:
    q = queries.load(name)
    return list(store.select(q.text, q.bind(values)))


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _natural(number: str | None) -> tuple[Any, ...]:
    """Task numbers in reading order: "4" before "11", "I.2" before "I.10"."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in (number or "").split("."))


def canonical_symbol(text: str) -> str:
    """The canonical form of a symbol as typed ("61/2018/nđ-cp" → "61/2018/NĐ-CP"); other text NFC, stripped."""
    text = unicodedata.normalize("NFC", text).strip()
    parsed = parse_symbol(text)
    return str(parsed) if parsed is not None else text


# --- the registry table: documents and change events ---------------------------------------------------------


@dataclass(frozen=True)
class _Event:
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
class _RegistryDoc:
    iri: str
    symbol: str
    type: str | None
    title: str | None
    issued: date | None
    effective: date | None
    confidence: str | None


@dataclass(frozen=True)
class _Table:
    docs: dict[str, _RegistryDoc]
    events_in: dict[str, list[_Event]]
    events_out: dict[str, list[_Event]]


@dataclass(frozen=True)
class DocStatus:
    status: str
    confidence: str | None
    since: date | None
    event: _Event | None = None  # the event behind the status


def _table(store: Store) -> _Table:
    return memo(store, "table", lambda: _build_table(store))


def _build_table(store: Store) -> _Table:
    docs = {
        r["doc"]: _RegistryDoc(
            r["doc"], r["symbol"], r["type"], r["title"], _d(r["issued"]), _d(r["effective"]), r["confidence"]
        )
        for r in _rows(store, "registry-documents")
    }
    successors: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    first: dict[str, dict[str, Any]] = {}
    for r in _rows(store, "change-events"):
        first.setdefault(r["event"], r)
        if r["successor"] and (r["successor"], r["successorSymbol"]) not in successors[r["event"]]:
            successors[r["event"]].append((r["successor"], r["successorSymbol"]))
    events_in: dict[str, list[_Event]] = defaultdict(list)
    events_out: dict[str, list[_Event]] = defaultdict(list)
    for iri, r in first.items():
        e = _Event(
            iri,
            r["kind"],
            r["affected"],
            r["affectedSymbol"],
            r["by"],
            r["bySymbol"],
            tuple(successors[iri]),
            _d(r["effective"]),
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
    return _Table(docs, dict(events_in), dict(events_out))


def _status(table: _Table, doc: str, as_of: date) -> DocStatus:
    reg = table.docs.get(doc)
    if reg is None:
        return DocStatus("unknown", None, None)
    start = reg.effective or reg.issued
    if start is not None and start > as_of:
        return DocStatus("not_yet_in_force", reg.confidence, start)
    live = [e for e in table.events_in.get(doc, []) if e.in_effect(as_of)]
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
    return _status(_table(store), doc_iri, as_of)


def _successors(table: _Table, doc: str) -> list[str]:
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


def _successors_out(table: _Table, doc: str, as_of: date) -> list[SuccessorOut]:
    out = []
    for succ in _successors(table, doc):
        reg = table.docs.get(succ)
        status = _status(table, succ, as_of).status
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


def _event_out(e: _Event, as_of: date) -> ChangeEventOut:
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
        rows = _rows(store, "registry-info")
        return rows[0]["evidenceDate"] if rows else None

    return memo(store, "evidence", compute)


# --- documents ----------------------------------------------------------------------------------------------


def _documents(store: Store, symbol: str) -> dict[str, dict[str, Any]]:
    """The documents with this (canonical) symbol, registry documents first; a stub's rows merged."""

    def compute() -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for r in _rows(store, "document", symbol=symbol):
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
    docs = _documents(store, symbol)
    row = docs.get(iri) if iri else next(iter(docs.values()), None)
    if row is None:
        return None
    doc = row["doc"]
    table = _table(store)
    status = _status(table, doc, as_of)
    return DocumentOut(
        iri=doc,
        symbol=row["symbol"],
        type=row["type"],
        title=row["title"],
        issuer=row["issuer"],
        issued=_d(row["issued"]),
        effective=_d(row["effective"]),
        no_longer_in_force=_d(row["noLongerInForce"]),
        in_registry=bool(row["inRegistry"]),
        is_plan=bool(row["isPlan"]),
        file=row["file"],
        status_note=row["statusNote"],
        registry_confidence=row["confidence"],
        as_of=as_of,
        status=status.status,  # type: ignore[arg-type]
        status_confidence=status.confidence,  # type: ignore[arg-type]
        since=status.since,
        events_in=[_event_out(e, as_of) for e in table.events_in.get(doc, [])],
        events_out=[_event_out(e, as_of) for e in table.events_out.get(doc, [])],
        successors=_successors_out(table, doc, as_of),
        cited_by=citers(store, doc),
        same_symbol=[d for d in docs if d != doc],
    )


def citers(store: Store, doc_iri: str) -> CitersOut:
    """Who cites a document (by IRI): the plans, with every citation, and the tasks citing it in their row."""
    return memo(store, ("citers", doc_iri), lambda: _citers(store, doc_iri))


def _citers(store: Store, doc_iri: str) -> CitersOut:
    plan_info = {p.iri: p for p in plans(store)}
    task_info = {(t.plan, t.number): t for t in _task_list(store, "*", None, None)}
    plans_: dict[str, PlanCiter] = {}
    tasks_: dict[tuple[str, str], TaskCiter] = {}
    for r in _rows(store, "document-citers", doc=doc_iri):
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
        _add(p.roles, r["role"])  # type: ignore[arg-type]
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
        tasks=sorted(tasks_.values(), key=lambda t: (t.file, _natural(t.number))),
    )


# --- plans, audit -------------------------------------------------------------------------------------------


def plans(store: Store) -> list[PlanOut]:
    """The ingested plans, by file."""

    def compute() -> list[PlanOut]:
        return [
            PlanOut(
                iri=r["plan"],
                title=r["title"],
                symbol=r["symbol"],
                date=_d(r["date"]),
                file=r["file"],
                graph=r["graph"],
                tasks=int(r["tasks"] or 0),
            )
            for r in _rows(store, "plans")
        ]

    return memo(store, "plans", compute)


def find_plan(store: Store, ref: str) -> PlanOut | None:
    """A plan by its IRI, its file (as ingested, or the file name), its symbol or its named graph."""
    for p in plans(store):
        if ref in (p.iri, p.file, p.graph, p.symbol, os.path.basename(p.file)):
            return p
    return None


def audit_findings(
    store: Store, as_of: date, plan: str | None = None, include_amended: bool = False, expand: bool = False
) -> AuditOut:
    """The audit (tthc_kg.audit) as the CLI's jsonl rows, for every plan or one (LookupError if unknown)."""
    target = find_plan(store, plan) if plan else None
    if plan and target is None:
        raise LookupError(f"no plan {plan!r} in the store (give its IRI, file, symbol or file name)")

    def compute() -> AuditOut:
        found = audit(store, as_of, [target.file] if target else None, include_amended=include_amended, expand=expand)
        return AuditOut(
            as_of=as_of,
            evidence_date=evidence_date(store),
            plan=target.iri if target else None,
            count=len(found),
            findings=[FindingOut(**f.as_dict()) for f in found],
        )

    return memo(store, ("audit", as_of, target.iri if target else None, include_amended, expand), compute)


# --- impact -------------------------------------------------------------------------------------------------


def impact(store: Store, symbol: str, as_of: date, expand: bool = False) -> ImpactOut | None:
    """What depends on the documents this one changes (replaces, amends, repeals): plans, tasks, agencies.

    Tasks are those whose own basis cites a changed document; with ``expand``, also every task of a plan whose
    preamble cites one (the audit's ``--expand``). Guidance is not a change. None when the symbol is unknown.
    """
    symbol = canonical_symbol(symbol)
    return memo(store, ("impact", symbol, as_of, expand), lambda: _impact(store, symbol, as_of, expand))


def _impact(store: Store, symbol: str, as_of: date, expand: bool) -> ImpactOut | None:
    row = next(iter(_documents(store, symbol).values()), None)
    if row is None:
        return None
    table = _table(store)
    changes = [e for e in table.events_out.get(row["doc"], []) if e.kind != "guidance"]
    plans_: dict[str, ImpactPlan] = {}
    tasks_: dict[tuple[str, str], ImpactTask] = {}
    basis: dict[str, list[str]] = defaultdict(list)  # plan → changed documents in its preamble
    for affected in dict.fromkeys(e.affected for e in changes):
        label = table.docs[affected].symbol if affected in table.docs else affected
        cited = citers(store, affected)
        for p in cited.plans:
            dependency = "basis" if "basis" in p.roles else "direct" if "task_basis" in p.roles else "mention"
            ip = plans_.setdefault(
                p.iri,
                ImpactPlan(iri=p.iri, title=p.title, symbol=p.symbol, file=p.file, dependency=dependency, documents=[]),
            )
            if _DEPENDENCY_RANK[dependency] < _DEPENDENCY_RANK[ip.dependency]:
                ip.dependency = dependency  # type: ignore[assignment]
            _add(ip.documents, label)
            if "basis" in p.roles:
                _add(basis[p.iri], label)
        for t in cited.tasks:
            it = tasks_.setdefault((t.plan, t.number), _impact_task(t, "direct"))
            _add(it.documents, label)
    if expand:
        for t in _task_list(store, "*", None, None):
            if t.plan in basis and (t.plan, t.number) not in tasks_:
                tasks_[(t.plan, t.number)] = _impact_task(t, "basis", basis[t.plan])
    ordered = sorted(tasks_.values(), key=lambda t: (t.file, _natural(t.number)))
    by_agency: dict[str | None, list[ImpactTask]] = defaultdict(list)
    for t in ordered:
        for lead in t.lead or [None]:
            by_agency[lead].append(t)
    return ImpactOut(
        document=DocRef(iri=row["doc"], symbol=row["symbol"]),
        title=row["title"],
        as_of=as_of,
        changes=[_event_out(e, as_of) for e in changes],
        plans=sorted(plans_.values(), key=lambda p: p.file),
        tasks=ordered,
        agencies=[
            AgencyImpact(agency=a, tasks=ts)
            for a, ts in sorted(by_agency.items(), key=lambda kv: (kv[0] is None, -len(kv[1]), kv[0] or ""))
        ],
    )


def _add(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


def _impact_task(t: TaskCiter | TaskOut, dependency: str, documents: list[str] | None = None) -> ImpactTask:
    return ImpactTask(
        plan=t.plan,
        plan_title=t.plan_title,
        file=t.file,
        number=t.number,
        content=t.content,
        lead=list(t.lead),
        timeframe=t.timeframe,
        due=t.due,
        dependency=dependency,  # type: ignore[arg-type]
        documents=list(documents or []),
    )


# --- tasks --------------------------------------------------------------------------------------------------


def tasks(
    store: Store,
    agency: str | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    depends_on_superseded: bool | None = None,
    as_of: date | None = None,
) -> TasksOut:
    """Tasks filtered by agency (lead or coordinator, name substring, case-insensitive), due-date range and
    whether they depend on a document replaced, repealed, expired or partially repealed at ``as_of`` (directly or
    through their plan's preamble; None: no filter). Each task lists those dependencies."""
    as_of = as_of or queries.today()
    key = ("tasks", agency, due_from, due_to, depends_on_superseded, as_of)
    return memo(store, key, lambda: _tasks(store, agency, due_from, due_to, depends_on_superseded, as_of))


def _tasks(
    store: Store,
    agency: str | None,
    due_from: date | None,
    due_to: date | None,
    depends_on_superseded: bool | None,
    as_of: date,
) -> TasksOut:
    deps = _dependencies(store, as_of)
    out = []
    for t in _task_list(store, (agency or "").strip() or "*", due_from, due_to):
        depends = deps.get((t.file, t.number), [])
        if depends_on_superseded is not None and bool(depends) != depends_on_superseded:
            continue
        out.append(t.model_copy(update={"depends_on": depends}))
    return TasksOut(as_of=as_of, count=len(out), tasks=out)


def _task_list(store: Store, agency: str, due_from: date | None, due_to: date | None) -> list[TaskOut]:
    def compute() -> list[TaskOut]:
        found: dict[str, TaskOut] = {}
        rows = _rows(
            store,
            "tasks-filter",
            agency=agency,
            withDue=str(due_from is not None or due_to is not None).lower(),
            dueFrom=(due_from or date.min).isoformat(),
            dueTo=(due_to or date.max).isoformat(),
        )
        for r in rows:
            t = found.get(r["task"])
            if t is None:
                t = found[r["task"]] = TaskOut(
                    plan=r["plan"],
                    plan_title=r["planTitle"],
                    plan_symbol=r["planSymbol"],
                    file=r["file"],
                    number=r["number"],
                    section=r["section"],
                    content=r["content"],
                    lead=[],
                    coordinators=[],
                    timeframe=r["timeframe"],
                    due=_d(r["due"]),
                    recurring=bool(r["recurring"]),
                    depends_on=[],
                )
            if r["lead"]:
                _add(t.lead, r["lead"])
            if r["coordinator"]:
                _add(t.coordinators, r["coordinator"])
        return sorted(found.values(), key=lambda t: (t.file, _natural(t.number)))

    return memo(store, ("task-list", agency, due_from, due_to), compute)


def _dependencies(store: Store, as_of: date) -> dict[tuple[str, str], list[DependencyOut]]:
    """(file, task number) → the superseded documents the task depends on: the audit, expanded to every task."""

    def compute() -> dict[tuple[str, str], list[DependencyOut]]:
        out: dict[tuple[str, str], list[DependencyOut]] = defaultdict(list)
        for f in audit(store, as_of, expand=True, include_unresolved=False):
            if f.task is not None and f.finding in OUTDATED:
                out[(f.file, f.task)].append(
                    DependencyOut(
                        cited=f.cited,
                        finding=f.finding,
                        since=_d(f.since),
                        successors=f.successors,
                        dependency=f.dependency,  # type: ignore[arg-type]
                        confidence=f.confidence,  # type: ignore[arg-type]
                    )
                )
        return dict(out)

    return memo(store, ("dependencies", as_of), compute)


# --- check a draft ------------------------------------------------------------------------------------------


def check_text(store: Store, resolver: Resolver, text: str, as_of: date) -> CheckOut:
    """The citations of a draft plan, each with its status at ``as_of`` and a message in Vietnamese: the drafter
    sees outdated căn cứ before signing. Offsets are into ``text`` as given."""
    analysis = analyze_text("draft.txt", text, resolver)
    table = _table(store)
    out = []
    for r in analysis.citations:
        status = _status(table, r.iri, as_of) if r.in_registry else DocStatus("unknown", None, None)
        successors = _successors_out(table, r.iri, as_of) if r.in_registry else []
        names = [s.symbol or s.iri for s in sorted(successors, key=lambda s: not s.current)]
        c = r.citation
        out.append(
            CitationCheck(
                symbol=str(r.symbol) if r.symbol is not None else None,
                type=c.type,
                date=c.date,
                start=r.start,
                end=r.end,
                text=r.text,
                role=r.role,  # type: ignore[arg-type]
                resolved=r.iri if r.in_registry else None,
                status=status.status,  # type: ignore[arg-type]
                since=status.since,
                successors=names,
                confidence=status.confidence,  # type: ignore[arg-type]
                message=_message(c.type, str(r.symbol) if r.symbol is not None else r.text, status, names),
            )
        )
    outdated = sum(1 for c in out if c.status in OUTDATED)
    return CheckOut(as_of=as_of, evidence_date=evidence_date(store), count=len(out), outdated=outdated, citations=out)


def _vn_date(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _message(type_word: str | None, name: str, status: DocStatus, successors: list[str]) -> str:
    """What the drafter should know of one citation, in Vietnamese."""
    label = f"{type_word} {name}" if type_word and not name.lower().startswith(type_word.lower()) else name
    since = f" từ ngày {_vn_date(status.since)}" if status.since else ""
    by = status.event.by_symbol if status.event and status.event.by_symbol else None
    after = ", ".join(successors)
    text = {
        "replaced": f"{label} đã được thay thế{f' bởi {after}' if after else ''}{since}; "
        "cần viện dẫn văn bản thay thế.",
        "repealed": f"{label} đã bị bãi bỏ{since}; không còn là căn cứ pháp lý.",
        "expired": f"{label} đã hết hiệu lực{since}" + (f"; văn bản kế thừa: {after}." if after else "."),
        "partially_repealed": f"{label} đã bị bãi bỏ một phần"
        + (f" ({status.event.scope})" if status.event and status.event.scope else "")
        + f"{since}; phần còn lại vẫn còn hiệu lực.",
        "amended": f"{label} còn hiệu lực, đã được sửa đổi, bổ sung{f' bởi {by}' if by else ''}{since}.",
        "in_force": f"{label} còn hiệu lực.",
        "not_yet_in_force": f"{label} chưa có hiệu lực (có hiệu lực{since}).",
        "unknown": f"{label} không có trong cơ sở dữ liệu văn bản; chưa xác định được hiệu lực.",
    }[status.status]
    if status.confidence == "unconfirmed":
        text += " (Thông tin này chưa được xác nhận.)"
    return text


# --- plain search -------------------------------------------------------------------------------------------

_FOLD = str.maketrans({"đ": "d", "Đ": "d", "ƣ": "u", "Ƣ": "u"})


def fold(text: str) -> str:
    """Lowercase, without diacritics, spaces collapsed: "Nghị định số 61/2018/NĐ-CP" → "nghi dinh so 61/2018/nd-cp"."""
    text = unicodedata.normalize("NFD", text.translate(_FOLD))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    return " ".join(text.split())


@dataclass(frozen=True)
class _Label:
    kind: str
    iri: str
    symbol: str | None
    title: str | None
    folded_symbol: str
    folded_title: str
    plan: str | None
    file: str | None
    number: str | None
    in_registry: bool


def _labels(store: Store) -> list[_Label]:
    def compute() -> list[_Label]:
        return [
            _Label(
                r["kind"],
                r["item"],
                r["symbol"],
                r["title"],
                fold(r["symbol"] or ""),
                fold(r["title"] or ""),
                r["plan"],
                r["file"],
                r["number"],
                bool(r["inRegistry"]),
            )
            for r in _rows(store, "search-labels")
        ]

    return memo(store, "labels", compute)


def search_lexical(store: Store, q: str, limit: int = 20, as_of: date | None = None) -> SearchOut:
    """Plain search: a case- and diacritics-insensitive substring of document symbols and titles and of task
    contents (in Python over search-labels.rq; the home page's box uses it until the search index lands)."""
    needle = fold(q)
    as_of = as_of or queries.today()
    best: dict[str, tuple[float, _Label]] = {}
    if needle:
        for label in _labels(store):
            score = _score(label, needle)
            if score and score > best.get(label.iri, (0.0, label))[0]:
                best[label.iri] = (score, label)
    ranked = sorted(best.values(), key=lambda sl: (-sl[0], _order(sl[1])))
    table = _table(store)
    results = [
        SearchHit(
            kind=label.kind,  # type: ignore[arg-type]
            symbol=label.symbol,
            task=label.number,
            title=label.title,
            status=_status(table, label.iri, as_of).status if label.kind == "document" else None,  # type: ignore[arg-type]
            score=score,
            iri=label.iri,
            plan=label.plan,
            file=label.file,
        )
        for score, label in ranked[: max(1, limit)]
    ]
    return SearchOut(q=q, count=len(results), results=results)


def _order(label: _Label) -> tuple[Any, ...]:
    """Among equal scores: registry documents, then other documents with a symbol, then the rest; tasks last."""
    rank = 0 if label.in_registry else 1 if label.symbol else 2
    return (label.kind, rank, label.symbol or "", label.file or "", _natural(label.number))


def _score(label: _Label, needle: str) -> float:
    if label.kind == "task":
        return 0.4 if needle in label.folded_title else 0.0
    if label.folded_symbol and needle == label.folded_symbol:
        return 1.0
    if needle in label.folded_symbol:
        return 0.8
    return 0.6 if needle in label.folded_title else 0.0


# --- exports ------------------------------------------------------------------------------------------------


def export_rdf(store: Store, fmt: str, plan: str | None = None) -> bytes:
    """The whole store, or one plan's named graph (LookupError if unknown), as turtle, nquads or jsonld."""
    if plan is None:
        return rdf_bytes(store.dump(ox.RdfFormat.N_QUADS), fmt)
    target = find_plan(store, plan)
    if target is None:
        raise LookupError(f"no plan {plan!r} in the store (give its IRI, file, symbol or file name)")
    q = queries.load("graph-triples")
    graph = ox.NamedNode(target.graph)
    quads = [ox.Quad(s["s"], s["p"], s["o"], graph) for s in store.query(q.text, q.bind({"graph": target.graph}))]
    return rdf_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS), fmt)
