"""The ingested plans: the list, and one plan found by any name a user may give it."""

from __future__ import annotations

import os

from ...store import Store
from ..models import PlanOut
from .cache import memo
from .rows import rows, to_date


def plans(store: Store) -> list[PlanOut]:
    """The ingested plans, by file."""

    def compute() -> list[PlanOut]:
        return [
            PlanOut(
                iri=r["plan"],
                title=r["title"],
                symbol=r["symbol"],
                date=to_date(r["date"]),
                file=r["file"],
                graph=r["graph"],
                tasks=int(r["tasks"] or 0),
            )
            for r in rows(store, "plans")
        ]

    return memo(store, "plans", compute)


def find_plan(store: Store, ref: str) -> PlanOut | None:
    """A plan by its IRI, its file (as ingested, or the file name), its symbol or its named graph."""
    for p in plans(store):
        if ref in (p.iri, p.file, p.graph, p.symbol, os.path.basename(p.file)):
            return p
    return None


def unknown_plan(plan: str) -> LookupError:
    """The error of ``audit_findings`` and ``export_rdf`` for a plan not in the store."""
    return LookupError(f"no plan {plan!r} in the store (give its IRI, file, symbol or file name)")
