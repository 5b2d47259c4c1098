"""The search index of a store: built from its units, stored beside the graph, updated incrementally.

Where: ``<store dir>/search/`` (in memory for an in-memory store), holding

- ``index.json``: the index format and tokenizer versions, the fingerprint of the store it was built from
  (:func:`fingerprint`) and every unit (:class:`~.corpus.Unit`) with its content hash (whether it changed);
- ``rows.sqlite``: the rows the units are built from, per named graph, under the graph's key (:mod:`.graph_rows`);
- ``lexical/``: the tantivy index (:mod:`.lexical`) of the units' short pieces (:mod:`.pieces`);
- ``vectors.npy``, ``vectors.json``: the dense vectors of the pieces, keyed by the SHA-1 of the embedded text
  (:mod:`.dense`).

A unit is read as short pieces (:func:`lexical_pieces`, :func:`dense_pieces`): its text cut at 64 words, each
piece of a passage or task after the name of the document it is about; a unit scores as its best piece.

Updating (:meth:`SearchIndex.sync`) rebuilds the units from the rows of the store's graphs — kept per graph in
``rows.sqlite`` and read again only for the graphs whose key changed (:mod:`.graph_rows`, :func:`graph_keys`) —,
re-tokenizes only the units that are new or changed, and removes the ones that are gone; a new format or
tokenizer version rebuilds the lexical index from scratch. Dense vectors are a separate step
(:meth:`SearchIndex.embed`, ``tthc-kg index``), so a bulk ingest is not held to embedding speed: a unit without
a vector is still found lexically. Documents and passages get vectors by default; tasks on request (``kinds``).

:func:`open_index` keeps one index per store in the process and syncs it when the store's ``generation`` (its
write counter) moved, so the API's searches see each ingest without rebuilding on every request. A new process
(``tthc-kg search``) first compares the store's :func:`fingerprint` (its graphs, their content hashes and its
triple count: ~20 ms) with the one the index recorded, and skips rebuilding the units when they are equal.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import pieces
from .corpus import Unit, build_units, units_from_rows
from .dense import Embedder, Rows, VectorCache, text_key
from .graph_rows import GraphRows
from .lexical import LexicalIndex
from .tokenize import index_tokens

FORMAT = 3  # 2: short pieces of each unit, the store's fingerprint; 3: a task's lead agencies, a decision's plan
# Whether the lexical index also counts underthesea's words (tokenize.words). Measured on the ALQAC tuning sets
# (bench/search_eval.py --segment yes): MRR@10 within ±0.003 of syllables + bigrams alone, at 16× the tokenizing
# time (and 1.7 s to load its model in a fresh process): off.
SEGMENT = False
TOKENIZER = "syllables+bigrams+folded/2" if not SEGMENT else "syllables+bigrams+underthesea-words+folded/2"
DENSE_KINDS = ("document", "passage")  # tasks are lexical unless asked for


def doc_name(unit: Unit, docs: dict[str, Unit]) -> str | None:
    """The name of the document a passage or task is about ("Nghị định Về thực hiện cơ chế một cửa …"), which
    each of its pieces starts with; None for a document (its text is its name) or a unit about no known one."""
    if unit.kind == "document" or not unit.doc:
        return None
    d = docs.get(unit.doc)
    if d is None or not d.title:
        return None
    return " ".join(p for p in (d.type, d.title) if p)


def lexical_pieces(unit: Unit, head: str | None) -> list[str]:
    """What the lexical index reads of a unit: its text in pieces of at most 64 words, each piece after the
    first after ``head`` (the first states what the unit cites)."""
    split = pieces.split(unit.text)
    return [split[0], *(f"{head}. {p}" for p in split[1:])] if head and split else split


def dense_pieces(unit: Unit, head: str | None) -> list[str]:
    """What the dense model embeds of a unit: its ``dense_text`` when short (so a short text's vector is the text's
    own), else its pieces, each after ``head``; none when it has no dense text."""
    text = unit.dense_text
    if not text:
        return []
    if len(text.split()) <= pieces.MAX_WORDS:
        return [text]
    return pieces.split(text, head)


def _hash(unit: Unit, head: str | None) -> str:
    return unit.hash if head is None else f"{unit.hash}:{text_key(head)}"


@dataclass(frozen=True)
class Changes:
    """What one sync or embed did."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    embedded: int = 0
    units: int = 0


def index_dir(store: Any) -> Path | None:
    """``<store dir>/search``, or None for an in-memory store."""
    path = getattr(store, "path", None)
    return Path(path) / "search" if path is not None else None


class SearchIndex:
    """The units, their lexical index and their dense vectors; on disk at ``directory`` (None: in memory)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self.units: dict[str, Unit] = {}
        self._hashes: dict[str, str] = {}
        self._heads: dict[str, str | None] = {}
        self.fingerprint: str | None = None  # of the store the units were built from (None: unknown)
        meta = self._read_meta()
        fresh = meta is not None and meta.get("format") == FORMAT and meta.get("tokenizer") == TOKENIZER
        if directory is not None and not fresh:
            LexicalIndex.clear(directory / "lexical")  # another tokenizer's index: rebuild from scratch
        self.lexical = LexicalIndex(directory / "lexical" if directory is not None else None)
        if fresh and meta is not None:
            self.units = {u["key"]: Unit.from_dict(u) for u in meta["units"]}
            self._hashes = dict(meta.get("hashes") or {})
            self._heads = self._names()
            self.fingerprint = meta.get("store")
            if set(self._hashes) != set(self.units) or len(self.lexical) != meta.get("pieces"):
                # interrupted between the two writes, or an older file: start over
                self.units, self._hashes, self._heads, self.fingerprint = {}, {}, {}, None
                self.lexical.reset()
                self.lexical.commit()
        self.vectors = VectorCache(directory)
        self.graph_rows = GraphRows(directory / "rows.sqlite" if directory is not None else None)
        self._dense: tuple[list[str], Rows] | None = None
        self._coverage: dict[tuple[str, ...], tuple[int, int]] = {}
        self.derived: dict[str, Any] = {}  # what readers compute from the units (symbol tables); reset on sync

    def _names(self, units: dict[str, Unit] | None = None) -> dict[str, str | None]:
        units = self.units if units is None else units
        docs = {u.doc: u for u in units.values() if u.kind == "document" and u.doc}
        return {k: doc_name(u, docs) for k, u in units.items()}

    @staticmethod
    def owner(key: str) -> str:
        """The unit a lexical piece or a dense row belongs to."""
        return pieces.owner(key)

    def spread(self) -> float:
        """The mean number of lexical pieces per unit."""
        return len(self.lexical) / len(self.units) if self.units else 1.0

    # --- persistence -----------------------------------------------------------------------------------------
    def _read_meta(self) -> dict[str, Any] | None:
        if self.directory is None or not (self.directory / "index.json").is_file():
            return None
        try:
            return json.loads((self.directory / "index.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]
        except (OSError, ValueError):
            return None

    def _write_meta(self) -> None:
        if self.directory is None:
            return
        meta = {
            "format": FORMAT,
            "tokenizer": TOKENIZER,
            "store": self.fingerprint,
            "hashes": self._hashes,
            "pieces": len(self.lexical),
            "units": [u.as_dict() for u in self.units.values()],
        }
        tmp = self.directory / "index.json.tmp"
        tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.directory / "index.json")

    # --- updates ---------------------------------------------------------------------------------------------
    def sync(self, units: Iterable[Unit], fingerprint: str | None = None) -> Changes:
        """Make the index hold exactly ``units``: tokenize the new and changed ones (a passage or task also when
        the name of its document changed), drop the ones gone; record ``fingerprint`` (of the store they are
        from)."""
        new = {u.key: u for u in units}
        heads = self._names(new)
        # a unit equal to the one held, under the same name, keeps its hash (hashing every unit is most of a sync
        # that changes little)
        old, old_heads, old_hashes = self.units, self._heads, self._hashes
        hashes = {
            k: old_hashes[k]
            if k in old_hashes and old.get(k) == u and old_heads.get(k) == heads[k]
            else _hash(u, heads[k])
            for k, u in new.items()
        }
        removed = [k for k in self.units if k not in new]
        changed = [u for k, u in new.items() if k in self._hashes and self._hashes[k] != hashes[k]]
        added = [u for k, u in new.items() if k not in self._hashes]
        if removed or changed or added:
            self.lexical.remove([*removed, *(u.key for u in changed)])
            self.lexical.add(
                (pieces.piece_key(u.key, i), index_tokens(text, segment=SEGMENT), u.key)
                for u in [*changed, *added]
                for i, text in enumerate(lexical_pieces(u, heads[u.key]))
            )
            self.lexical.commit()
            self.units, self._hashes, self._heads = new, hashes, heads
            self._dense = None
            self.derived = {}
        if removed or changed or added or fingerprint != self.fingerprint:
            self.fingerprint = fingerprint
            self._write_meta()
        return Changes(added=len(added), changed=len(changed), removed=len(removed), units=len(new))

    def dense_pieces(self, unit: Unit) -> list[str]:
        """The texts embedded for a unit (:func:`dense_pieces`)."""
        return dense_pieces(unit, self._heads.get(unit.key))

    def missing_vectors(self, kinds: Iterable[str] = DENSE_KINDS) -> list[str]:
        """The distinct texts of the units of these kinds that have no vector yet."""
        wanted = set(kinds)
        texts = {t: None for u in self.units.values() if u.kind in wanted for t in self.dense_pieces(u)}
        return [t for t in texts if text_key(t) not in self.vectors]

    def embed(
        self,
        model: Embedder,
        kinds: Iterable[str] = DENSE_KINDS,
        progress: Callable[[int], None] | None = None,
        batch: int = 64,
    ) -> Changes:
        """Embed the units of these kinds that have no vector (each distinct text once), saving as it goes so
        an interrupted run keeps what it embedded. Raises :class:`~.dense.DenseUnavailable`."""
        texts = self.missing_vectors(kinds)
        if texts:
            model.check()
        for i in range(0, len(texts), batch):
            chunk = texts[i : i + batch]
            self.vectors.put([text_key(t) for t in chunk], model.passages(chunk, progress=progress))
            self.vectors.save()
            self._dense = None
        return Changes(embedded=len(texts), units=len(self.units))

    # --- reads -----------------------------------------------------------------------------------------------
    def dense_matrix(self) -> tuple[list[str], np.ndarray]:
        """The vectors of the units' pieces that have one (one C-contiguous float32 row each), and the unit each
        row belongs to."""
        keys, rows = self.dense_rows()
        return keys, rows.matrix

    def dense_rows(self) -> tuple[list[str], Rows]:
        """As :meth:`dense_matrix`, the vectors ready for a fast top-k (:class:`~.dense.Rows`)."""
        if self._dense is None:
            keys, texts = [], []
            # no vector at all (no 'tthc-kg index' yet): nothing to look up (hashing every piece costs a one-shot
            # CLI search ~0.1 s per 1,000 units)
            for u in self.units.values() if len(self.vectors) else ():
                for text in self.dense_pieces(u):
                    key = text_key(text)
                    if key in self.vectors:
                        keys.append(u.key)
                        texts.append(key)
            self._dense = (keys, Rows(self.vectors.matrix(texts)))
            self._coverage = {}
        return self._dense

    def dense_coverage(self, kinds: Iterable[str] = DENSE_KINDS) -> tuple[int, int]:
        """(units of these kinds with a vector for every piece, units of these kinds that can have one); kept
        until the units or the vectors change."""
        self.dense_rows()
        wanted = tuple(sorted(set(kinds)))
        if wanted not in self._coverage:
            units = [ps for u in self.units.values() if u.kind in wanted and (ps := self.dense_pieces(u))]
            with_vector = sum(1 for ps in units if all(text_key(t) in self.vectors for t in ps))
            self._coverage[wanted] = (with_vector, len(units))
        return self._coverage[wanted]


class PieceSet:
    """A store-free index of pieces for :func:`~.engine.rank_units`: units of any texts (bench/search_eval.py's
    ALQAC articles), each given as its lexical pieces and its dense rows. In memory."""

    def __init__(self) -> None:
        self.lexical = LexicalIndex()
        self._rows: list[str] = []
        self._dense = Rows(np.zeros((0, 0), dtype=np.float32))
        self._units: set[str] = set()

    def spread(self) -> float:
        """The mean number of lexical pieces per unit."""
        return len(self.lexical) / len(self._units) if self._units else 1.0

    owner = staticmethod(pieces.owner)

    def add_lexical(self, items: Iterable[tuple[str, list[str]]], segment: bool = SEGMENT) -> int:
        """Index (unit key, piece texts) pairs with the index's tokens; returns the number of pieces."""
        n = 0

        def entries() -> Iterable[tuple[str, list[str], str]]:
            nonlocal n
            for unit_key, texts in items:
                self._units.add(unit_key)
                for i, text in enumerate(texts):
                    n += 1
                    yield pieces.piece_key(unit_key, i), index_tokens(text, segment=segment), unit_key

        self.lexical.add(entries())
        self.lexical.commit()
        return n

    def set_dense(self, rows: list[str], matrix: np.ndarray) -> None:
        """The dense vectors: one row per piece, ``rows[i]`` the unit of row ``i``."""
        if len(rows) != matrix.shape[0]:
            raise ValueError(f"{len(rows)} row owners for {matrix.shape[0]} vectors")
        self._rows, self._dense = list(rows), Rows(matrix)

    def dense_matrix(self) -> tuple[list[str], np.ndarray]:
        return self._rows, self._dense.matrix

    def dense_rows(self) -> tuple[list[str], Rows]:
        return self._rows, self._dense


# --- one index per store in the process ----------------------------------------------------------------------

_OPEN: weakref.WeakKeyDictionary[Any, tuple[Any, SearchIndex]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
_UNSYNCED = object()


def graph_keys(store: Any) -> dict[str, str] | None:
    """Each named graph's key, which changes when what the search reads from the graph may have changed. A
    graph that records no content hash (the registry's, the reviews') is keyed by a hash of its triples and their
    count (``queries/search-graph-hash.rq``). A source's graph is keyed by its file's content hash, the version of
    the extractor that wrote it (``queries/search-fingerprint.rq``) and the registry graph's key: how its
    citations resolved depends on the registry it was ingested with, and an ingest writes the registry graph
    before the sources it resolves. None for a store without a directory (in memory, remote)."""
    if getattr(store, "path", None) is None:
        return None
    from .. import iri, queries

    def rows(name: str, **values: str) -> list[dict[str, Any]]:
        q = queries.load(name)
        return list(store.select(q.text, q.bind(values)))

    def triples_key(name: str) -> str:
        found = rows("search-graph-hash", graph=name)
        return f"{found[0]['hash']} {found[0]['triples']}" if found else "empty"

    names = sorted(store.graph_names())
    registry = str(iri.REGISTRY_GRAPH)
    registry_key = triples_key(registry) if registry in names else "none"
    recorded = {
        r["graph"]: f"{r['hash']} {r['extractor'] or ''} registry {registry_key}" for r in rows("search-fingerprint")
    }
    return {name: recorded.get(name) or (registry_key if name == registry else triples_key(name)) for name in names}


def fingerprint(store: Any, keys: dict[str, str] | None = None) -> str | None:
    """What the store holds, cheaply (~50 ms for 57 plans): its triple count and each named graph's key
    (:func:`graph_keys`). An ingest, a re-ingest of a changed file, a registry update or a removal changes it. None
    for an in-memory store (nothing on disk to compare with)."""
    keys = graph_keys(store) if keys is None else keys
    if keys is None:
        return None
    h = hashlib.sha1(f"{FORMAT} {TOKENIZER} {store.triple_count()}".encode())
    for name, key in keys.items():
        h.update(f"\n{name} {key}".encode())
    return h.hexdigest()


def store_units(store: Any, index: SearchIndex, keys: dict[str, str] | None) -> list[Unit]:
    """The store's units: from the rows kept per graph (:mod:`.graph_rows`: only the graphs whose key changed
    are read) for a store on disk, from the union queries (:func:`~.corpus.build_units`) otherwise."""
    if keys is None:
        return build_units(store)
    index.graph_rows.refresh(store, keys)
    return units_from_rows(*index.graph_rows.rows())


def open_index(store: Any, sync: bool = True) -> SearchIndex:
    """The store's index, synced with the store when its write counter moved since (or on first use: unless the
    index on disk was built from a store with the same :func:`fingerprint`)."""
    with _LOCK:
        generation = getattr(store, "generation", None)
        entry = _OPEN.get(store)
        if entry is not None and (not sync or (generation is not None and entry[0] == generation)):
            return entry[1]
        index = entry[1] if entry is not None else _new_index(store)
        if sync:
            keys = graph_keys(store)
            print_ = fingerprint(store, keys)
            if entry is not None or print_ is None or print_ != index.fingerprint:
                index.sync(store_units(store, index, keys), print_)
        _OPEN[store] = (generation if sync else _UNSYNCED, index)
        return index


def _new_index(store: Any) -> SearchIndex:
    directory = index_dir(store)
    if directory is not None:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError:
            directory = None  # a store directory we cannot write into: keep the index in memory
    return SearchIndex(directory)


def remove_index(store: Any) -> None:
    """Forget the store's index (units, the rows kept per graph, the lexical index) so the next sync rebuilds it
    from the store; vectors are kept."""
    with _LOCK:
        _OPEN.pop(store, None)
    directory = index_dir(store)
    if directory is not None:
        (directory / "index.json").unlink(missing_ok=True)
        (directory / "rows.sqlite").unlink(missing_ok=True)
        LexicalIndex.clear(directory / "lexical")


def update(store: Any, model: Embedder | None = None, kinds: Iterable[str] = DENSE_KINDS) -> Changes:
    """Sync the store's index, then embed what lacks a vector when a model is given (``tthc-kg index``)."""
    index = open_index(store, sync=False)
    keys = graph_keys(store)
    changes = index.sync(store_units(store, index, keys), fingerprint(store, keys))
    with _LOCK:
        _OPEN[store] = (getattr(store, "generation", None), index)
    if model is None:
        return changes
    embedded = index.embed(model, kinds)
    return Changes(changes.added, changes.changed, changes.removed, embedded.embedded, changes.units)
