"""The audit: which plans and tasks depend on documents no longer (fully) in force (DESIGN.md "Contracts").

Findings come from ``queries/superseded-dependencies.rq`` (its rows as :func:`tthc_kg.superseded.rows` reads
them from the dependency records), ``queries/unresolved-citations.rq`` and the agency changes (succession.py,
``agency-names`` then ``agency-tasks`` for the agencies that no longer exist); this module
only shapes them: dependency kinds, one finding per plan for preamble bases (or per task with ``expand``),
transitive successors. The helper queries return rows in no particular order (an ORDER BY on the embedded store
decodes every compared string from disk); the findings are ordered here, ties broken by value, so the output
does not depend on the engine's row order (bench/README.md "scale.py", "Audit at scale").
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from . import queries, superseded
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


def _in_order(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows sorted by ``keys`` as SPARQL's ORDER BY sorts them (unbound first), ties broken by every other column:
    the same order whatever order a store returned them in."""
    rest = sorted({k for r in rows for k in r} - set(keys))
    return sorted(rows, key=lambda r: [_unset_first(r.get(k)) for k in keys] + [_unset_first(r.get(k)) for k in rest])


def _unset_first(value: Any) -> tuple[bool, str]:
    """A sort key that puts an unbound value first, as SPARQL's ORDER BY does."""
    return (value is not None, "" if value is None else str(value))


def successors_by_doc(store: Store) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for row in _in_order(_run(store, "successors-all", {}), ("doc", "successorDate", "successorSymbol")):
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
    # the rows of superseded-dependencies.rq, read fast from the dependency records (tthc_kg/superseded.py)
    rows = superseded.rows(store, as_of, include_amended)
    rows = _in_order(rows, ("file", "taskNumber", "symbol", "finding", "since"))  # the query's ORDER BY, then ties
    successors = successors_by_doc(store)
    wanted = set(files) if files else None
    tasks_of: dict[str, list[str]] = defaultdict(list)
    if expand:
        for row in sorted(_run(store, "tasks-of-plan", {}), key=lambda r: (r["plan"], r["number"])):
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
        findings.extend(_agency_findings(store, as_of, wanted))
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
    """Once per plan and document: a cited document that is not in the registry, so its status is unknown. Where
    a plan cites it several times the strongest dependency is reported (basis, then direct, then mention), and
    among those the first by file, symbol, title (unbound first) and task number."""
    out: dict[tuple[str, str], Finding] = {}
    rows = _run(store, "unresolved-citations", {})
    rows.sort(  # every column: the same order whatever order the store returned the rows in
        key=lambda r: (
            r["file"],
            _unset_first(r.get("symbol")),
            _unset_first(r.get("title")),
            _natural(r.get("taskNumber")),
            r["role"],
            r["plan"],
            _unset_first(r.get("planSymbol")),
            _unset_first(r.get("planTitle")),
            r["doc"],
        )
    )
    for row in rows:
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


def _agency_findings(store: Store, as_of: date, wanted: set[str] | None) -> list[Finding]:
    """Findings ``agency_dissolved``: tasks led or coordinated by, and plans issued by, an agency that no longer
    exists at ``as_of`` (docs/cli.md). One finding per plan, task, role and agency name. Each name (an agency's
    label, or an issuer as printed) is checked once; only the tasks and plans of the agencies that ceased are read
    (``agency-tasks``), so the cost follows the findings, not every task of every plan."""
    from .succession import Cessation, Succession, agency_finding

    succession = Succession.from_store(store)
    if not succession._ended_by:
        return []
    task_names: dict[str, list[tuple[str, Cessation]]] = defaultdict(list)  # org IRI → its labels that ceased
    issuer_names: dict[tuple[str, str], Cessation] = {}  # (org IRI, issuer name as printed) → cessation
    for row in _run(store, "agency-names", {}):
        c = succession.ceased(row["label"], row["org"], as_of)
        if c is None:
            continue
        if row["kind"] == "task":
            task_names[row["org"]].append((row["label"], c))
        else:
            issuer_names[(row["org"], row["label"])] = c
    hits: list[tuple[dict[str, Any], str | None, str, Cessation]] = []
    for org in sorted(set(task_names) | {o for o, _ in issuer_names}):
        for row in _run(store, "agency-tasks", {"org": org}):
            if wanted is not None and row["file"] not in wanted:
                continue
            if row["role"] == "issuer":
                c = issuer_names.get((org, row["label"]))
                hits.extend([(row, None, row["label"], c)] if c is not None else [])
            else:
                hits.extend(
                    (row, row["taskNumber"], name, c)
                    for name, c in sorted(task_names.get(org, []), key=lambda nc: nc[0])
                )
    hits.sort(key=lambda h: (h[0]["file"], _natural(h[1]), h[2], h[0]["role"], _plan_label(h[0]), h[0]["plan"]))
    out: list[Finding] = []
    seen: set[tuple[Any, ...]] = set()
    for row, task, name, c in hits:
        key = (row["plan"], task, name, row["role"])
        if key in seen:
            continue
        seen.add(key)
        out.append(agency_finding(row, task, name, c))
    return out
