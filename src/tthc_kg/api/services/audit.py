"""The audit (tthc_kg.audit) as the API answers it: the CLI's jsonl rows, for every plan or one."""

from __future__ import annotations

from datetime import date

from ...audit import audit
from ...store import Store
from ..models import AuditOut, FindingOut
from .cache import memo
from .plan_lookup import find_plan, unknown_plan
from .status import evidence_date


def audit_findings(
    store: Store, as_of: date, plan: str | None = None, include_amended: bool = False, expand: bool = False
) -> AuditOut:
    """The audit (tthc_kg.audit) as the CLI's jsonl rows, for every plan or one (LookupError if unknown)."""
    target = find_plan(store, plan) if plan else None
    if plan and target is None:
        raise unknown_plan(plan)

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
