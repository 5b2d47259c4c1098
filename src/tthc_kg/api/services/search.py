"""Plain search: a case- and diacritics-insensitive substring of symbols, titles and task contents."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from ... import queries
from ...store import Store
from ..models import SearchHit, SearchOut
from .cache import memo
from .rows import natural, rows
from .status import registry_table, status_in

_FOLD = str.maketrans({"đ": "d", "Đ": "d", "ƣ": "u", "Ƣ": "u"})


def fold(text: str) -> str:
    """Lowercase, without diacritics, spaces collapsed: "Nghị định số 61/2018/NĐ-CP" → "nghi dinh so 61/2018/nd-cp"."""
    text = unicodedata.normalize("NFD", text.translate(_FOLD))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    return " ".join(text.split())


@dataclass(frozen=True)
class _Label:
    kind: str
    iri: str
    symbol: str | None
    title: str | None
    folded_symbol: str
    folded_title: str
    plan: str | None
    file: str | None
    number: str | None
    in_registry: bool


def _labels(store: Store) -> list[_Label]:
    def compute() -> list[_Label]:
        return [
            _Label(
                r["kind"],
                r["item"],
                r["symbol"],
                r["title"],
                fold(r["symbol"] or ""),
                fold(r["title"] or ""),
                r["plan"],
                r["file"],
                r["number"],
                bool(r["inRegistry"]),
            )
            for r in rows(store, "search-labels")
        ]

    return memo(store, "labels", compute)


def search_lexical(store: Store, q: str, limit: int = 20, as_of: date | None = None) -> SearchOut:
    """Plain search: a case- and diacritics-insensitive substring of document symbols and titles and of task
    contents (in Python over search-labels.rq; the home page's box uses it until the search index lands)."""
    needle = fold(q)
    as_of = as_of or queries.today()
    best: dict[str, tuple[float, _Label]] = {}
    if needle:
        for label in _labels(store):
            score = _score(label, needle)
            if score and score > best.get(label.iri, (0.0, label))[0]:
                best[label.iri] = (score, label)
    ranked = sorted(best.values(), key=lambda sl: (-sl[0], _order(sl[1])))
    table = registry_table(store)
    results = [
        SearchHit(
            kind=label.kind,  # type: ignore[arg-type]
            symbol=label.symbol,
            task=label.number,
            title=label.title,
            status=status_in(table, label.iri, as_of).status if label.kind == "document" else None,  # type: ignore[arg-type]
            score=score,
            iri=label.iri,
            plan=label.plan,
            file=label.file,
        )
        for score, label in ranked[: max(1, limit)]
    ]
    return SearchOut(q=q, count=len(results), results=results)


def _order(label: _Label) -> tuple[Any, ...]:
    """Among equal scores: registry documents, then other documents with a symbol, then the rest; tasks last."""
    rank = 0 if label.in_registry else 1 if label.symbol else 2
    return (label.kind, rank, label.symbol or "", label.file or "", natural(label.number))


def _score(label: _Label, needle: str) -> float:
    if label.kind == "task":
        return 0.4 if needle in label.folded_title else 0.0
    if label.folded_symbol and needle == label.folded_symbol:
        return 1.0
    if needle in label.folded_symbol:
        return 0.8
    return 0.6 if needle in label.folded_title else 0.0
