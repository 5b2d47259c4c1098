"""How long the search index takes to catch up with a store after an ingest: the units rebuilt from the union
queries (``search-documents``, ``-citations``, ``-tasks`` over every graph, as before the rows were kept per
graph) against the rows kept per graph (``tthc_kg.search.graph_rows``: every graph read once, then only the ones
whose key changed).

    python bench/index_sync.py --store /tmp/tthc-scale/store-1000 [--runs 3] [--plans 1]

The store is copied to a temporary directory first (without its ``search/`` folder) and left untouched. Prints,
median and max over ``--runs`` (wall and CPU seconds, with the load average): ``union`` (the three union queries
and the units), ``rows: every graph`` (read every graph's rows, join them, build the units), ``rows: unchanged``
(the keys and the units, nothing read), then after ingesting ``--plans`` new plans (the seeds with a changed
number, so they are new sources) ``rows: after ingest`` (the keys, the new graphs read, the units) — and the
``index sync`` a ``tthc-kg ingest`` runs after it end to end (keys, rows, units, the lexical index's changes),
against the same sync on the union queries. Checks that both ways give the same units, and says so.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(fn: Callable[[], Any], runs: int) -> tuple[Any, list[float], list[float]]:
    walls, cpus, out = [], [], None
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return out, walls, cpus


def line(name: str, walls: list[float], cpus: list[float], base: float | None = None) -> None:
    med = statistics.median(walls)
    ratio = f"   union ÷ this {base / med:6.1f}" if base else ""
    print(
        f"{name:<28} wall {med:8.2f} s (max {max(walls):7.2f})   cpu {statistics.median(cpus):8.2f} s{ratio}   "
        f"load {load()}",
        flush=True,
    )


def new_plans(directory: Path, count: int) -> list[str]:
    """The seeds with another plan number in their first lines: new sources with the seeds' real content."""
    seeds = sorted((ROOT / "data" / "plans").glob("*.txt"))
    out = []
    for i in range(count):
        text = seeds[i % len(seeds)].read_text(encoding="utf-8")
        path = directory / f"sync-{i:04d}.txt"
        path.write_text(text.replace("Số:", f"Số: 9{i:03d}", 1) + f"\n(bản thử {i})\n", encoding="utf-8")
        out.append(str(path))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", required=True, type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--plans", type=int, default=1)
    args = ap.parse_args(argv)

    from tthc_kg.ingest import ingest_files
    from tthc_kg.registry import load_registry
    from tthc_kg.search import corpus, graph_rows
    from tthc_kg.search import index as index_module
    from tthc_kg.store import Store

    work = Path(tempfile.mkdtemp(prefix="tthc-index-sync-"))
    try:
        copy = work / "store"
        shutil.copytree(args.store, copy, ignore=shutil.ignore_patterns("search"))
        store = Store(copy)
        print(f"store: {args.store} ({store.triple_count():,} triples, {len(store.graph_names()):,} graphs)")

        units, walls, cpus = timed(lambda: corpus.build_units(store), args.runs)
        union = statistics.median(walls)
        line("union queries + units", walls, cpus)
        print(f"  {len(units):,} units")

        def every_graph() -> list[Any]:
            rows = graph_rows.GraphRows(None)
            keys = index_module.graph_keys(store)
            assert keys is not None
            rows.refresh(store, keys)
            return corpus.units_from_rows(*rows.rows())

        got, walls, cpus = timed(every_graph, args.runs)
        line("rows: every graph", walls, cpus, union)
        same = got == units
        kept = graph_rows.GraphRows(work / "rows.sqlite")

        def refresh() -> list[Any]:
            keys = index_module.graph_keys(store)
            assert keys is not None
            kept.refresh(store, keys)
            return corpus.units_from_rows(*kept.rows())

        refresh()
        _, walls, cpus = timed(refresh, args.runs)
        line("rows: unchanged", walls, cpus, union)

        # the index a `tthc-kg ingest` keeps up to date, synced once on this store
        index_module.update(store)
        ok, errors, _ = ingest_files(store, load_registry(), new_plans(work, args.plans), progress=False)
        assert ok == args.plans and not errors, errors
        index = index_module.open_index(store, sync=False)
        w, c = time.perf_counter(), time.process_time()
        changes = index_module.update(store)
        line(f"index sync, {args.plans} new plan(s)", [time.perf_counter() - w], [time.process_time() - c])
        print(f"  read {len(index.graph_rows.read)} graph(s); {changes.added} units added, {changes.changed} changed")
        after = corpus.build_units(store)
        same = same and list(index.units.values()) == after

        ok, errors, _ = ingest_files(store, load_registry(), new_plans(work, args.plans + 1)[-1:], progress=False)
        assert ok == 1 and not errors, errors
        before = index_module.store_units
        index_module.store_units = lambda s, ix, keys: corpus.build_units(s)  # type: ignore[assignment]
        try:
            w, c = time.perf_counter(), time.process_time()
            index_module.update(store)
            line("index sync on union queries", [time.perf_counter() - w], [time.process_time() - c])
        finally:
            index_module.store_units = before
        print(f"same units both ways: {'yes' if same else 'NO'}")
        return 0 if same else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
