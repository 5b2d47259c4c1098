"""The impact of a document: the plans, tasks and agencies depending on the documents it changes."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from ...store import Store
from ..models import AgencyImpact, DocRef, ImpactOut, ImpactPlan, ImpactTask, TaskCiter, TaskOut
from .cache import memo
from .documents import canonical_symbol, citers, documents_by_symbol
from .rows import add_once, natural
from .status import event_out, registry_table
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
            add_once(ip.documents, label)
            if "basis" in p.roles:
                add_once(basis[p.iri], label)
        for t in cited.tasks:
            it = tasks_.setdefault((t.plan, t.number), _impact_task(t, "direct"))
            add_once(it.documents, label)
    if expand:
        for t in task_list(store, "*", None, None):
            if t.plan in basis and (t.plan, t.number) not in tasks_:
                tasks_[(t.plan, t.number)] = _impact_task(t, "basis", basis[t.plan])
    ordered = sorted(tasks_.values(), key=lambda t: (t.file, natural(t.number)))
    by_agency: dict[str | None, list[ImpactTask]] = defaultdict(list)
    for t in ordered:
        for lead in t.lead or [None]:
            by_agency[lead].append(t)
    return ImpactOut(
        document=DocRef(iri=row["doc"], symbol=row["symbol"]),
        title=row["title"],
        as_of=as_of,
        changes=[event_out(e, as_of) for e in changes],
        plans=sorted(plans_.values(), key=lambda p: p.file),
        tasks=ordered,
        agencies=[
            AgencyImpact(agency=a, tasks=ts)
            for a, ts in sorted(by_agency.items(), key=lambda kv: (kv[0] is None, -len(kv[1]), kv[0] or ""))
        ],
    )


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
