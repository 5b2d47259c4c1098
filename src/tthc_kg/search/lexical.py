"""The lexical index: BM25 over the tokens of :mod:`tthc_kg.search.tokenize`, in tantivy.

Why tantivy rather than bm25s (measured on 4,972 passages of the corpus plans, ~1 MB, 2 cores, tokens made
beforehand): indexing 1.4 s against 3.0 s; a query 0.4 ms against 0.6 ms; replacing 100 units 0.13 s, where bm25s
must rebuild its whole matrix (its scores are precomputed with the collection's statistics); and the index lives
on disk by itself. Both rank the same (both BM25; the top 5 of six test queries held the same passages).

The text is tokenized in Python (NFC, syllables, bigrams, underthesea's words, folded tokens) and handed to
tantivy as whitespace-separated tokens, so tantivy's own tokenizers (which split "một_cửa" and drop long
tokens) never see the text. Entries are keyed by a string ``key`` and belong to a ``group`` (the key itself unless
given: a unit whose pieces are the entries); adding a key again replaces it, removing a group removes its entries.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import tantivy

_WAIT = 5.0  # seconds to wait for another process's writer (one writes at a time) before giving up
_HEAP = 20_000_000  # bytes of the writer's buffer (tantivy needs at least 3 MB per thread)


class IndexBusy(OSError):
    """Another process is writing the index (its writer holds the directory's lock)."""


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("key", stored=True, tokenizer_name="raw")
    sb.add_text_field("group", stored=False, tokenizer_name="raw")
    sb.add_text_field("body", stored=False, tokenizer_name="whitespace")
    return sb.build()


class LexicalIndex:
    """A BM25 index of token lists, on disk at ``path`` (or in memory when ``path`` is None).

    >>> ix = LexicalIndex()
    >>> ix.add([("a", ["một", "cửa"]), ("b", ["bưu", "chính"])]); ix.commit()
    >>> [key for key, _ in ix.search(["cửa"], 10)]
    ['a']
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._schema = _schema()
        if path is not None:
            path.mkdir(parents=True, exist_ok=True)
            self._index = tantivy.Index(self._schema, path=str(path), reuse=True)
        else:
            self._index = tantivy.Index(self._schema)
        self._writer: tantivy.IndexWriter | None = None
        self._lock = threading.Lock()

    @staticmethod
    def clear(path: Path) -> None:
        """Remove an index from disk (before a rebuild with another tokenizer)."""
        shutil.rmtree(path, ignore_errors=True)

    def _w(self) -> tantivy.IndexWriter:
        deadline = time.monotonic() + _WAIT
        while self._writer is None:
            try:
                self._writer = self._index.writer(heap_size=_HEAP, num_threads=1)
            except ValueError as exc:  # tantivy: "Failed to acquire Lockfile: LockBusy …"
                if "LockBusy" not in str(exc) or time.monotonic() > deadline:
                    raise IndexBusy(f"the search index at {self.path} is being written by another process") from exc
                time.sleep(0.2)
        return self._writer

    def add(self, items: Iterable[tuple[str, list[str]] | tuple[str, list[str], str]]) -> None:
        """Add (key, tokens) or (key, tokens, group) entries; a key already indexed is replaced. Visible after
        :meth:`commit`."""
        with self._lock:
            w = self._w()
            for item in items:
                key, tokens = item[0], item[1]
                group = item[2] if len(item) > 2 else key  # type: ignore[misc]
                w.delete_documents_by_term("key", key)
                w.add_document(tantivy.Document(key=key, group=group, body=" ".join(t for t in tokens if t)))

    def remove(self, groups: Iterable[str]) -> None:
        """Remove every entry of these groups (an entry added without a group is its own)."""
        with self._lock:
            w = self._w()
            for group in groups:
                w.delete_documents_by_term("group", group)

    def reset(self) -> None:
        """Remove every unit (visible after :meth:`commit`)."""
        with self._lock:
            self._w().delete_all_documents()

    def commit(self) -> None:
        """Write the pending changes (and release the writer's lock on the directory)."""
        with self._lock:
            if self._writer is not None:
                self._writer.commit()
                self._writer.wait_merging_threads()
                self._writer = None
            self._index.reload()

    def __len__(self) -> int:
        return int(self._index.searcher().num_docs)

    def search(
        self, tokens: list[str], limit: int, extra: list[str] | None = None, extra_weight: float = 0.5
    ) -> list[tuple[str, float]]:
        """(key, BM25 score) of the best ``limit`` units containing any of the tokens, best first. A token given
        twice counts once. ``extra`` tokens (a query's expansions) count too, their BM25 scores times
        ``extra_weight``."""
        terms = list(dict.fromkeys(t for t in tokens if t))
        more = [t for t in dict.fromkeys(extra or ()) if t and t not in terms]
        if not (terms or more) or limit <= 0:
            return []
        clauses = [(tantivy.Occur.Should, tantivy.Query.term_query(self._schema, "body", t)) for t in terms]
        clauses += [
            (
                tantivy.Occur.Should,
                tantivy.Query.boost_query(tantivy.Query.term_query(self._schema, "body", t), extra_weight),
            )
            for t in more
        ]
        query = tantivy.Query.boolean_query(clauses)
        searcher = self._index.searcher()
        hits = searcher.search(query, limit).hits
        return [(searcher.doc(address)["key"][0], float(score)) for score, address in hits]
