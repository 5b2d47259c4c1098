"""The searchable units, built from the store through ``queries/search-*.rq``.

Three kinds (DESIGN.md, ``tthc-kg search --format jsonl``):

- ``document``: every registry document, every document known only from citations (a stub) and every ingested
  plan: type word, symbol, title, issuer — what a legal officer types to find it;
- ``passage``: every distinct clause a document is cited in (``tthc:context``: the "Căn cứ …" clauses of the
  preambles and the sentences that mention a document outside the task table), about the first document it
  cites. The same clause recurs in many plans: one unit per distinct text, listing every plan it is in;
- ``task``: every task row, about the first document its own basis or text cites (or none).

Each unit carries what the filters need (the type, issuer and year of the document it is or is about) and what
a hit links to (the document IRI, the task IRI, the plan and file). Statuses are not stored: they depend on the
date asked for and are computed at query time.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any

from .. import queries
from ..symbols import parse_symbol, type_words
from .tokenize import syllables

TITLE_SEPARATOR = "\x1f"  # between the titles of one document in search-documents.rq (U+001F)
DENSE_TEXT_MAX = 600  # characters embedded at most (e5 reads 512 tokens; long texts cost time, not relevance)


@dataclass(frozen=True)
class Unit:
    """One searchable unit. ``key`` is stable across rebuilds (IRI-based for documents and tasks, text-based for
    passages), so the index updates only the units whose content changed."""

    key: str
    kind: str  # "document" | "passage" | "task"
    text: str  # what the lexical index reads
    title: str | None  # what a hit shows: the document's title, the passage, the task's content
    doc: str | None  # IRI of the document it is (document) or is about (passage, task)
    symbol: str | None  # that document's symbol
    iri: str  # the unit's own node: the document, the task; for a passage, the document it is about
    task: str | None = None  # the task number
    plan: str | None = None  # the plan's IRI (of a task or passage; a document that is a plan)
    file: str | None = None
    type: str | None = None  # type word of the document it is or is about ("Nghị định")
    issuer: str | None = None
    year: int | None = None
    in_registry: bool = False
    plans: tuple[str, ...] = field(default=())  # a passage: every plan it is in
    issues: str | None = None  # a document that issues an ingested plan (its decision): that plan
    dense_text: str = ""  # what the dense model embeds (empty: the unit has no vector)

    @property
    def hash(self) -> str:
        """Content hash: a unit whose hash changed is re-indexed."""
        return hashlib.sha1(json.dumps(self.as_dict(), ensure_ascii=False, sort_keys=True).encode()).hexdigest()

    def as_dict(self) -> dict[str, Any]:
        # what dataclasses.asdict gives (every field is a str, int, bool, None or a tuple of str), without its
        # recursive deep copy: 15x faster, and the index hashes and writes every unit on each sync
        return {name: getattr(self, name) for name in _UNIT_FIELDS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Unit:
        return cls(**{**data, "plans": tuple(data.get("plans") or ())})


_UNIT_FIELDS = tuple(f.name for f in fields(Unit))


# The order each search query's rows are read in, sorted here: an ORDER BY in the store cost Oxigraph most of
# the queries' time (at 1,000 plans search-documents took 11.5 s with its ORDER BY and 0.9 s without).
_ORDER: dict[str, Any] = {
    "search-documents": lambda r: r["doc"],
    "search-citations": lambda r: (r["file"], int(r["start"]), r["citation"]),
    "search-tasks": lambda r: (r["file"], r["task"]),
}


def _rows(store: Any, name: str) -> list[dict[str, Any]]:
    q = queries.load(name)
    return sorted(store.select(q.text, q.bind({})), key=_ORDER[name])


def _year(symbol: str | None, year: Any, issued: str | None) -> int | None:
    if year not in (None, ""):
        return int(year)
    parsed = parse_symbol(symbol) if symbol else None
    if parsed is not None and parsed.year:
        return int(parsed.year)
    return int(issued[:4]) if issued else None


def _join(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)


def documents(rows: Iterable[dict[str, Any]]) -> dict[str, Unit]:
    """Document units by IRI, one per row of search-documents.rq (a stub's titles from several plans joined)."""
    out: dict[str, Unit] = {}
    for r in rows:
        doc = r["doc"]
        # sorted: GROUP_CONCAT joins them in an order of the engine's (and graph_rows joins them itself)
        titles = sorted({t for t in (r["titles"] or "").split(TITLE_SEPARATOR) if t})
        title = max(titles, key=len) if titles else None  # the fullest of the printed titles
        symbol, type_, issuer = r["symbol"], r["type"], r["issuer"]
        head = _join(type_, symbol)
        out[doc] = Unit(
            key="doc:" + doc,
            kind="document",
            text=_join(head, *titles, issuer),
            title=title,
            doc=doc,
            symbol=symbol,
            iri=doc,
            plan=r["plan"],
            file=r["file"],
            type=type_,
            issuer=issuer,
            year=_year(symbol, r["year"], r["issued"]),
            in_registry=bool(r["inRegistry"]),
            issues=r.get("issues"),
            # a symbol alone means nothing to the model (it would sit near every query naming a type): no title,
            # no vector — the document is still found by its symbol and by the lexical index
            dense_text=_join(head + ":" if head else None, title, f"({issuer})" if issuer else None)[:DENSE_TEXT_MAX]
            if title
            else "",
        )
    return out


def _about(doc: str | None, docs: dict[str, Unit]) -> dict[str, Any]:
    """The fields a passage or task takes from the document it is about."""
    d = docs.get(doc) if doc else None
    if d is None:
        return {"doc": doc, "symbol": None, "type": None, "issuer": None, "year": None, "in_registry": False}
    return {
        "doc": doc,
        "symbol": d.symbol,
        "type": d.type,
        "issuer": d.issuer,
        "year": d.year,
        "in_registry": d.in_registry,
    }


# Words that only frame a citation: "Căn cứ Nghị định số 53/2024/NĐ-CP ngày … của Chính phủ" says nothing but
# which document it is. Such a clause gets no vector (its document's unit has the title to embed); e5 puts a short
# text like it near every short query that names a type of document.
_FRAME = frozenset("căn cứ thực hiện theo số ngày tháng năm của về việc tại và các chính phủ thủ tướng".split())
CONTENT_MIN = 8  # syllables of content a passage needs to be embedded


@cache
def _type_syllables() -> frozenset[str]:
    return frozenset(s for w in type_words() for s in syllables(w.word))


def says_something(text: str) -> bool:
    """Whether a clause has content beyond the citation it frames (see ``_FRAME``)."""
    ignore = _FRAME | _type_syllables()
    content = 0
    for s in syllables(text):
        if s not in ignore and not _DIGIT.search(s):
            content += 1
            if content >= CONTENT_MIN:
                return True
    return False


_DIGIT = re.compile(r"\d")


def passages(citations: list[dict[str, Any]], docs: dict[str, Unit]) -> list[Unit]:
    """One unit per distinct (clause, document it is about): preamble clauses and mentions; a clause inside a
    task row is the task's (its unit is the task)."""
    by_clause: dict[tuple[str, str], dict[str, Any]] = {}
    first_doc: dict[tuple[str, str], str] = {}  # (file, clause) → the first document it cites
    for c in citations:  # ordered by file and position
        if not c["context"] or c["task"] or c["role"] == "task_basis":
            continue
        first_doc.setdefault((c["file"], c["context"]), c["doc"])
        about = first_doc[(c["file"], c["context"])]
        entry = by_clause.setdefault((c["context"], about), {"plans": [], "files": [], "roles": set()})
        if c["plan"] not in entry["plans"]:
            entry["plans"].append(c["plan"])
            entry["files"].append(c["file"])
        entry["roles"].add(c["role"])
    out = []
    for (text, about), entry in by_clause.items():
        digest = hashlib.sha1(f"{text}\n{about}".encode()).hexdigest()
        out.append(
            Unit(
                key="passage:" + digest,
                kind="passage",
                text=text,
                title=text,
                iri=about,
                plan=entry["plans"][0],
                file=entry["files"][0],
                plans=tuple(entry["plans"]),
                dense_text=text[:DENSE_TEXT_MAX] if says_something(text) else "",
                **_about(about, docs),
            )
        )
    return out


def _bases(cited: list[str], content: str, docs: dict[str, Unit]) -> list[str]:
    """ "Thông tư 02/2017/TT-VPCP" for each cited document with a symbol that ``content`` does not contain."""
    out = []
    for doc in cited:
        d = docs.get(doc)
        if d is not None and d.symbol and d.symbol not in content:
            out.append(_join(d.type, d.symbol))
    return out


def tasks(rows: list[dict[str, Any]], citations: list[dict[str, Any]], docs: dict[str, Unit]) -> list[Unit]:
    """One unit per task, about the first document its row cites. Its lexical text is its content, the type
    word and symbol of every document its row cites that the content does not name (the "Căn cứ thực hiện" cell
    of a task table), so a search for a legal basis ("tt 02/2017") finds the tasks that rely on it, and the names
    of its lead agencies, so a search for an agency's field ("chuyển đổi số") finds the tasks of "Phòng Chuyển
    đổi số …". What the model embeds is the content alone."""
    about: dict[str, str] = {}
    cited: dict[str, list[str]] = {}
    for c in citations:  # ordered by position: the first citation of a task wins
        if c["task"]:
            about.setdefault(c["task"], c["doc"])
            if c["doc"] not in cited.setdefault(c["task"], []):
                cited[c["task"]].append(c["doc"])
    seen: dict[str, Unit] = {}
    for r in rows:
        if r["task"] in seen:  # a task in two sections' listings: once
            continue
        seen[r["task"]] = Unit(
            key="task:" + r["task"],
            kind="task",
            text=_join(
                r["content"],
                *_bases(cited.get(r["task"], []), r["content"], docs),
                *sorted(n for n in (r.get("leads") or "").split(TITLE_SEPARATOR) if n),  # the same on every store
            ),
            title=r["content"],
            iri=r["task"],
            task=r["number"],
            plan=r["plan"],
            file=r["file"],
            dense_text=r["content"][:DENSE_TEXT_MAX],
            **_about(about.get(r["task"]), docs),
        )
    return list(seen.values())


def build_units(store: Any) -> list[Unit]:
    """Every searchable unit of the store, in a stable order (documents, passages, tasks), from the three
    ``search-*`` queries over the union of its graphs (:mod:`.graph_rows` reads the same rows graph by graph)."""
    return units_from_rows(
        _rows(store, "search-documents"), _rows(store, "search-citations"), _rows(store, "search-tasks")
    )


def units_from_rows(
    document_rows: list[dict[str, Any]], citation_rows: list[dict[str, Any]], task_rows: list[dict[str, Any]]
) -> list[Unit]:
    """The units of the rows of search-documents, search-citations and search-tasks (each sorted by ``_ORDER``)."""
    docs = documents(document_rows)
    return [
        *sorted(docs.values(), key=lambda u: u.key),
        *passages(citation_rows, docs),
        *tasks(task_rows, citation_rows, docs),
    ]
