"""Fusing a lexical and a dense ranking into one.

- :func:`zscore` (the engine's): **score fusion weighted by confidence**. Each list's scores become z-scores
  over its own best ``window`` candidates ((s − mean) / standard deviation), a key missing from a list takes that
  list's lowest z, and the weighted sum ranks. A list whose best candidates stand far above the rest (a confident
  list: an exact BM25 match of rare words, a near-paraphrase for the dense model) moves the fused ranking more
  than a flat one, and BM25 and cosine scales never meet. On ALQAC (bench/search_eval.py, bench/README.md) it
  beat reciprocal-rank fusion on every tuning set and on the reporting set.
- :func:`rrf`: reciprocal-rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009), score(u) = Σ weight_i /
  (k + rank_i(u)): ranks only, k = 60 the paper's constant. The DESIGN.md baseline (MRR@10 0.862 on ALQAC 2024);
  kept for comparison (``bench/search_eval.py --fusion rrf``).

Every function takes lists best first and returns ``[(key, score)]`` best first; ties keep the order in which keys
first appear (the first list's order first).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import TypeVar

K = 60  # rrf's constant
WINDOW = 100  # zscore: candidates of a list its mean and deviation are taken over

T = TypeVar("T", bound=Hashable)


def _weights(n: int, weights: Sequence[float] | None) -> list[float]:
    out = list(weights) if weights is not None else [1.0] * n
    if len(out) != n:
        raise ValueError(f"{n} rankings but {len(out)} weights")
    return out


def _sorted(scores: dict[T, float]) -> list[tuple[T, float]]:
    order = {key: i for i, key in enumerate(scores)}
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))


def rrf(rankings: Sequence[Sequence[T]], weights: Sequence[float] | None = None, k: int = K) -> list[tuple[T, float]]:
    """Fuse ranked lists of keys (best first) by reciprocal rank.

    >>> rrf([["a", "b"], ["b", "c"]])
    [('b', 0.03252247488101534), ('a', 0.01639344262295082), ('c', 0.016129032258064516)]
    """
    scores: dict[T, float] = {}
    for ranking, weight in zip(rankings, _weights(len(rankings), weights), strict=True):
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    return _sorted(scores)


def standardize(scored: Sequence[tuple[T, float]], window: int = WINDOW) -> tuple[dict[T, float], float]:
    """A list's z-scores (mean and population standard deviation of its first ``window`` scores; a deviation of
    0 counts as 1) and the z a key missing from it takes: its lowest.

    >>> standardize([("a", 3.0), ("b", 1.0)])
    ({'a': 1.0, 'b': -1.0}, -1.0)
    """
    if not scored:
        return {}, 0.0
    head = [s for _, s in scored[:window]]
    mean = sum(head) / len(head)
    sd = math.sqrt(sum((s - mean) ** 2 for s in head) / len(head)) or 1.0
    z: dict[T, float] = {}
    for key, s in scored:
        z.setdefault(key, (s - mean) / sd)  # a key listed twice keeps its first (best) score
    return z, min(z.values())


def zscore(
    lists: Sequence[Sequence[tuple[T, float]]], weights: Sequence[float] | None = None, window: int = WINDOW
) -> list[tuple[T, float]]:
    """Fuse scored lists ``[(key, score)]`` (best first) by the weighted sum of their z-scores (see the module).

    The lexical list is sure of "a" (far above the rest); the dense list barely prefers "c" to "b":

    >>> [key for key, _ in zscore([[("a", 9.0), ("b", 1.0), ("c", 0.5)], [("c", 0.9), ("b", 0.8)]])]
    ['a', 'c', 'b']
    """
    ws = _weights(len(lists), weights)
    per_list = [standardize(lst, window) for lst in lists]
    keys = dict.fromkeys(key for lst in lists for key, _ in lst)
    fused = {key: sum(w * z.get(key, floor) for w, (z, floor) in zip(ws, per_list, strict=True)) for key in keys}
    return _sorted(fused)
