"""The audit (tthc_kg.audit) as the API answers it: the CLI's jsonl rows, for every plan or one; and the point in
time of each finding (``signing_notes``: valid when the plan was signed, or already out of force then)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from ...audit import audit
from ...impact import PlanDate, plan_dates, signing_note
from ...store import Store
from ..models import AuditOut, FindingOut
from .cache import memo
from .plan_lookup import find_plan, unknown_plan
from .status import evidence_date

# the findings about a change to a cited document (not an unresolved citation nor a dissolved agency)
CHANGE_FINDINGS = ("replaced", "repealed", "expired", "partially_repealed", "amended")


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


def signed_dates(store: Store) -> dict[str, PlanDate]:
    """Each plan's date by file, as precisely as the plan prints it (``tthc_kg.impact.plan_dates``)."""
    return memo(store, "plan-dates", lambda: plan_dates(store))


def signing_notes(
    store: Store, findings: Iterable[FindingOut | Mapping[str, Any]], as_of: date, lang: str = "vi"
) -> list[str]:
    """For each finding, the point in time of ``tthc_kg.impact.signing_note`` (as ``tthc-kg audit``'s table):
    "Còn hiệu lực khi ký (05/01/2024); hết hiệu lực từ 01/07/2025." or "Đã hết hiệu lực khi ký kế hoạch (2025).";
    ``lang="en"`` as the CLI prints it. Empty when a date is unknown, and for unresolved citations and agencies."""
    dates = signed_dates(store)
    out = []
    for f in findings:
        row = f if isinstance(f, Mapping) else f.model_dump(mode="json")
        note = None
        if row["finding"] in CHANGE_FINDINGS:
            note = signing_note(row["finding"], row.get("since"), dates.get(row["file"]), as_of, lang=lang)
        out.append(note or "")
    return out
