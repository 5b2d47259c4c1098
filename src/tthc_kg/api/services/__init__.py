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

from .audit import audit_findings
from .cache import CACHE_SIZE, CACHE_TTL, CACHE_TTL_COUNTED, memo
from .change_impact import impact
from .check import check_text
from .documents import cached_document_info, canonical_symbol, citers, document_info
from .export import export_rdf
from .plan_lookup import find_plan, plans
from .search import fold, search_lexical
from .status import ENDING, IN_FORCE, OUTDATED, DocStatus, evidence_date, status_at
from .task_filter import tasks

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
