"""The addresses of the web pages: a document's, a plan's, a task's anchor in its plan."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from .. import iri
from ..api.models import PlanOut, SearchHit


def plan_key(plan_iri: str) -> str:
    """The key of a plan's IRI (``id:plan/{key}``), which names its page ``/ke-hoach/{key}``."""
    return plan_iri.removeprefix(str(iri.ID) + "plan/")


def plan_link(plan: PlanOut) -> str:
    return f"/ke-hoach/{quote(plan_key(plan.iri))}"


def doc_url(symbol: str | None, doc_iri: str | None = None, in_registry: bool = True) -> str | None:
    """The document page of a symbol; a stub's IRI is added (a yearless symbol may name several documents)."""
    if not symbol:
        return None
    url = "/van-ban/" + quote(symbol, safe="/")
    if doc_iri and not in_registry:
        url += "?" + urlencode({"iri": doc_iri})
    return url


def task_anchor(number: str) -> str:
    return "task-" + iri.slug(number)


def hit_url(h: SearchHit) -> str | None:
    """The page of a search result: a task's anchor in its plan, a plan, or a document."""
    if h.kind == "task":
        return f"/ke-hoach/{quote(plan_key(h.plan))}#{task_anchor(h.task)}" if h.plan and h.task else None
    if h.plan:
        return f"/ke-hoach/{quote(plan_key(h.plan))}"
    return doc_url(h.symbol, h.iri, in_registry=h.status != "unknown")
