"""Tasks filtered by agency, due date and dependence on superseded documents (queries/tasks-filter.rq)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from ... import queries
from ...audit import audit
from ...store import Store
from ..models import DependencyOut, TaskOut, TasksOut
from .cache import memo
from .rows import add_once, natural, rows, to_date
from .status import OUTDATED


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
    for t in task_list(store, (agency or "").strip() or "*", due_from, due_to):
        depends = deps.get((t.file, t.number), [])
        if depends_on_superseded is not None and bool(depends) != depends_on_superseded:
            continue
        out.append(t.model_copy(update={"depends_on": depends}))
    return TasksOut(as_of=as_of, count=len(out), tasks=out)


def task_list(store: Store, agency: str, due_from: date | None, due_to: date | None) -> list[TaskOut]:
    """The tasks of an agency (``*``: every task) due in a range, in file and reading order; no dependencies."""

    def compute() -> list[TaskOut]:
        found: dict[str, TaskOut] = {}
        found_rows = rows(
            store,
            "tasks-filter",
            agency=agency,
            withDue=str(due_from is not None or due_to is not None).lower(),
            dueFrom=(due_from or date.min).isoformat(),
            dueTo=(due_to or date.max).isoformat(),
        )
        for r in found_rows:
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
                    due=to_date(r["due"]),
                    recurring=bool(r["recurring"]),
                    depends_on=[],
                )
            if r["lead"]:
                add_once(t.lead, r["lead"])
            if r["coordinator"]:
                add_once(t.coordinators, r["coordinator"])
        return sorted(found.values(), key=lambda t: (t.file, natural(t.number)))

    return memo(store, ("task-list", agency, due_from, due_to), compute)


def _dependencies(store: Store, as_of: date) -> dict[tuple[str, str], list[DependencyOut]]:
    """(file, task number) → the superseded documents the task depends on: the audit, expanded to every task."""

    def compute() -> dict[tuple[str, str], list[DependencyOut]]:
        out: dict[tuple[str, str], list[DependencyOut]] = defaultdict(list)
        # the agency findings (agency_dissolved) are not among OUTDATED: not computed at all
        for f in audit(store, as_of, expand=True, include_unresolved=False, include_agencies=False):
            if f.task is not None and f.finding in OUTDATED:
                out[(f.file, f.task)].append(
                    DependencyOut(
                        cited=f.cited,
                        finding=f.finding,
                        since=to_date(f.since),
                        successors=f.successors,
                        dependency=f.dependency,  # type: ignore[arg-type]
                        confidence=f.confidence,  # type: ignore[arg-type]
                    )
                )
        return dict(out)

    return memo(store, ("dependencies", as_of), compute)
