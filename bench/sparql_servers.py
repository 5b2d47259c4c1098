"""The seed store on each backend, side by side: ingest time (the real write path: one atomic graph replacement
per file; the time spent in those writes on its own line) and the p50/p95 of the flagship named queries, on the
embedded store, a private Virtuoso and the Oxigraph server (both started by scripts/sparql-servers.sh on
127.0.0.1, stopped at the end).

    python bench/sparql_servers.py [--runs 30] [--files PATH ...]

Prints one table; times are wall-clock in this process, HTTP included for the servers. Small data: the figures
say what a request costs (protocol, parsing, planning), not how the engines scale (the scale bench does).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from paths import FIXTURES, SEEDS  # noqa: E402
from tthc_kg import queries  # noqa: E402
from tthc_kg.ingest import ingest_files  # noqa: E402
from tthc_kg.registry import load_registry  # noqa: E402
from tthc_kg.store import Store, open_store  # noqa: E402

SCRIPT = ROOT / "scripts" / "sparql-servers.sh"
FLAGSHIP = [
    ("superseded-dependencies", {"asOf": "2026-11-22"}),
    ("successor", {"symbol": "61/2018/NĐ-CP", "asOf": "2026-11-22"}),
    ("tasks-filter", {"agency": "văn phòng"}),
    ("document", {"symbol": "61/2018/NĐ-CP"}),
    ("plans", {}),
]


def start(name: str, directory: str) -> str:
    env = {**os.environ, "OXIGRAPH": str(Path(sys.executable).parent / "oxigraph")}
    out = subprocess.run(["bash", str(SCRIPT), "start", name, directory], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(f"cannot start {name}: {out.stderr.strip()}")
    return out.stdout.strip().splitlines()[-1]


def measure(store: object, paths: list[str], runs: int) -> dict[str, object]:
    registry = load_registry()
    spent = [0.0]
    replace = store.replace_graph  # type: ignore[attr-defined]

    def timed_replace(graph_iri: object, graph: object) -> int:
        t = time.perf_counter()
        try:
            return replace(graph_iri, graph)  # type: ignore[no-any-return]
        finally:
            spent[0] += time.perf_counter() - t

    store.replace_graph = timed_replace  # type: ignore[attr-defined]
    t0 = time.perf_counter()
    ok, errors, _totals = ingest_files(store, registry, paths, progress=False)
    ingest = time.perf_counter() - t0
    assert not errors and ok == len(paths), errors
    out: dict[str, object] = {"ingest_s": ingest, "write_s": spent[0], "triples": store.triple_count()}  # type: ignore[attr-defined]
    for name, values in FLAGSHIP:
        q = queries.load(name)
        bindings = q.bind(values)
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            rows = list(store.select(q.text, bindings))  # type: ignore[attr-defined]
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        out[name] = (statistics.median(times), times[int(0.95 * (len(times) - 1))], len(rows))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--files", nargs="*", help="plan files (default: the seeds and the outdated-at-issue fixture)")
    args = ap.parse_args()
    paths = args.files or [str(p) for p in SEEDS] + [str(FIXTURES / "ke-hoach-outdated-2025.txt")]
    os.environ.setdefault("TTHC_KG_SPARQL_USER", "dba")  # the private Virtuoso's initial account
    os.environ.setdefault("TTHC_KG_SPARQL_PASSWORD", "dba")
    results = {}
    with tempfile.TemporaryDirectory(prefix="tthc-bench-") as tmp:
        results["embedded"] = measure(Store(Path(tmp) / "embedded"), paths, args.runs)
        for server in ("virtuoso", "oxigraph"):
            directory = str(Path(tmp) / server)
            spec = start(server, directory)
            try:
                results[server] = measure(open_store(spec), paths, args.runs)
            finally:
                subprocess.run(["bash", str(SCRIPT), "stop", directory], capture_output=True)
    load = os.getloadavg()
    print(f"{len(paths)} files, {args.runs} runs per query; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    cols = list(results)
    print(f"{'':28}" + "".join(f"{c:>22}" for c in cols))
    print(f"{'ingest (s)':28}" + "".join(f"{results[c]['ingest_s']:>22.2f}" for c in cols))
    print(f"{'  of which graph writes (s)':28}" + "".join(f"{results[c]['write_s']:>22.2f}" for c in cols))
    print(f"{'triples':28}" + "".join(f"{results[c]['triples']:>22}" for c in cols))
    for name, _ in FLAGSHIP:
        cells = []
        for c in cols:
            p50, p95, n = results[c][name]  # type: ignore[misc]
            cells.append(f"{p50:8.1f} /{p95:7.1f} ms ({n})")
        print(f"{name + ' p50/p95':28}" + "".join(f"{cell:>22}" for cell in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
