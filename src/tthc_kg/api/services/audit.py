"""The audit (tthc_kg.audit) as the API answers it: the CLI's jsonl rows, for every plan or one; the point in
time of each finding (``signing_notes``: valid when the plan was signed, or already out of force then); and the
officers' decision on each (``review_decisions``: acknowledged or dismissed, by whom, when, with a note)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from ...audit import audit
from ...impact import CHANGE_FINDINGS, PlanDate, plan_dates
from ...impact import signing_notes as _signing_notes
from ...review import annotate, load_reviews
from ...store import Store
from ..models import AuditOut, FindingOut
from .cache import memo
from .plan_lookup import find_plan, unknown_plan
from .status import evidence_date

__all__ = ["CHANGE_FINDINGS", "audit_findings", "review_decisions", "signed_dates", "signing_notes"]


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
    """For each finding, the point in time of ``tthc_kg.impact.signing_notes`` (the one implementation, which
    ``tthc-kg audit``'s table uses too), with the plans' dates cached per store state: "Còn hiệu lực khi ký
    (05/01/2024); hết hiệu lực từ 01/07/2025." or "Đã hết hiệu lực khi ký kế hoạch (2025)."; ``lang="en"`` as the
    CLI prints it. Empty when a date is unknown, and for unresolved citations and agencies."""
    rows = (f if isinstance(f, Mapping) else f.model_dump(mode="json") for f in findings)
    return _signing_notes(rows, signed_dates(store), as_of, lang=lang)


def review_decisions(store: Store, findings: Iterable[FindingOut | Mapping[str, Any]]) -> list[dict[str, str] | None]:
    """For each finding, the decision that counts (``review.annotate``: the latest; a preamble finding expanded
    per task shares its plan's): ``{"decision", "by", "at", "note"}``, or None when nobody has decided. Read from
    the store each time (one query), so a decision just recorded through /api/review shows at once."""
    rows = [f if isinstance(f, Mapping) else f.model_dump(mode="json") for f in findings]
    if not rows:
        return []
    return [r["review"] for r in annotate(rows, load_reviews(store))]
