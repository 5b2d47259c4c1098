"""The audit: which plans and tasks depend on documents no longer (fully) in force (DESIGN.md "Contracts").

Findings come from ``queries/superseded-dependencies.rq`` and ``queries/unresolved-citations.rq``; this module
only shapes them: dependency kinds, one finding per plan for preamble bases (or per task with ``expand``),
transitive successors.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from . import queries
from .store import Store

FIELDS = ("plan", "file", "task", "cited", "finding", "since", "successors", "dependency", "confidence")
_DEPENDENCY = {"basis": "basis", "task_basis": "direct", "mention": "mention"}
_RANK = {"basis": 0, "direct": 1, "mention": 2}


@dataclass(frozen=True)
class Finding:
    plan: str
    file: str
    task: str | None
    cited: str
    finding: str
    since: str | None
    successors: list[str]
    dependency: str
    confidence: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _plan_label(row: dict[str, Any]) -> str:
    return row.get("planSymbol") or row.get("planTitle") or row["plan"]


def _run(store: Store, name: str, values: dict[str, str]) -> list[dict[str, Any]]:
    q = queries.load(name)
    return list(store.select(q.text, q.bind(values)))


def successors_by_doc(store: Store) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for row in _run(store, "successors-all", {}):
        if row["successorSymbol"] not in out[row["doc"]]:
            out[row["doc"]].append(row["successorSymbol"])
    return out


def audit(
    store: Store,
    as_of: date,
    files: list[str] | None = None,
    include_amended: bool = False,
    expand: bool = False,
    include_unresolved: bool = True,
    include_agencies: bool = True,
) -> list[Finding]:
    rows = _run(store, "superseded-dependencies", {"asOf": as_of.isoformat(), "includeAmended": str(include_amended)})
    successors = successors_by_doc(store)
    wanted = set(files) if files else None
    tasks_of: dict[str, list[str]] = defaultdict(list)
    if expand:
        for row in _run(store, "tasks-of-plan", {}):
            tasks_of[row["plan"]].append(row["number"])

    seen: set[tuple[Any, ...]] = set()
    findings: list[Finding] = []
    for row in rows:
        if wanted is not None and row["file"] not in wanted:
            continue
        if row["finding"] in ("amended", "partially_repealed"):
            # DESIGN.md: amendments only with --include-amended, and only those in force after the plan's date.
            # A partial repeal is treated alike: a plan cites a document as it stood when the plan was signed, so
            # a part already repealed then is not a dependency that changed under it.
            plan_date = row.get("planDate")
            if plan_date and row.get("since") and row["since"] <= plan_date:
                continue
        dependency = _DEPENDENCY[row["role"]]
        task = row.get("taskNumber") if dependency == "direct" else None
        targets: list[str | None] = [task]
        if dependency == "basis" and expand and tasks_of.get(row["plan"]):
            targets = list(tasks_of[row["plan"]])
        for t in targets:
            key = (row["plan"], t, row["doc"], row["finding"], row.get("since"), dependency)
            if key in seen:
                continue
            seen.add(key)
            findings.append(
                Finding(
                    plan=_plan_label(row),
                    file=row["file"],
                    task=t,
                    cited=row.get("symbol") or row["doc"],
                    finding=row["finding"],
                    since=row.get("since"),
                    successors=successors.get(row["doc"], []) if row["finding"] in ("replaced", "expired") else [],
                    dependency=dependency,
                    confidence=row["confidence"],
                )
            )
    findings = _drop_weaker_mentions(findings)
    if include_agencies:  # tasks and plans of agencies that no longer exist (succession.py)
        from .succession import agency_findings

        findings.extend(agency_findings(store, as_of, wanted))
    if include_unresolved:
        findings.extend(_unresolved(store, wanted))
    findings.sort(key=lambda f: (f.file, _natural(f.task), _RANK.get(f.dependency, 3), f.cited, f.finding))
    return findings


def _natural(number: str | None) -> tuple[Any, ...]:
    """Task numbers in reading order: "4" before "11", "I.2" before "I.10"; plan-level findings first."""
    if number is None:
        return ()
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.]", number))


def _drop_weaker_mentions(findings: list[Finding]) -> list[Finding]:
    """A document that is a plan's basis is not reported again as a mention of the same plan."""
    basis = {(f.plan, f.file, f.cited, f.finding) for f in findings if f.dependency == "basis"}
    return [f for f in findings if f.dependency != "mention" or (f.plan, f.file, f.cited, f.finding) not in basis]


def _unresolved(store: Store, wanted: set[str] | None) -> list[Finding]:
    """Once per plan and document: a cited document that is not in the registry, so its status is unknown."""
    out: dict[tuple[str, str], Finding] = {}
    for row in _run(store, "unresolved-citations", {}):
        if wanted is not None and row["file"] not in wanted:
            continue
        cited = row.get("symbol") or row.get("title") or row["doc"]
        key = (row["plan"], row["doc"])
        dependency = _DEPENDENCY[row["role"]]
        current = out.get(key)
        if current is not None and _RANK[current.dependency] <= _RANK[dependency]:
            continue
        out[key] = Finding(
            plan=_plan_label(row),
            file=row["file"],
            task=row.get("taskNumber") if dependency == "direct" else None,
            cited=cited,
            finding="unresolved",
            since=None,
            successors=[],
            dependency=dependency,
            confidence="unconfirmed",
        )
    return list(out.values())
