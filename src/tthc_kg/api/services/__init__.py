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

One module a concern: ``cache`` (the per-store memo every answer goes through: generation, TTL, single flight),
``rows`` (query rows as values), ``status`` (status at a date, successors, the registry table), ``documents``,
``plan_lookup``, ``audit``, ``change_impact``, ``task_filter``, ``check`` (a draft), ``search`` (plain search) and
``export``. Import them from here: ``from tthc_kg.api import services``; ``services.document_info(…)``.
"""

from __future__ import annotations

import importlib
from typing import Any

# Where each name lives; a module is imported on first use of one of its names, so a caller needing one service
# (the CLI's search needs only ``status``) does not import them all.
_HOME = {
    "audit_findings": "audit",
    "CACHE_SIZE": "cache",
    "CACHE_TTL": "cache",
    "CACHE_TTL_COUNTED": "cache",
    "memo": "cache",
    "impact": "change_impact",
    "check_text": "check",
    "cached_document_info": "documents",
    "canonical_symbol": "documents",
    "citers": "documents",
    "document_info": "documents",
    "export_rdf": "export",
    "find_plan": "plan_lookup",
    "plans": "plan_lookup",
    "fold": "search",
    "search_lexical": "search",
    "ENDING": "status",
    "IN_FORCE": "status",
    "OUTDATED": "status",
    "DocStatus": "status",
    "evidence_date": "status",
    "status_at": "status",
    "tasks": "task_filter",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(name)
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "CACHE_SIZE",
    "CACHE_TTL",
    "CACHE_TTL_COUNTED",
    "ENDING",
    "IN_FORCE",
    "OUTDATED",
    "DocStatus",
    "audit_findings",
    "cached_document_info",
    "canonical_symbol",
    "check_text",
    "citers",
    "document_info",
    "evidence_date",
    "export_rdf",
    "find_plan",
    "fold",
    "impact",
    "memo",
    "plans",
    "search_lexical",
    "status_at",
    "tasks",
]
