"""The rows the search units are built from, read and kept graph by graph, so that a sync after an ingest reads
only the graphs that changed.

``search-documents``, ``search-citations`` and ``search-tasks`` read the union of every named graph: at 1,000 plans
they cost ~8 s of CPU, at 10,000 ~85 s — after every ingest, even of one plan. Here each named graph's share is
read by the ``search-graph-*`` queries (bound to the graph), kept in ``<store>/search/rows.sqlite`` under the
graph's key (its source file's content hash and extractor version, or for a graph without one — the registry's — a
hash of its triples: :func:`tthc_kg.search.index.graph_keys`), and joined here across the graphs:

- a citation's and a task's triples are all in the graph of the source they were read from, so their rows are the
  union of the graphs' rows;
- what the document units are made of is spread over graphs (a stub's titles over every plan citing it, the
  registry's facts in its own graph): each graph gives its raw facts (subject, property, value) and the joins,
  minima and sets of search-documents.rq are computed here over the union of the facts;
- a task's leads are in its graph, an agency's names may be in any: joined here over the union.

``tests/search/test_graph_rows.py`` holds the result equal to the union queries' on a real store, before and after
ingests, re-ingests, removals and registry changes.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import iri, queries
from .corpus import _ORDER, TITLE_SEPARATOR

FORMAT = 1  # of the rows kept per graph: a new format reads every graph again
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_TTHC = str(iri.TTHC)
_DOC_FACTS = {  # property → the column of search-documents.rq it makes
    _TTHC + "symbol": "symbol",
    _TTHC + "typeLabel": "type",
    "http://purl.org/dc/terms/title": "titles",
    _TTHC + "issuerName": "issuer",
    str(iri.ELI) + "date_document": "issued",
    _TTHC + "year": "year",
    _TTHC + "inRegistry": "registered",
    _TTHC + "issues": "issues",
    str(iri.PROV) + "wasDerivedFrom": "derived",
    _TTHC + "path": "path",
}
# the columns each graph query gives (after ?graph), in the order they are kept
_COLUMNS = {
    "search-graph-facts": ("s", "p", "o"),
    "search-graph-citations": ("citation", "doc", "context", "role", "start", "plan", "file", "task"),
    "search-graph-tasks": ("task", "plan", "file", "number", "content"),
    "search-graph-agencies": ("task", "agency", "name"),
}
# more graphs than this to read: one query over every graph (per graph, each query is parsed and planned again)
BULK_READ = 64

Payload = dict[str, list[list[Any]]]


class GraphRows:
    """Each named graph's rows under its key; on disk in a SQLite file (None: in memory only). Held in memory as
    JSON text, parsed when the units are built (a third of the memory of the parsed rows: ~50 MB at 1,000 plans)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._graphs: dict[str, tuple[str, str]] | None = None
        self.read: list[str] = []  # the graphs the last refresh read from the store

    # --- persistence -----------------------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        db = sqlite3.connect(self.path)
        db.execute("CREATE TABLE IF NOT EXISTS graphs (name TEXT PRIMARY KEY, key TEXT NOT NULL, rows TEXT NOT NULL)")
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        return db

    def _load(self) -> dict[str, tuple[str, str]]:
        if self._graphs is not None:
            return self._graphs
        graphs: dict[str, tuple[str, str]] = {}
        if self.path is not None and self.path.is_file():
            try:
                with self._connect() as db:
                    found = db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
                    if found is not None and found[0] == str(FORMAT):
                        graphs = {
                            name: (key, rows) for name, key, rows in db.execute("SELECT name, key, rows FROM graphs")
                        }
                db.close()
            except sqlite3.Error:
                graphs = {}  # unreadable: every graph is read again, into a new file
                self.path.unlink(missing_ok=True)
        self._graphs = graphs
        return graphs

    def _save(self, changed: dict[str, tuple[str, str]], gone: Iterable[str], rewrite: bool) -> None:
        if self.path is None:
            return
        try:
            db = self._connect()
            with db:  # one transaction: a crash leaves the file as it was before this sync
                if rewrite:
                    db.execute("DELETE FROM graphs")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (str(FORMAT),))
                db.executemany("DELETE FROM graphs WHERE name = ?", [(g,) for g in gone])
                db.executemany(
                    "INSERT OR REPLACE INTO graphs VALUES (?, ?, ?)",
                    [(g, key, rows) for g, (key, rows) in changed.items()],
                )
            db.close()
        except sqlite3.Error:
            # a store directory we cannot write into (or a damaged file): the rows are kept in memory only
            # (the next process reads every graph again)
            self.path = None

    # --- refresh ---------------------------------------------------------------------------------------------
    def refresh(self, store: Any, keys: dict[str, str]) -> None:
        """Hold the rows of exactly the graphs in ``keys`` (name → key): read the ones whose key changed or that
        are new, forget the ones gone."""
        graphs = self._load()
        stale = sorted(g for g, key in keys.items() if g not in graphs or graphs[g][0] != key)
        gone = [g for g in graphs if g not in keys]
        rewrite = not graphs and self.path is not None and self.path.is_file()
        changed = {g: (keys[g], json.dumps(rows, ensure_ascii=False)) for g, rows in read_graphs(store, stale).items()}
        for g in gone:
            del graphs[g]
        graphs.update(changed)
        self.read = stale
        if changed or gone or rewrite:
            self._save(changed, gone, rewrite)

    def rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        """The rows of search-documents, search-citations and search-tasks over every graph held, each sorted
        as :func:`tthc_kg.search.corpus._rows` sorts them."""
        payloads = [json.loads(rows) for _, rows in self._load().values()]
        return (
            sorted(document_rows(payloads), key=_ORDER["search-documents"]),
            sorted(citation_rows(payloads), key=_ORDER["search-citations"]),
            sorted(task_rows(payloads), key=_ORDER["search-tasks"]),
        )


def read_graphs(store: Any, names: list[str]) -> dict[str, Payload]:
    """The rows of each of the graphs ``names``, read by the four ``search-graph-*`` queries."""
    out: dict[str, Payload] = {g: {q: [] for q in _COLUMNS} for g in names}
    if not names:
        return out
    wanted = set(names)
    for name, columns in _COLUMNS.items():
        q = queries.load(name)
        if len(names) > BULK_READ:
            results: Iterable[Iterable[dict[str, Any]]] = [store.select(q.text)]
        else:
            results = (store.select(q.text, q.bind({"graph": g})) for g in names)
        for result in results:
            for r in result:
                if r["graph"] in wanted:
                    out[r["graph"]][name].append([r[c] for c in columns])
    return out


# --- the joins over every graph ----------------------------------------------------------------------------------


def _named(name: str, payloads: Iterable[Payload]) -> Iterable[dict[str, Any]]:
    columns = _COLUMNS[name]
    for payload in payloads:
        for values in payload.get(name, ()):
            yield dict(zip(columns, values, strict=True))


def citation_rows(payloads: list[Payload]) -> list[dict[str, Any]]:
    return list(_named("search-graph-citations", payloads))


def task_rows(payloads: list[Payload]) -> list[dict[str, Any]]:
    """search-tasks' rows: each task with the names of its lead agencies (every graph's names of each)."""
    leads: dict[str, set[str]] = defaultdict(set)
    names: dict[str, set[str]] = defaultdict(set)
    for r in _named("search-graph-agencies", payloads):
        if r["name"] is not None:
            names[r["agency"]].add(r["name"])
        else:
            leads[r["task"]].add(r["agency"])
    joined: dict[frozenset[str], str | None] = {}  # the same leads recur in many tasks

    def named(agencies: frozenset[str]) -> str | None:
        if agencies not in joined:
            found = {n for agency in agencies for n in names.get(agency, ())}
            joined[agencies] = TITLE_SEPARATOR.join(sorted(found)) if found else None
        return joined[agencies]

    return [{**r, "leads": named(frozenset(leads.get(r["task"], ())))} for r in _named("search-graph-tasks", payloads)]


def _least(values: list[Any]) -> Any:
    """MIN of SPARQL over the values (unbound when there are none); strings compare by code point in both."""
    return min(values) if values else None


def document_rows(payloads: list[Payload]) -> list[dict[str, Any]]:
    """search-documents' rows from every graph's facts: each legal document with a symbol or a title, its least
    symbol, type word, issuer, issue date and year (MIN), every title, the registry mark, for a plan its least
    source path, for a decision the least plan it issues."""
    facts: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    types: dict[str, set[str]] = defaultdict(set)
    for r in _named("search-graph-facts", payloads):
        if r["p"] == _RDF_TYPE:
            types[r["s"]].add(r["o"])
        elif r["p"] in _DOC_FACTS:
            facts[r["s"]][_DOC_FACTS[r["p"]]].append(r["o"])
    legal, plan = _TTHC + "LegalDocument", _TTHC + "Plan"
    out = []
    for doc in sorted(d for d, t in types.items() if legal in t):
        f = facts.get(doc, {})
        titles = sorted(set(f.get("titles", ())))
        symbol = _least(f.get("symbol", []))
        if symbol is None and not titles:
            continue
        file = None
        if plan in types[doc]:
            file = _least([p for source in f.get("derived", ()) for p in facts.get(source, {}).get("path", ())])
        out.append(
            {
                "doc": doc,
                "symbol": symbol,
                "type": _least(f.get("type", [])),
                "titles": TITLE_SEPARATOR.join(titles) if titles else None,
                "issuer": _least(f.get("issuer", [])),
                "issued": _least(f.get("issued", [])),
                "year": _least(f.get("year", [])),
                "inRegistry": any(v is True or v == "true" for v in f.get("registered", ())),
                "plan": doc if file is not None else None,
                "file": file,
                "issues": _least([p for p in f.get("issues", ()) if plan in types.get(p, ())]),
            }
        )
    return out
