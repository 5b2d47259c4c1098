"""Search: the search engine's results for the web page and ``/api/search`` (:func:`find`, with the confidence
behind each status and the filters' choices, :func:`search_facets`), and a plain search — a case- and
diacritics-insensitive substring of symbols, titles and task contents (:func:`search_lexical`), which the page
falls back on when the search index cannot be read."""

from __future__ import annotations

import hashlib
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


# --- the search engine's answers, for the web page and /api/search -------------------------------------------

KINDS = ("document", "passage", "task")  # as tthc_kg.search.engine.KINDS (the engine's ``kind`` filter)


@dataclass(frozen=True)
class Found:
    """One result of :func:`find`: the engine's hit (``tthc_kg.search.SearchHit``) with what a page shows beside it:
    the confidence of the registry relation (or record) behind ``status``, and the unit's document facts."""

    kind: str
    symbol: str | None
    task: str | None
    title: str | None
    status: str | None
    confidence: str | None  # "confirmed" | "unconfirmed" | None (no registry document behind the status)
    score: float
    iri: str
    doc: str | None
    plan: str | None
    file: str | None
    type: str | None = None  # of the document it is or is about
    issuer: str | None = None
    year: int | None = None
    in_registry: bool = False
    plans: tuple[tuple[str, str], ...] = ()  # a passage: every (plan IRI, file) it is in
    issued: date | None = None  # the registry's dates of the document it is or is about
    effective: date | None = None

    def api(self) -> dict[str, Any]:
        """The fields of ``/api/search``'s results."""
        keys = ("kind", "symbol", "task", "title", "status", "score", "iri", "doc", "plan", "file")
        return {k: getattr(self, k) for k in keys}


@dataclass(frozen=True)
class FoundPage:
    q: str
    as_of: date
    dense: bool
    note: str | None
    results: list[Found]


def _unit_key(hit: Any) -> str:
    """The index key of a hit's unit (tthc_kg.search.corpus: "doc:IRI", "task:IRI", "passage:SHA-1(text\\nabout)")."""
    if hit.kind == "document":
        return "doc:" + hit.iri
    if hit.kind == "task":
        return "task:" + hit.iri
    return "passage:" + hashlib.sha1(f"{hit.title}\n{hit.doc}".encode()).hexdigest()


def _scan(units: dict[str, Any], hit: Any) -> Any:
    """The unit of a hit whose key is not the expected one (the index's key scheme changed): by kind, node, text."""
    for unit in units.values():
        if unit.kind == hit.kind and unit.iri == hit.iri and unit.title == hit.title:
            return unit
    return None


def find(
    store: Store,
    q: str,
    *,
    k: int = 10,
    as_of: date | None = None,
    type_: str | None = None,
    status: str | None = None,
    issuer: str | None = None,
    year: int | None = None,
    kind: str | None = None,
    dense: bool | None = None,
) -> FoundPage:
    """The search engine's best ``k`` results (:func:`tthc_kg.search.run`, same filters) of one ``kind`` when given,
    each with the confidence behind its status. Raises ``tthc_kg.search.SearchError`` on a bad query or filter."""
    from ...search import SearchError, run
    from ...search.index import open_index

    if kind is not None and kind not in KINDS:
        raise SearchError(f"kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    result = run(store, q, k, as_of, type_, status, issuer, year, dense, kind=kind)
    units = open_index(store, sync=False).units
    table = registry_table(store)
    out: list[Found] = []
    for h in result.hits:
        unit = units.get(_unit_key(h)) or _scan(units, h)
        plans: tuple[tuple[str, str], ...] = ()
        reg = table.docs.get(h.doc) if h.doc else None
        if unit is not None and unit.plans:
            files = _plan_files(store)
            plans = tuple((p, files.get(p, "")) for p in unit.plans)
        elif h.plan and h.kind != "document":
            plans = ((h.plan, h.file or ""),)
        out.append(
            Found(
                kind=h.kind,
                symbol=h.symbol,
                task=h.task,
                title=h.title,
                status=h.status,
                confidence=status_in(table, h.doc, result.as_of).confidence if h.doc else None,
                score=h.score,
                iri=h.iri,
                doc=h.doc,
                plan=h.plan,
                file=h.file,
                type=unit.type if unit is not None else None,
                issuer=unit.issuer if unit is not None else None,
                year=unit.year if unit is not None else None,
                in_registry=unit.in_registry if unit is not None else h.status not in (None, "unknown"),
                plans=plans,
                issued=reg.issued if reg is not None else None,
                effective=reg.effective if reg is not None else None,
            )
        )
        if len(out) == k:
            break
    return FoundPage(q, result.as_of, result.dense, result.note, out)


def _plan_files(store: Store) -> dict[str, str]:
    from .plan_lookup import plans

    return {p.iri: p.file for p in plans(store)}


@dataclass(frozen=True)
class Facets:
    """What the search page's filters offer: the type words, issuers and years of the searchable documents."""

    types: list[str]
    issuers: list[str]
    years: list[int]


def search_facets(store: Store) -> Facets:
    from ...search.index import open_index

    def compute() -> Facets:
        docs = [u for u in open_index(store).units.values() if u.kind == "document"]
        return Facets(
            types=sorted({u.type for u in docs if u.type}, key=fold),
            issuers=sorted({u.issuer for u in docs if u.issuer}, key=fold),
            years=sorted({u.year for u in docs if u.year}, reverse=True),
        )

    return memo(store, "search-facets", compute)
