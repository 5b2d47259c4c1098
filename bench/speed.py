"""Speed of extraction, ingest and the flagship queries, printed (never asserted).

    python bench/speed.py [--corpus ../shared/corpus/plans] [--runs 3] [--min-mb 20] [--query-runs 30]
                          [--query-store disk|memory] [--only extract|ingest|query]

Sections:
  a. extraction: the corpus plans, NFC-normalized once (outside the timing) and repeated to ≥ --min-mb MB (MB =
     1e6 bytes of UTF-8), scanned by ``find_citations`` file by file and as one big string; ``normalize`` timed
     on its own; baselines on the same text: Python ``re`` with a bare symbol pattern (same process) and ripgrep
     with the same pattern (``rg -j1``, a temp file). Every figure is the median of --runs runs.
  b. ingest: corpus plans + the seeds (data/plans) into a fresh on-disk store and into an in-memory store.
  c. query latency: superseded-dependencies, audit(), in-force-at, successor — p50/p95 over --query-runs runs.

The corpus is read in place; nothing is copied into the repository. Temp files go to the system temp dir.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

# The bare symbol shape, no context: number, optional year, a dashed code ("61/2018/NĐ-CP", "79/KH-UBND").
BARE = r"[0-9]+/([0-9]{4}/)?[A-ZĐ][A-ZĐa-z]*(-[A-ZĐ][A-ZĐa-z0-9]*)+"

SUMMARY: list[tuple[str, str, str]] = []  # (section, what, figure)


def note(section: str, what: str, figure: str) -> None:
    SUMMARY.append((section, what, figure))


def median_time(fn: Callable[[], Any], runs: int) -> tuple[float, list[float], Any]:
    """Median wall time of ``runs`` calls (after none: callers warm up themselves), all times, last result."""
    times: list[float] = []
    result: Any = None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, result


def spread(times: list[float]) -> str:
    return f"min {min(times):.3f} s, max {max(times):.3f} s"


def pct(times: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(times)
    k = max(0, min(len(s) - 1, math.ceil(p / 100 * len(s)) - 1))
    return s[k]


def mb(n_bytes: int) -> float:
    return n_bytes / 1e6


# --- a. extraction -------------------------------------------------------------------------------------


def bench_extract(corpus: Path, runs: int, min_mb: float) -> None:
    from tthc_kg.find import find_citations
    from tthc_kg.normalize import normalize
    from tthc_kg.read import read_text

    print("\n== a. citation extraction ==")
    files = sorted(corpus.glob("*.txt"))
    if not files:
        print(f"no *.txt in {corpus}")
        return
    raw_once = [read_text(f) for f in files]
    norm_once = [normalize(t).text for t in raw_once]
    once_bytes = sum(len(t.encode("utf-8")) for t in norm_once)
    copies = max(1, -(-int(min_mb * 1e6) // once_bytes))  # ceil
    raw = raw_once * copies
    chunks = norm_once * copies
    big = "\n\n".join(chunks)
    n_bytes = sum(len(t.encode("utf-8")) for t in chunks)
    big_bytes = len(big.encode("utf-8"))
    raw_bytes = sum(len(t.encode("utf-8")) for t in raw)
    print(
        f"corpus: {len(files)} files, {mb(once_bytes):.2f} MB normalized; repeated ×{copies} → "
        f"{len(chunks)} chunks, {mb(n_bytes):.2f} MB (one big string: {mb(big_bytes):.2f} MB)"
    )
    print(f"Python timings run in one thread on one core (CPython, no multiprocessing); median of {runs} runs each.")

    find_citations(norm_once[0])  # compile and cache the patterns outside the timing

    # baseline in the same process: the bare symbol pattern with Python's re
    bare_re = re.compile(BARE)
    t_re, times, n_re = median_time(lambda: sum(1 for c in chunks for _ in bare_re.finditer(c)), runs)
    print(
        f"baseline  Python re, bare pattern, per chunk:  {t_re:7.3f} s  {mb(n_bytes) / t_re:7.1f} MB/s  "
        f"{n_re} matches  ({spread(times)})"
    )

    t_chunks, times, n_chunks = median_time(lambda: sum(len(find_citations(c)) for c in chunks), runs)
    rate_chunks = mb(n_bytes) / t_chunks
    print(
        f"find_citations, per chunk (file sizes):         {t_chunks:7.3f} s  {rate_chunks:7.1f} MB/s  "
        f"{n_chunks} citations  ({spread(times)})"
    )
    note("extract", "find_citations per file (MB/s, 1 core)", f"{rate_chunks:.1f}  (target ≥ 20)")

    t_big, times, n_big = median_time(lambda: len(find_citations(big)), runs)
    rate_big = mb(big_bytes) / t_big
    print(
        f"find_citations, one big string:                 {t_big:7.3f} s  {rate_big:7.1f} MB/s  "
        f"{n_big} citations  ({spread(times)})"
    )
    note("extract", "find_citations one string (MB/s)", f"{rate_big:.1f}")
    print(f"ratio find_citations / Python re bare pattern (time): {t_chunks / t_re:.1f}×")
    note("extract", "find_citations / Python re bare (time)", f"{t_chunks / t_re:.1f}×")

    normalize(raw_once[0])
    t_norm, times, _ = median_time(lambda: [normalize(t) for t in raw], runs)
    print(
        f"normalize, per chunk (input as decoded):        {t_norm:7.3f} s  {mb(raw_bytes) / t_norm:7.1f} MB/s  "
        f"({spread(times)})"
    )
    note("extract", "normalize as decoded (MB/s)", f"{mb(raw_bytes) / t_norm:.1f}")
    import unicodedata

    nfd = [unicodedata.normalize("NFD", t) for t in raw_once]  # the slow path (offset map), one copy only
    nfd_bytes = sum(len(t.encode("utf-8")) for t in nfd)
    t_nfd, times, _ = median_time(lambda: [normalize(t) for t in nfd], runs)
    print(
        f"normalize, NFD input (offset map), 1 copy:      {t_nfd:7.3f} s  {mb(nfd_bytes) / t_nfd:7.1f} MB/s  "
        f"({mb(nfd_bytes):.2f} MB; {spread(times)})"
    )
    note("extract", "normalize NFD input (MB/s)", f"{mb(nfd_bytes) / t_nfd:.1f}")

    bench_rg(big, big_bytes, runs, t_big, n_re)


def bench_rg(big: str, big_bytes: int, runs: int, t_ours: float, n_re: int) -> None:
    rg = shutil.which("rg")
    if rg is None:
        print("ripgrep: not found on PATH, skipped")
        return
    version = subprocess.run([rg, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    with tempfile.TemporaryDirectory(prefix="tthc-bench-") as d:
        path = Path(d) / "corpus.txt"
        path.write_text(big, encoding="utf-8")
        empty = Path(d) / "empty.txt"
        empty.write_text("", encoding="utf-8")
        cmd = [rg, "--no-config", "-j1", "--count-matches", "-e", BARE]
        subprocess.run([*cmd, str(path)], capture_output=True)  # warm the page cache

        def run(p: Path) -> str:
            return subprocess.run([*cmd, str(p)], capture_output=True, text=True).stdout.strip()

        t_start, _, _ = median_time(lambda: run(empty), runs)
        t_rg, times, out = median_time(lambda: run(path), runs)
    print(f"ripgrep ({version}): {' '.join(cmd[:-2])} -e '{BARE}' FILE")
    print(
        f"ripgrep, same text as the big string:           {t_rg:7.3f} s  {mb(big_bytes) / t_rg:7.1f} MB/s  "
        f"{out or 0} matches (Python re: {n_re})  ({spread(times)}; process start ≈ {t_start * 1000:.1f} ms)"
    )
    print(
        f"ratio find_citations / ripgrep (time, one big string): {t_ours / t_rg:.0f}×; "
        f"ripgrep {mb(big_bytes) / t_rg:.0f} MB/s vs ours {mb(big_bytes) / t_ours:.1f} MB/s"
    )
    note("extract", "ripgrep bare pattern (MB/s)", f"{mb(big_bytes) / t_rg:.0f}")
    note("extract", "find_citations / ripgrep (time)", f"{t_ours / t_rg:.0f}×")


# --- b. ingest -----------------------------------------------------------------------------------------


def plan_paths(corpus: Path, seeds: Path) -> list[str]:
    return [str(p) for p in sorted(corpus.glob("*.txt"))] + [str(p) for p in sorted(seeds.glob("*.txt"))]


def bench_ingest(paths: list[str], runs: int, keep: str, keep_dir: Path) -> Any:
    """Median ingest time into memory and disk stores; returns the last store of kind ``keep`` (for section c)."""
    from tthc_kg.ingest import ingest_files
    from tthc_kg.registry import load_registry
    from tthc_kg.store import Store

    print("\n== b. ingest ==")
    registry = load_registry()
    print(
        f"{len(paths)} files (corpus plans + seeds); each run: a fresh store, the registry graph, then every file "
        f"in its own transaction (ingest_files); median of {runs} runs"
    )
    results: dict[str, tuple[float, int, int]] = {}
    kept: Any = None
    for kind in ("memory", "disk"):
        times: list[float] = []
        ok, triples = 0, 0
        for i in range(runs):
            with tempfile.TemporaryDirectory(prefix="tthc-bench-store-") as d:
                last = i == runs - 1 and kind == keep
                where = keep_dir / "store" if last else Path(d) / "store"
                store = Store.in_memory() if kind == "memory" else Store(where)
                t0 = time.perf_counter()
                ok, errors, totals = ingest_files(store, registry, paths, progress=False)
                times.append(time.perf_counter() - t0)
                triples = totals["triples"]
                if errors:
                    print(f"  errors: {errors[:3]}")
                if last:
                    kept = store
                del store  # closed before its directory goes (unless kept)
        t = statistics.median(times)
        results[kind] = (t, ok, triples)
        print(
            f"{kind:6}: {t:6.2f} s  {ok / t:6.2f} docs/s  {triples / t:8.0f} triples/s  "
            f"({ok} docs, {triples} triples; {spread(times)})"
        )
        note("ingest", f"{kind} (docs/s; triples/s)", f"{ok / t:.2f}; {triples / t:.0f}")
    ratio = results["disk"][0] / results["memory"][0]
    print(f"ratio disk / memory (time): {ratio:.2f}×")
    note("ingest", "disk / memory (time)", f"{ratio:.2f}×")
    return kept


# --- c. queries ----------------------------------------------------------------------------------------


def ingest_once(paths: list[str], kind: str, directory: Path) -> Any:
    from tthc_kg.ingest import ingest_files
    from tthc_kg.registry import load_registry
    from tthc_kg.store import Store

    store = Store.in_memory() if kind == "memory" else Store(directory / "store")
    ingest_files(store, load_registry(), paths, progress=False)
    return store


def bench_queries(store: Any, kind: str, n_files: int, runs: int, as_of: str) -> None:
    from tthc_kg import queries
    from tthc_kg.audit import audit

    print("\n== c. query latency ==")
    print(
        f"{kind} store, {n_files} files ingested, {store.triple_count()} quads; asOf {as_of}; "
        f"{runs} runs each after one warm-up; nearest-rank percentiles"
    )

    def select(name: str, params: dict[str, str]) -> Callable[[], int]:
        q = queries.load(name)
        bound = q.bind(params)
        return lambda: len(list(store.select(q.text, bound)))

    cases: list[tuple[str, Callable[[], int]]] = [
        ("superseded-dependencies", select("superseded-dependencies", {"asOf": as_of, "includeAmended": "false"})),
        ("audit()", lambda: len(audit(store, date.fromisoformat(as_of)))),
        ("in-force-at", select("in-force-at", {"asOf": as_of})),
        ("successor 61/2018/NĐ-CP", select("successor", {"symbol": "61/2018/NĐ-CP", "asOf": as_of})),
    ]
    for label, fn in cases:
        fn()  # warm-up
        _, times, rows = median_time(fn, runs)
        p50, p95 = pct(times, 50) * 1000, pct(times, 95) * 1000
        print(f"{label:26} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   rows {rows}")
        note("query", f"{label} p50 / p95 (ms)", f"{p50:.1f} / {p95:.1f}")


# --- main ----------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--corpus",
        default=str(REPO.parent / "shared" / "corpus" / "plans"),
        help="directory of corpus plans (*.txt), read in place",
    )
    ap.add_argument("--seeds", default=str(REPO / "data" / "plans"), help="the shipped seed plans (*.txt)")
    ap.add_argument("--runs", type=int, default=3, help="runs per extraction/ingest figure (median; default 3)")
    ap.add_argument("--min-mb", type=float, default=20.0, help="repeat the corpus to at least this many MB")
    ap.add_argument("--query-runs", type=int, default=30, help="runs per query (default 30)")
    ap.add_argument("--query-store", choices=("disk", "memory"), default="disk")
    ap.add_argument("--as-of", default="2026-11-22", help="asOf date for the queries (YYYY-MM-DD)")
    ap.add_argument("--only", choices=("extract", "ingest", "query"), help="run one section")
    args = ap.parse_args()
    corpus, seeds = Path(args.corpus), Path(args.seeds)
    if not corpus.is_dir():
        sys.exit(f"speed.py: no corpus directory {corpus}")

    import pyoxigraph

    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(
        f"python {platform.python_version()} · pyoxigraph {pyoxigraph.__version__} · {os.cpu_count()} CPUs · "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (other work on the machine skews the figures)"
    )
    print(f"corpus {corpus}")
    t0 = time.perf_counter()
    paths = plan_paths(corpus, seeds)
    if args.only in (None, "extract"):
        bench_extract(corpus, args.runs, args.min_mb)
    with tempfile.TemporaryDirectory(prefix="tthc-bench-query-") as qdir:
        store = None
        if args.only in (None, "ingest"):
            store = bench_ingest(paths, args.runs, args.query_store, Path(qdir))
        if args.only in (None, "query"):
            if store is None:
                store = ingest_once(paths, args.query_store, Path(qdir))
            bench_queries(store, args.query_store, len(paths), args.query_runs, args.as_of)
        del store

    print(f"\n== summary ==  (total {time.perf_counter() - t0:.0f} s)")
    width = max((len(w) for _, w, _ in SUMMARY), default=10)
    for section, what, figure in SUMMARY:
        print(f"{section:8} {what:{width}}  {figure}")


if __name__ == "__main__":
    main()
