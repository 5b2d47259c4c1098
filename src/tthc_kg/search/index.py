"""The search index of a store: built from its units, stored beside the graph, updated incrementally.

Where: ``<store dir>/search/`` (in memory for an in-memory store), holding

- ``index.json``: the index format and tokenizer versions and every unit (:class:`~.corpus.Unit`) — a unit's
  content hash says whether it changed;
- ``lexical/``: the tantivy index (:mod:`.lexical`);
- ``vectors.npy``, ``vectors.json``: the dense vectors, keyed by the SHA-1 of the embedded text (:mod:`.dense`).

Updating (:meth:`SearchIndex.sync`) rebuilds the units from the store (three queries), re-tokenizes only the
units that are new or changed, and removes the ones that are gone; a new format or tokenizer version rebuilds
the lexical index from scratch. Dense vectors are a separate step (:meth:`SearchIndex.embed`, ``tthc-kg
index``), so a bulk ingest is not held to embedding speed: a unit without a vector is still found lexically.
Documents and passages get vectors by default; tasks on request (``kinds``).

:func:`open_index` keeps one index per store in the process and syncs it when the store's ``generation`` (its
write counter) moved, so the API's searches see each ingest without rebuilding on every request.
"""

from __future__ import annotations

import json
import os
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .corpus import Unit, build_units
from .dense import Embedder, VectorCache, text_key
from .lexical import LexicalIndex
from .tokenize import index_tokens

FORMAT = 1
TOKENIZER = "syllables+bigrams+underthesea-words+folded/1"  # change it when tokenize.py changes what it emits
DENSE_KINDS = ("document", "passage")  # tasks are lexical unless asked for


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
        meta = self._read_meta()
        fresh = meta is not None and meta.get("format") == FORMAT and meta.get("tokenizer") == TOKENIZER
        if directory is not None and not fresh:
            LexicalIndex.clear(directory / "lexical")  # another tokenizer's index: rebuild from scratch
        self.lexical = LexicalIndex(directory / "lexical" if directory is not None else None)
        if fresh and meta is not None:
            self.units = {u["key"]: Unit.from_dict(u) for u in meta["units"]}
            self._hashes = {k: u.hash for k, u in self.units.items()}
            if len(self.lexical) != len(self.units):  # interrupted between the two writes: start over
                self.units, self._hashes = {}, {}
                self.lexical.reset()
                self.lexical.commit()
        self.vectors = VectorCache(directory)
        self._dense: tuple[list[str], np.ndarray] | None = None
        self.derived: dict[str, Any] = {}  # what readers compute from the units (symbol tables); reset on sync

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
        meta = {"format": FORMAT, "tokenizer": TOKENIZER, "units": [u.as_dict() for u in self.units.values()]}
        tmp = self.directory / "index.json.tmp"
        tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.directory / "index.json")

    # --- updates ---------------------------------------------------------------------------------------------
    def sync(self, units: Iterable[Unit]) -> Changes:
        """Make the index hold exactly ``units``: tokenize the new and changed ones, drop the ones gone."""
        new = {u.key: u for u in units}
        hashes = {k: u.hash for k, u in new.items()}
        removed = [k for k in self.units if k not in new]
        changed = [u for k, u in new.items() if k in self._hashes and self._hashes[k] != hashes[k]]
        added = [u for k, u in new.items() if k not in self._hashes]
        if removed or changed or added:
            self.lexical.remove(removed)
            self.lexical.add((u.key, index_tokens(u.text)) for u in [*changed, *added])
            self.lexical.commit()
            self.units, self._hashes = new, hashes
            self._dense = None
            self.derived = {}
            self._write_meta()
        return Changes(added=len(added), changed=len(changed), removed=len(removed), units=len(new))

    def missing_vectors(self, kinds: Iterable[str] = DENSE_KINDS) -> list[str]:
        """The distinct texts of the units of these kinds that have no vector yet."""
        wanted = set(kinds)
        texts = {u.dense_text: None for u in self.units.values() if u.kind in wanted and u.dense_text}
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
        """The unit keys that have a vector, and their vectors (one row each)."""
        if self._dense is None:
            keys, texts = [], []
            for u in self.units.values():
                if u.dense_text and text_key(u.dense_text) in self.vectors:
                    keys.append(u.key)
                    texts.append(text_key(u.dense_text))
            self._dense = (keys, self.vectors.matrix(texts))
        return self._dense

    def dense_coverage(self, kinds: Iterable[str] = DENSE_KINDS) -> tuple[int, int]:
        """(units of these kinds with a vector, units of these kinds that can have one: a text to embed)."""
        wanted = set(kinds)
        units = [u for u in self.units.values() if u.kind in wanted and u.dense_text]
        with_vector = sum(1 for u in units if text_key(u.dense_text) in self.vectors)
        return with_vector, len(units)


# --- one index per store in the process ----------------------------------------------------------------------

_OPEN: weakref.WeakKeyDictionary[Any, tuple[Any, SearchIndex]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
_UNSYNCED = object()


def open_index(store: Any, sync: bool = True) -> SearchIndex:
    """The store's index, synced with the store when its write counter moved since (or on first use)."""
    with _LOCK:
        generation = getattr(store, "generation", None)
        entry = _OPEN.get(store)
        if entry is not None and (not sync or (generation is not None and entry[0] == generation)):
            return entry[1]
        index = entry[1] if entry is not None else _new_index(store)
        if sync:
            index.sync(build_units(store))
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
    """Forget the store's index (units and lexical index) so the next sync rebuilds it; vectors are kept."""
    with _LOCK:
        _OPEN.pop(store, None)
    directory = index_dir(store)
    if directory is not None:
        (directory / "index.json").unlink(missing_ok=True)
        LexicalIndex.clear(directory / "lexical")


def update(store: Any, model: Embedder | None = None, kinds: Iterable[str] = DENSE_KINDS) -> Changes:
    """Sync the store's index, then embed what lacks a vector when a model is given (``tthc-kg index``)."""
    index = open_index(store, sync=False)
    changes = index.sync(build_units(store))
    with _LOCK:
        _OPEN[store] = (getattr(store, "generation", None), index)
    if model is None:
        return changes
    embedded = index.embed(model, kinds)
    return Changes(changes.added, changes.changed, changes.removed, embedded.embedded, changes.units)
