"""The impact of a document (``GET /api/impact``): the plans, tasks and agencies depending on the documents it
changes, as ``ImpactOut``.

The computation is ``tthc_kg.impact.impact`` (the rows of ``tthc-kg impact`` and of ``/api/impact/rows``); this
module only regroups its rows by plan and by task: a plan with the strongest dependency it has (basis, direct,
mention) and the changed documents it cites; a task citing a changed document in its own row ("direct"), or, with
``expand``, a task inheriting one from its plan's preamble ("basis", a task already direct is not repeated).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from ...impact import Impact
from ...impact import impact as impact_rows
from ...store import Store
from ..models import AgencyImpact, DocRef, ImpactOut, ImpactPlan, ImpactTask, TaskOut
from .cache import memo
from .documents import canonical_symbol, documents_by_symbol
from .plan_lookup import plans
from .rows import add_once, natural
from .status import RegistryTable, event_out, registry_table
from .task_filter import task_list

_DEPENDENCY_RANK = {"basis": 0, "direct": 1, "mention": 2}


def impact(store: Store, symbol: str, as_of: date, expand: bool = False) -> ImpactOut | None:
    """What depends on the documents this one changes (replaces, amends, repeals): plans, tasks, agencies.

    Tasks are those whose own basis cites a changed document; with ``expand``, also every task of a plan whose
    preamble cites one (the audit's ``--expand``). Guidance is not a change. None when the symbol is unknown.
    """
    symbol = canonical_symbol(symbol)
    return memo(store, ("impact", symbol, as_of, expand), lambda: _impact(store, symbol, as_of, expand))


def _impact(store: Store, symbol: str, as_of: date, expand: bool) -> ImpactOut | None:
    row = next(iter(documents_by_symbol(store, symbol).values()), None)
    if row is None:
        return None
    table = registry_table(store)
    if row["doc"] not in table.docs:  # cited somewhere, not in the registry: it changes nothing
        return ImpactOut(
            document=DocRef(iri=row["doc"], symbol=row["symbol"]),
            title=row["title"],
            as_of=as_of,
            changes=[],
            plans=[],
            tasks=[],
            agencies=[],
        )
    result = impact_rows(store, symbol, as_of, table=table, expand=expand)
    return ImpactOut(
        document=DocRef(iri=row["doc"], symbol=row["symbol"]),
        title=row["title"],
        as_of=as_of,
        changes=[event_out(e, as_of) for e in result.changes],
        **_regroup(store, result, table),
    )


def _regroup(store: Store, result: Impact, table: RegistryTable) -> dict[str, Any]:
    """The rows of ``tthc_kg.impact`` as ``ImpactOut``'s plans, tasks and agencies."""
    order = _document_order(result, table)
    plan_info = {p.file: p for p in plans(store)}
    task_info = {(t.file, t.number): t for t in task_list(store, "*", None, None)}
    plans_: dict[str, ImpactPlan] = {}
    direct: dict[tuple[str, str], list[str]] = defaultdict(list)
    inherited: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in sorted(result.rows, key=lambda r: order.get(r.cited, len(order))):
        p = plan_info.get(r.file)
        ip = plans_.setdefault(
            r.file,
            ImpactPlan(
                iri=p.iri if p else r.plan,
                title=p.title if p else None,
                symbol=p.symbol if p else None,
                file=r.file,
                dependency=r.dependency,  # type: ignore[arg-type]
                documents=[],
            ),
        )
        if _DEPENDENCY_RANK[r.dependency] < _DEPENDENCY_RANK[ip.dependency]:
            ip.dependency = r.dependency  # type: ignore[assignment]
        add_once(ip.documents, r.cited)
        if r.task is not None and (r.file, r.task) in task_info:
            add_once((direct if r.dependency == "direct" else inherited)[(r.file, r.task)], r.cited)
    tasks_ = [_impact_task(task_info[k], "direct", docs) for k, docs in direct.items()]
    tasks_ += [_impact_task(task_info[k], "basis", docs) for k, docs in inherited.items() if k not in direct]
    ordered = sorted(tasks_, key=lambda t: (t.file, natural(t.number)))
    by_agency: dict[str | None, list[ImpactTask]] = defaultdict(list)
    for t in ordered:
        for lead in t.lead or [None]:
            by_agency[lead].append(t)
    return {
        "plans": sorted(plans_.values(), key=lambda p: p.file),
        "tasks": ordered,
        "agencies": [
            AgencyImpact(agency=a, tasks=ts)
            for a, ts in sorted(by_agency.items(), key=lambda kv: (kv[0] is None, -len(kv[1]), kv[0] or ""))
        ],
    }


def _document_order(result: Impact, table: RegistryTable) -> dict[str, int]:
    """The changed documents' labels (as the rows cite them) in the order of the changes (by date)."""
    docs = table.docs
    order: dict[str, int] = {}
    for e in result.changes:
        label = docs[e.affected].symbol if e.affected in docs else (e.affected_symbol or e.affected)
        order.setdefault(label, len(order))
    return order


def _impact_task(t: TaskOut, dependency: str, documents: list[str]) -> ImpactTask:
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
        documents=documents,
    )
