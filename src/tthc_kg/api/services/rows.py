"""Query rows as Python values: run a named query (``queries/*.rq``), read a date, order task numbers."""

from __future__ import annotations

from datetime import date
from typing import Any

from ... import queries
from ...store import Store


def rows(store: Store, name: str, **values: str) -> list[dict[str, Any]]:
    """The rows of the named query, with its parameters bound to ``values``."""
    q = queries.load(name)
    return list(store.select(q.text, q.bind(values)))


def to_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def natural(number: str | None) -> tuple[Any, ...]:
    """Task numbers in reading order: "4" before "11", "I.2" before "I.10"."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in (number or "").split("."))


def add_once(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)
