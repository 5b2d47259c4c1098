"""A query → ranked hits: symbol routing, lexical and dense retrieval, fusion, filters, statuses.

1. **Symbols go straight to the document.** A symbol-shaped part of the query ("nd 61/2018", "61/2018",
   "61/2018/NĐ-CP", "qđ 45/2016", "2684/QĐ-UBND") puts the documents with that number and year (and code or type,
   when given) first, registry documents before others.
2. **Lexical** (BM25 over syllables, bigrams and folded tokens: :mod:`.tokenize`, with the query's domain
   synonyms at a lower weight: :mod:`.synonyms`) and **dense**
   (multilingual-e5-small over the units that have vectors: :mod:`.dense`) each rank the units by their best
   short piece (:mod:`.pieces`); z-score fusion (:func:`.fuse.zscore`) merges the two rankings, each weighted by
   how far its best candidates stand above the rest. The query is embedded in a worker thread while BM25 runs.
   :func:`rank_units` is this step alone, on any index of pieces (no store): bench/search_eval.py measures it
   on ALQAC. Without vectors, or when the model cannot load, the ranking is lexical and
   :attr:`SearchResult.note` says why.
3. **Filters** apply to the document a hit is or is about: ``type_`` (type word, "Nghị định"), ``issuer``
   (part of the issuer's name, case and diacritics ignored), ``year``, and ``status`` at ``as_of``: a status of
   docs/http.md ("replaced", "amended", …), or "in_force" (in force, amended or partially repealed: still
   applicable) or "out_of_force" (replaced, repealed or expired); ``kind`` keeps the hits of one kind
   ("document", "passage" or "task").
4. **Statuses** are computed at ``as_of`` (default today in Asia/Ho_Chi_Minh) the way the API computes them
   (``tthc_kg.api.services.status_at``): "unknown" for a document not in the registry; null for a task about no
   document.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import numpy as np

from ..symbols import parse_symbol, type_word
from .dense import DenseUnavailable, Rows, embedder
from .fuse import zscore
from .index import SEGMENT, SearchIndex, open_index
from .lexical import LexicalIndex
from .synonyms import SYNONYM_WEIGHT, expansion_tokens
from .tokenize import fold, has_diacritics, normalize, query_tokens

SYNONYMS = True  # expand queries with the domain's synonyms (:mod:`.synonyms`; bench/search_eval.py --synonyms no)
DEPTH = 100  # units each ranking hands to the fusion (the z-scores' window)
# pieces fetched per unit wanted, before max-pooling them into units: twice the index's mean pieces per unit,
# from 2 to 10 (ALQAC articles: ~4 pieces each, 8; the store's units: ~1.3, 3); fetching a hit costs ~10 µs
PIECES_PER_UNIT = (2, 10)
# z-score fusion weights (bench/search_eval.py on the ALQAC tuning sets: lexical 0.4–0.6 all within 0.005)
WEIGHTS = {"lexical": 0.5, "dense": 0.5}
# e5 read Vietnamese with its diacritics: a query typed without them ("nghi dinh mot cua") embeds poorly, so its
# dense ranking counts half (the folded lexical tokens carry it)
DENSE_WEIGHT_FOLDED = 0.5
SYMBOL_SCORE = 1.0  # a symbol match: above any fused score (a logistic of the fused z-score, below 1)
# What the search is for is the legal bases: a task's score counts half, so a task must rank far better than a
# document or a passage to come before it (tasks still lead when nothing else matches).
KIND_WEIGHTS = {"document": 1.0, "passage": 1.0, "plan": 1.0, "task": 0.5}
# An ingested plan, or the decision issuing one, not in the registry (role "plan", :func:`role`; most have no
# symbol) applies the legal bases: its fused z-score is lowered by ROLE_OFFSETS["plan"] standard deviations, so its
# long title no longer crowds a topic query's legal bases out ("niêm yết công khai thủ tục hành chính" had five
# plans before its bases), while a plan searched by its own title, far above the rest, stays near the top. A
# passage (a clause citing or mentioning a document) comes after the document itself unless it stands out more.
# Measured with bench/search_officer.py (77 queries, MRR@10 lexical / hybrid), over the 5 sample plans and over
# 57 plans (the samples and ../shared/corpus/plans, whose many mentions crowd topic queries; labels made for the
# samples): no offsets 0.930 / 0.922 and 0.836 / 0.811; plan 1, passage 0.25: 0.950 / 0.946 and 0.846 / 0.825;
# plan 1, passage 0.5: 0.948 / 0.946 and 0.865 / 0.850; plan 1, passage 1: 0.935 / 0.940 and 0.869 / 0.866.
# A plan offset of 1.5–2 scores the same but puts the sample plans, searched by their titles, at rank 6–39 instead
# of 1–4 (a multiplicative weight of 0.5, as tasks have: 14–34).
ROLE_OFFSETS = {"document": 0.0, "passage": 0.5, "plan": 1.0, "task": 0.0}
KINDS = ("document", "passage", "task")  # the kinds of a hit (DESIGN.md) and of the ``kind`` filter

IN_FORCE = ("in_force", "amended", "partially_repealed")
OUT_OF_FORCE = ("replaced", "repealed", "expired")
STATUSES = (*IN_FORCE, *OUT_OF_FORCE, "not_yet_in_force", "unknown")
STATUS_FILTERS = {"in_force": IN_FORCE, "out_of_force": OUT_OF_FORCE} | {s: (s,) for s in STATUSES[1:]}

# A symbol typed in a query, on folded lowercase text ("nđ 61/2018" → "nd 61/2018"): an optional type hint, the
# number, then a year and/or a code.
_HINTS = {
    "nghi dinh": "nd",
    "nd": "nd",
    "thong tu lien tich": "ttlt",
    "ttlt": "ttlt",
    "thong tu": "tt",
    "tt": "tt",
    "quyet dinh": "qd",
    "qd": "qd",
    "nghi quyet": "nq",
    "nq": "nq",
    "chi thi": "ct",
    "ct": "ct",
    "ke hoach": "kh",
    "kh": "kh",
    "luat": "qh",
}
_SYMBOL_IN_QUERY = re.compile(
    r"(?:\b(?P<hint>" + "|".join(sorted(_HINTS, key=len, reverse=True)) + r")\.?\s*(?:so\s*)?)?"
    r"(?<![\d/.])\b(?P<number>\d+(?:\.\d+)?)\s*/\s*"  # not the month of a date "23/4/2018"
    r"(?:(?P<year>(?:19|20)\d\d)\b(?:\s*/\s*(?P<code1>[a-z][a-z0-9]*(?:-[a-z0-9]+)*))?"
    r"|(?P<code2>[a-z][a-z0-9]*(?:-[a-z0-9]+)+))"
)


class SearchError(ValueError):
    """A bad query or filter (the message says which)."""


# --- ranking units: lexical, dense, fused (no store) ---------------------------------------------------------


class PieceIndex(Protocol):
    """What :func:`rank_units` reads: a lexical index of pieces, the dense vectors of pieces, and which unit a
    piece (a lexical key, a row of the matrix) belongs to. :class:`~.index.SearchIndex` is one;
    bench/search_eval.py builds one over ALQAC articles (:class:`~.index.PieceSet`)."""

    lexical: LexicalIndex

    def owner(self, key: str) -> str: ...

    def spread(self) -> float:
        """The mean number of pieces per unit."""
        ...

    def dense_rows(self) -> tuple[list[str], Rows]: ...


@dataclass(frozen=True)
class Ranking:
    """A query's units, best first, with their scores: by BM25, by cosine (None: dense retrieval not asked for
    or not possible) and fused."""

    lexical: list[tuple[str, float]]
    dense: list[tuple[str, float]] | None
    fused: list[tuple[str, float]]


Vector = np.ndarray
QueryVector = Vector | Callable[[str], Vector] | None

_EMBEDDING: ThreadPoolExecutor | None = None
_EMBEDDING_LOCK = threading.Lock()


def _embed_async(embed: Callable[[str], Any], query: str) -> Future[Any]:
    """Embed (and scan) in the one worker thread (the model runs one query at a time; ONNX Runtime and NumPy
    release the GIL, so BM25 runs meanwhile)."""
    global _EMBEDDING
    with _EMBEDDING_LOCK:
        if _EMBEDDING is None:
            _EMBEDDING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tthc-kg-embed")
    return _EMBEDDING.submit(embed, query)


def pool(hits: Sequence[tuple[str, float]], owner: Callable[[str], str]) -> list[tuple[str, float]]:
    """Piece hits (best first) → unit hits: each unit once, with its best piece's score."""
    best: dict[str, float] = {}
    for key, score in hits:
        best.setdefault(owner(key), score)
    return list(best.items())


def rank_units(
    index: PieceIndex,
    query: str,
    dense: QueryVector = None,
    depth: int | None = DEPTH,
    weights: Sequence[float] | None = None,
) -> Ranking:
    """Rank the units of ``index`` for ``query``: BM25 over the query's tokens and, when ``dense`` is given (the
    query's vector, or a function that embeds the query: it then runs in a worker thread while BM25 runs), the
    cosine of its vector to every piece; each max-pooled into units, ``depth`` of them each (None: all), fused
    by z-scores with ``weights`` (default :data:`WEIGHTS`; a query without diacritics halves the dense one).
    An exception of the embedding function propagates (after BM25 ran)."""
    keys, vectors = index.dense_rows() if dense is not None else ([], None)
    limit = 0 if vectors is None else len(vectors) if depth is None else depth * _fetch(index)

    def nearest(vector: Vector) -> list[tuple[int, float]]:
        return vectors.top(np.asarray(vector, dtype=np.float32), limit)  # type: ignore[union-attr]

    # a function embeds the query and scans the vectors in the worker thread while BM25 runs here
    pending = _embed_async(lambda q: nearest(dense(q)), query) if callable(dense) else None
    try:
        lexical = _lexical(index, query, depth)
    finally:
        rows = pending.result() if pending is not None else None if dense is None else nearest(dense)
    dense_list = None if rows is None else pool([(keys[r], s) for r, s in rows], lambda k: k)[:depth]
    if weights is None:
        folded = not has_diacritics(normalize(query))
        weights = [WEIGHTS["lexical"], WEIGHTS["dense"] * (DENSE_WEIGHT_FOLDED if folded else 1.0)]
    lists = [lexical] if dense_list is None else [lexical, dense_list]
    fused = zscore(lists, list(weights)[: len(lists)], window=depth or DEPTH)
    return Ranking(lexical, dense_list, fused)


def _fetch(index: PieceIndex) -> int:
    low, high = PIECES_PER_UNIT
    return max(low, min(high, math.ceil(2 * index.spread())))


def _lexical(index: PieceIndex, query: str, depth: int | None) -> list[tuple[str, float]]:
    limit = len(index.lexical) if depth is None else depth * _fetch(index)
    tokens = query_tokens(query, segment=SEGMENT)
    extra = expansion_tokens(query, segment=SEGMENT) if SYNONYMS else []
    hits = index.lexical.search(tokens, limit, extra, SYNONYM_WEIGHT)
    return pool(hits, index.owner)[:depth]


@dataclass(frozen=True)
class SearchHit:
    """One result. ``kind``, ``symbol``, ``task``, ``title``, ``status``, ``score`` are the ``--format jsonl``
    contract (DESIGN.md); ``iri`` (the document, or the task), ``doc``, ``plan`` and ``file`` link to the graph."""

    kind: str
    symbol: str | None
    task: str | None
    title: str | None
    status: str | None
    score: float
    iri: str
    doc: str | None
    plan: str | None
    file: str | None

    def contract(self) -> dict[str, Any]:
        """The ``tthc-kg search --format jsonl`` object: exactly these keys, null when absent."""
        return {
            "kind": self.kind,
            "symbol": self.symbol,
            "task": self.task,
            "title": self.title,
            "status": self.status,
            "score": self.score,
        }


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    as_of: date
    dense: bool  # whether dense retrieval took part
    note: str | None  # why it did not, or what it covered, in one line


@dataclass(frozen=True)
class Filters:
    type_: str | None = None
    status: str | None = None
    issuer: str | None = None
    year: int | None = None
    kind: str | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.type_, self.status, self.issuer, self.year, self.kind))

    def check(self) -> None:
        if self.status is not None and self.status not in STATUS_FILTERS:
            raise SearchError(f"status: expected one of {', '.join(STATUS_FILTERS)}, got {self.status!r}")
        if self.kind is not None and self.kind not in KINDS:
            raise SearchError(f"kind: expected one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.type_ is not None and not self.type_.strip():
            raise SearchError("type: empty")


StatusOf = Callable[[Any, str, date], str]


def _api_status(store: Any, doc: str, as_of: date) -> str:
    from ..api.services.status import status_at

    return status_at(store, doc, as_of).status


def search(
    store: Any,
    query: str,
    k: int = 10,
    as_of: date | None = None,
    type_: str | None = None,
    status: str | None = None,
    issuer: str | None = None,
    year: int | None = None,
    dense: bool | None = None,
    kind: str | None = None,
) -> list[SearchHit]:
    """The best ``k`` hits for ``query`` (see :func:`run`, which also says whether dense retrieval took part)."""
    return run(store, query, k, as_of, type_, status, issuer, year, dense, kind=kind).hits


def run(
    store: Any,
    query: str,
    k: int = 10,
    as_of: date | None = None,
    type_: str | None = None,
    status: str | None = None,
    issuer: str | None = None,
    year: int | None = None,
    dense: bool | None = None,
    status_of: StatusOf | None = None,
    kind: str | None = None,
) -> SearchResult:
    """Search the store. ``dense``: None uses dense retrieval when vectors exist and the model loads, False never,
    True always (the note says when it could not). Raises :class:`SearchError` on a bad query or filter."""
    from ..queries import today

    if not query or not query.strip():
        raise SearchError("empty query")
    if k < 1:
        raise SearchError(f"k: expected a positive number, got {k}")
    filters = Filters(type_, status, issuer, year, kind)
    filters.check()
    day = as_of or today()
    index = open_index(store)
    statuses = _Statuses(store, day, status_of or _api_status)
    # with a filter, rank every unit, so a filter that keeps few never runs out of candidates
    depth = None if filters.active else DEPTH
    ranking, note = _ranking(index, query, dense, depth)
    hits: list[SearchHit] = []
    for key, score in _order(index, query, ranking.fused):
        unit = index.units[key]
        if _keep(unit, filters, statuses):
            hits.append(_hit(unit, score, statuses))
            if len(hits) == k:
                break
    return SearchResult(hits, day, ranking.dense is not None, note)


def _order(index: SearchIndex, query: str, fused: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Documents the query names by symbol first, then the fused ranking: each fused z-score
    less its role's offset (:data:`ROLE_OFFSETS`), through a logistic (a score in (0, 1)), times its role's weight
    (:data:`KIND_WEIGHTS`)."""
    routed = symbol_matches(index, query)
    weighted = []
    for key, z in fused:
        r = role(index.units[key])
        weighted.append((key, _logistic(z - ROLE_OFFSETS[r]) * KIND_WEIGHTS[r]))
    weighted.sort(key=lambda ks: -ks[1])  # stable: ties keep the fused order
    return [(key, SYMBOL_SCORE) for key in routed] + [(key, s) for key, s in weighted if key not in routed]


def role(unit: Any) -> str:
    """What a unit is to the ranking: its kind, or "plan" for a document that is not in the registry and is an
    ingested plan (its own plan) or the decision issuing one (``tthc:issues``)."""
    is_plan = (unit.plan is not None and unit.plan == unit.doc) or getattr(unit, "issues", None) is not None
    if unit.kind == "document" and is_plan and not unit.in_registry:
        return "plan"
    return str(unit.kind)


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def _ranking(index: SearchIndex, query: str, wanted: bool | None, depth: int | None) -> tuple[Ranking, str | None]:
    """The ranking, dense when asked for and possible, with a note saying why dense retrieval was left out."""
    if wanted is False:
        return rank_units(index, query, None, depth), None
    keys, _ = index.dense_rows()
    if not keys:
        note = "dense retrieval off: no unit has a vector yet (run 'tthc-kg index'); lexical results only"
        return rank_units(index, query, None, depth), note
    model = embedder()
    try:
        ranking = rank_units(index, query, model.query, depth)
    except DenseUnavailable as exc:
        return rank_units(index, query, None, depth), f"dense retrieval off: {exc}; lexical results only"
    done, total = index.dense_coverage()
    notes = list(model.notes)  # a query encoder that could not run, and the one used instead
    if done != total:
        notes.append(f"dense vectors cover {done} of {total} documents and passages (run 'tthc-kg index')")
    return ranking, "; ".join(notes) or None


# --- symbols -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypedSymbol:
    """A symbol as typed in a query: number, year and folded code or type hint, each possibly absent."""

    number: str
    year: int | None
    code: str | None  # folded lowercase ("nd-cp")
    hint: str | None  # folded code prefix from a type word ("nd", "qh")


# A type hint glued to the number ("nd61/2018", "qđ45/2016"): a space is put between them before matching. Only a
# hint standing as a word of its own is split, so the digits of a code ("24/2018/qh14") stay where they are.
_GLUED_HINT = re.compile(r"\b(" + "|".join(sorted(_HINTS, key=len, reverse=True)) + r")\.?(?=\d)")


def typed_symbols(query: str) -> list[TypedSymbol]:
    """The symbol-shaped parts of a query, whatever its spacing, diacritics and case: "nghi dinh 61/2018",
    "NĐ 61/2018", "nd61/2018" → [TypedSymbol("61", 2018, None, "nd")]."""
    text = _GLUED_HINT.sub(r"\1 ", fold(normalize(query)))
    out = []
    for m in _SYMBOL_IN_QUERY.finditer(text):
        code = m.group("code1") or m.group("code2")
        out.append(
            TypedSymbol(
                m.group("number"), int(m.group("year")) if m.group("year") else None, code, _HINTS.get(m["hint"] or "")
            )
        )
    return out


def symbol_matches(index: SearchIndex, query: str) -> list[str]:
    """Keys of the document units whose symbol the query names, registry documents first."""
    wanted = typed_symbols(query)
    if not wanted:
        return []
    table = index.derived.get("symbols")
    if table is None:
        table = index.derived["symbols"] = _symbol_table(index)
    found = [unit for w in wanted for parsed, unit in table.get(w.number.lstrip("0"), []) if _same(parsed, w)]
    found.sort(key=lambda u: (not u.in_registry, u.symbol or "", u.key))
    return list(dict.fromkeys(u.key for u in found))


def _symbol_table(index: SearchIndex) -> dict[str, list[tuple[Any, Any]]]:
    """Document units by the number of their symbol (leading zeros dropped), with the parsed symbol."""
    table: dict[str, list[tuple[Any, Any]]] = {}
    for unit in index.units.values():
        parsed = parse_symbol(unit.symbol) if unit.kind == "document" and unit.symbol else None
        if parsed is not None:
            table.setdefault(parsed.number.lstrip("0"), []).append((parsed, unit))
    return table


def _same(parsed: Any, typed: TypedSymbol) -> bool:
    if parsed.number.lstrip("0") != typed.number.lstrip("0"):
        return False
    if typed.year is not None and parsed.year != typed.year:
        return False
    if typed.year is None and typed.code is None:
        return False
    code = fold(parsed.code).lower()
    if typed.code is not None and code != typed.code:
        return False
    if typed.hint == "qh":
        return "qh" in code
    return typed.hint is None or code.split("-")[0] == typed.hint


# --- filters and hits ----------------------------------------------------------------------------------------


class _Statuses:
    """Statuses at one date, each document's computed once per search."""

    def __init__(self, store: Any, day: date, status_of: StatusOf) -> None:
        self._store, self._day, self._of = store, day, status_of
        self._seen: dict[str, str] = {}

    def __call__(self, doc: str | None) -> str | None:
        if doc is None:
            return None
        if doc not in self._seen:
            self._seen[doc] = self._of(self._store, doc, self._day)
        return self._seen[doc]


def _folded(text: str | None) -> str:
    return fold(normalize(text or ""))


def _keep(unit: Any, f: Filters, statuses: _Statuses) -> bool:
    if f.kind is not None and unit.kind != f.kind:
        return False
    if f.year is not None and unit.year != f.year:
        return False
    if f.type_ is not None:
        canonical = type_word(f.type_.strip())
        wanted = canonical.word if canonical is not None else f.type_
        if _folded(unit.type) != _folded(wanted):
            return False
    if f.issuer is not None and _folded(f.issuer) not in _folded(unit.issuer):
        return False
    return f.status is None or statuses(unit.doc) in STATUS_FILTERS[f.status]


def _hit(unit: Any, score: float, statuses: _Statuses) -> SearchHit:
    return SearchHit(
        kind=unit.kind,
        symbol=unit.symbol,
        task=unit.task,
        title=unit.title,
        status=statuses(unit.doc),
        score=round(score, 6),
        iri=unit.iri,
        doc=unit.doc,
        plan=unit.plan,
        file=unit.file,
    )
