"""The Jinja2 environment of the web pages (autoescaped): the templates, their filters and globals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context

from .labels import (
    CONFIDENCE_LABELS,
    DEPENDENCY_LABELS,
    EVENT_IN,
    EVENT_OUT,
    OUTDATED,
    ROLE_LABELS,
    STATUS_HINTS,
    STATUS_LABELS,
    plain,
    status_class,
    vn_date,
)
from .urls import doc_url, plan_key, plan_link, task_anchor

TEMPLATES = Path(__file__).resolve().parent / "templates"


@pass_context
def url_for(context: dict[str, Any], name: str, /, **params: Any) -> str:
    """The path of a route or static file (relative to the host, so that a proxy's scheme and host are kept)."""
    return str(context["request"].url_for(name, **params).path)


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True)
    env.filters.update(vn_date=vn_date, status_class=status_class, plain=plain, task_anchor=task_anchor)
    env.globals.update(
        STATUS_LABELS=STATUS_LABELS,
        STATUS_HINTS=STATUS_HINTS,
        DEPENDENCY_LABELS=DEPENDENCY_LABELS,
        ROLE_LABELS=ROLE_LABELS,
        CONFIDENCE_LABELS=CONFIDENCE_LABELS,
        EVENT_IN=EVENT_IN,
        EVENT_OUT=EVENT_OUT,
        OUTDATED=OUTDATED,
        url_for=url_for,  # before Starlette's (which gives absolute URLs)
        doc_url=doc_url,
        plan_key=plan_key,
        plan_link=plan_link,
    )
    return env
