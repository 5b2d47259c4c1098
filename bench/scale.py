"""Scale bench (issue 6 part 5): bulk ingest and the flagship queries at 1k / 10k / 100k generated plans.

    python bench/scale.py [--sizes 1000,10000] [--work /tmp/tthc-scale] [--runs 7] [--workers N] [--reuse]
                          [--rdflib-max 1500000] [--no-oxigraph-server] [--server sparql+http://…] [--audit]
                          [--json FILE]

For each N: the corpus from bench/gen_corpus.py (generated once into WORK/corpus-N, outside the repository), a
fresh embedded store in WORK/store-N filled by the bulk path (tthc_kg/bulk.py: parallel extraction on all cores,
N-Quads, pyoxigraph's bulk loader; dense embedding excluded) — or, with ``--reuse``, the store already there —
then, per engine:

- ``full``: the full result, sorted, as the product reads it: :func:`tthc_kg.superseded.rows` (the change events,
  then each affected document's dependency records, cut into fields and sorted in Python);
  ``full_sparql``: queries/superseded-dependencies.rq itself, every row through ``Store.select`` (the same rows,
  the records cut by SPARQL string functions); ``full_raw``: that query's solutions without the conversion to dicts;
- ``page``: the first 50 rows, :func:`tthc_kg.superseded.page` (no sort of everything); ``page_sparql``:
  queries/superseded-dependencies-page.rq with ``LIMIT 50``;
- ``audit`` (with ``--audit``): ``tthc_kg.audit.audit`` (superseded-dependencies + successors + unresolved).

Engines: the embedded store on disk (read-only, as the CLI opens it), the same store in memory (pyoxigraph; skipped
above ``--memory-max`` triples), rdflib in memory (the same quads, ``Dataset(default_union=True)``; skipped above
``--rdflib-max`` triples: its load takes ~90 s and 1.3 GB per million triples here), the Oxigraph server (``oxigraph
serve-read-only`` started here on the same store directory, queried over HTTP through tthc_kg.store_remote;
``--no-oxigraph-server`` skips it) and, with ``--server``, another SPARQL server already holding the same data
(loaded with ``tthc-kg ingest --bulk --store URL``). Each timing is p50/p95 over ``--runs`` runs (wall clock, and
the query thread's CPU time, since the machine is shared) with ``uptime``'s load average, after a first run kept out
of the percentiles and printed as "1st" (a freshly opened store's caches are cold). Prints one table per N, each
engine's time as a multiple of the embedded store's, and issue 6's targets; ``--json`` writes every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

AS_OF = "2026-11-22"
FULL, PAGE = "superseded-dependencies", "superseded-dependencies-page"
PAGE_ROWS = 50


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(p * (len(s) - 1)))]


def timed(fn: Callable[[], int], runs: int) -> dict[str, Any]:
    """p50/p95 of ``runs`` runs after a first one (a freshly opened store's caches are cold: reported as
    ``first``, not counted in the percentiles)."""
    w = time.perf_counter()
    fn()
    first = time.perf_counter() - w
    walls, cpus, n = [], [], 0
    for _ in range(runs):
        c, w = time.thread_time(), time.perf_counter()
        n = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.thread_time() - c)
    return {
        "rows": n,
        "p50": pct(walls, 0.5),
        "p95": pct(walls, 0.95),
        "cpu_p50": pct(cpus, 0.5),
        "first": first,
        "runs": runs,
        "load": load(),
    }


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def corpus(n: int, work: Path, seed: int) -> Path:
    out = work / f"corpus-{n}"
    if (out / "MANIFEST.jsonl").exists() and sum(1 for _ in open(out / "MANIFEST.jsonl")) == n:
        return out
    from gen_corpus import generate

    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    generate(n, out, seed)
    print(f"generated {n} plans in {time.perf_counter() - t:.0f} s → {out}", file=sys.stderr)
    return out


def ingest(n: int, src: Path, work: Path, workers: int | None) -> dict[str, Any]:
    from tthc_kg.bulk import bulk_ingest
    from tthc_kg.ingest import expand_paths
    from tthc_kg.registry import load_registry
    from tthc_kg.store import Store

    target = work / f"store-{n}"
    shutil.rmtree(target, ignore_errors=True)
    shutil.rmtree(Path(f"{target}.bulk"), ignore_errors=True)
    paths = expand_paths([str(src)])
    store = Store(target)
    before = load()
    t = time.perf_counter()
    result = bulk_ingest(store, load_registry(), paths, progress=sys.stderr.isatty(), workers=workers)
    store.flush()
    secs = time.perf_counter() - t
    triples = store.triple_count()
    del store
    return {
        "files": len(paths),
        "loaded": result.ok,
        "errors": len(result.errors),
        "triples": triples,
        "ingest_s": secs,
        "triples_per_s": triples / secs,
        "files_per_s": len(paths) / secs,
        "store_mb": du(target) / 1e6,
        "load_before": before,
        "load_after": load(),
        "workers": workers or os.cpu_count(),
    }


def oxigraph_engine(store: Any, runs: int, with_audit: bool = False) -> dict[str, Any]:
    from tthc_kg import queries, superseded
    from tthc_kg.audit import audit

    full_q, page_q = queries.load(FULL), queries.load(PAGE)
    b = full_q.bind({"asOf": AS_OF})

    def full() -> int:
        return len(superseded.rows(store, AS_OF))

    def page() -> int:
        return len(superseded.page(store, PAGE_ROWS, 0, AS_OF))

    def full_sparql() -> int:
        return sum(1 for _ in store.select(full_q.text, b))

    def page_sparql() -> int:
        return sum(1 for _ in store.select(f"{page_q.text}\nLIMIT {PAGE_ROWS}", b))

    def full_raw() -> int:  # the same rows as pyoxigraph solutions, without Store.select's conversion to dicts
        return sum(1 for _ in store.query(full_q.text, b))

    out = {"full": timed(full, runs), "page": timed(page, runs), "full_sparql": timed(full_sparql, runs)}
    out["page_sparql"] = timed(page_sparql, runs)
    if hasattr(store, "_db"):  # the embedded store's own solutions
        out["full_raw"] = timed(full_raw, runs)
    if with_audit:
        out["audit"] = timed(lambda: len(audit(store, date.fromisoformat(AS_OF))), max(3, runs // 2))
    return out


def oxigraph_server(store_dir: Path, runs: int) -> dict[str, Any]:
    """``oxigraph serve-read-only`` on the store directory (the same files), queried over HTTP."""
    import socket
    import urllib.request

    from tthc_kg.store import open_store

    exe = Path(sys.executable).parent / "oxigraph"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [str(exe), "serve-read-only", "--location", str(store_dir), "--bind", f"127.0.0.1:{port}"]
    proc = subprocess.Popen([*cmd, "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None:
                    return {"note": f"oxigraph server did not start: {proc.stderr.read().decode()[-300:]}"}
                time.sleep(0.1)
        return oxigraph_engine(open_store(f"sparql+http://127.0.0.1:{port}/query", read_only=True), runs)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def rdflib_engine(store_dir: Path, runs: int, report: Callable[[str, Any], None]) -> None:
    import pyoxigraph as ox
    from rdflib import Dataset

    from tthc_kg import queries
    from tthc_kg.store import SPARQL_PREFIXES

    t = time.perf_counter()
    data = ox.Store.read_only(str(store_dir)).dump(format=ox.RdfFormat.N_QUADS)
    ds = Dataset(default_union=True)
    ds.parse(data=data, format="nquads")
    report("load_s", time.perf_counter() - t)
    del data
    q = queries.load(FULL)
    prologue = "".join(f"PREFIX {k}: <{v}>\n" for k, v in SPARQL_PREFIXES.items())
    bind = {k: _rdflib_term(v) for k, v in q.bind({"asOf": AS_OF}).items()}
    text = prologue + q.text
    page_text = prologue + queries.load(PAGE).text + f"\nLIMIT {PAGE_ROWS}"

    def full_sparql() -> int:
        return sum(1 for _ in ds.query(text, initBindings=bind))

    def page_sparql() -> int:
        return sum(1 for _ in ds.query(page_text, initBindings=bind))

    from tthc_kg import superseded

    store = _RdflibStore(ds, prologue)  # the same two queries and Python the embedded store's "full" runs

    runs = max(1, min(runs, 3))
    report("page", timed(lambda: len(superseded.page(store, PAGE_ROWS, 0, AS_OF)), runs))
    report("full", timed(lambda: len(superseded.rows(store, AS_OF)), runs))
    report("page_sparql", timed(page_sparql, runs))
    report("full_sparql", timed(full_sparql, runs))


class _RdflibStore:
    """An rdflib Dataset behind the ``select`` that tthc_kg.superseded calls."""

    def __init__(self, ds: Any, prologue: str) -> None:
        self.ds, self.prologue = ds, prologue

    def select(self, text: str, bindings: dict[str, Any]) -> Any:
        from rdflib import Literal

        result = self.ds.query(self.prologue + text, initBindings={k: _rdflib_term(v) for k, v in bindings.items()})
        names = [str(v) for v in result.vars]
        for row in result:
            yield {
                n: None if row[n] is None else row[n].toPython() if isinstance(row[n], Literal) else str(row[n])
                for n in names
            }


def rdflib_bounded(store_dir: Path, runs: int, timeout: float) -> dict[str, Any]:
    """rdflib_engine in a child process, stopped after ``timeout`` seconds: what finished is kept, and a query
    that did not finish is reported as taking more than the time left for it."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    queue = ctx.Queue()

    def child() -> None:
        def report(key: str, value: Any) -> None:
            queue.put((key, value))

        rdflib_engine(store_dir, runs, report)

    start = time.perf_counter()
    proc = ctx.Process(target=child, daemon=True)
    proc.start()
    out: dict[str, Any] = {}
    while proc.is_alive() or not queue.empty():
        left = timeout - (time.perf_counter() - start)
        if left <= 0:
            break
        try:
            key, value = queue.get(timeout=min(left, 5))
            out[key] = value
        except Exception:  # queue.Empty: keep waiting
            continue
    if proc.is_alive():
        proc.kill()
        waited = time.perf_counter() - start - out.get("load_s", 0)
        for kind in ("full", "page"):
            if kind not in out:
                out[kind] = {"timeout": True, "p50": waited, "p95": waited, "cpu_p50": waited, "rows": None}
                waited = 0
                break
        out["note"] = f"stopped after {timeout:.0f} s"
    return out


def _rdflib_term(v: Any) -> Any:
    from rdflib import Literal, URIRef

    if hasattr(v, "datatype"):
        return Literal(v.value, datatype=URIRef(v.datatype.value))
    return URIRef(v.value)


def fmt_ms(x: dict[str, Any] | None) -> str:
    if not x:
        return "—"
    if x.get("timeout"):
        return f"> {x['p50']:.0f} s (stopped)"
    first = f", 1st {x['first'] * 1000:.0f}" if "first" in x else ""
    return f"{x['p50'] * 1000:.1f}/{x['p95'] * 1000:.1f} ms (cpu {x['cpu_p50'] * 1000:.1f}{first})"


# issue 6 part 5: the embedded store's full result by size (seconds), its first page, and rdflib's multiple
TARGETS = {"full_1m": 0.100, "full_10m": 1.0, "page": 0.005, "rdflib_ratio": 50.0}


def report(n: int, r: dict[str, Any]) -> None:
    i = r["ingest"]
    print(f"\n== N = {n} plans: {i['triples']:,} triples ==")
    if i.get("reused"):
        print(f"store reused from an earlier run ({i['store_mb']:.0f} MB); ingest not measured in this run")
        if i.get("recorded"):
            print(f"  recorded by the ingest that built it: {json.dumps(i['recorded'], ensure_ascii=False)}")
    else:
        print(
            f"ingest (bulk, {i['workers']} workers): {i['ingest_s']:.0f} s, {i['triples_per_s']:,.0f} triples/s, "
            f"{i['files_per_s']:.1f} files/s; store {i['store_mb']:.0f} MB; load avg before {i['load_before']}, "
            f"after {i['load_after']}"
        )
    engines = [e for e in ("disk", "memory", "rdflib", "oxigraph-server", "server") if e in r]
    print(f"{'p50/p95 wall (cpu p50, 1st run)':24}" + "".join(f"{e:>42}" for e in engines))
    for kind in ("full", "page", "full_sparql", "full_raw", "page_sparql", "audit"):
        if any(r[e].get(kind) for e in engines):
            print(f"{kind:24}" + "".join(f"{fmt_ms(r[e].get(kind)):>42}" for e in engines))
    print(f"rows: full {r['disk']['full']['rows']}, page {r['disk']['page']['rows']}; load average {load()}")
    for e in engines[1:]:
        for kind in ("full", "page"):
            if r[e].get(kind) and r["disk"].get(kind):
                ratio = r[e][kind]["p50"] / r["disk"][kind]["p50"]
                more = "more than " if r[e][kind].get("timeout") else ""
                print(f"  {e} / embedded, {kind}: {more}{ratio:.1f}× the embedded store's time")
        if r[e].get("load_s"):
            print(f"  {e}: loading the graph took {r[e]['load_s']:.0f} s")
        if r[e].get("note"):
            print(f"  {e}: {r[e]['note']}")
    for skipped in ("skipped_memory", "skipped"):
        if skipped in r:
            print("  " + r[skipped])
    full, page = r["disk"]["full"]["p50"], r["disk"]["page"]["p50"]
    budget = TARGETS["full_1m"] if i["triples"] <= 2_000_000 else TARGETS["full_10m"]
    if i["triples"] <= 20_000_000:
        verdict = [f"full {full * 1000:.0f} ms ≤ {budget * 1000:.0f} ms: {'met' if full <= budget else 'NOT met'}"]
    else:  # issue 6 sets the full result's targets at 1 M and 10 M triples
        verdict = [f"full {full * 1000:.0f} ms (no target above 10 M triples)"]
    verdict.append(f"page {page * 1000:.1f} ms ≤ 5 ms: {'met' if page <= TARGETS['page'] else 'NOT met'}")
    rd = r.get("rdflib", {}).get("full")
    if rd:
        ratio = rd["p50"] / full
        verdict.append(
            f"rdflib ≥ {TARGETS['rdflib_ratio']:.0f}× slower: {ratio:.0f}× ({'met' if ratio >= 50 else 'NOT met'})"
        )
    print("targets (embedded store, p50 wall): " + "; ".join(verdict))


def reused(n: int, work: Path) -> dict[str, Any] | None:
    from tthc_kg.store import Store

    target = work / f"store-{n}"
    if not target.is_dir():
        return None
    store = Store(target, read_only=True)
    out = {"reused": True, "triples": store.triple_count(), "store_mb": du(target) / 1e6}
    recorded = Path(f"{target}.ingest.json")  # what the ingest that built the store measured
    if recorded.is_file():
        out["recorded"] = json.loads(recorded.read_text(encoding="utf-8"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--work", type=Path, default=Path("/tmp/tthc-scale"))
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--reuse", action="store_true", help="use WORK/store-N when it exists (no corpus, no ingest)")
    ap.add_argument("--rdflib-max", type=int, default=1_500_000)
    ap.add_argument("--memory-max", type=int, default=20_000_000, help="largest store copied into memory (triples)")
    ap.add_argument("--rdflib-timeout", type=float, default=900, help="seconds for rdflib's load and queries")
    ap.add_argument("--no-oxigraph-server", action="store_true", help="skip the Oxigraph server on the same store")
    ap.add_argument("--server", default=None, help="another SPARQL server already holding the same data")
    ap.add_argument("--audit", action="store_true", help="also time tthc_kg.audit.audit (minutes at 1,000 plans)")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    from tthc_kg.store import Store, open_store

    args.work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()}
    for n in (int(x) for x in args.sizes.split(",")):
        r: dict[str, Any] = {}
        r["ingest"] = (reused(n, args.work) if args.reuse else None) or ingest(
            n, corpus(n, args.work, args.seed), args.work, args.workers
        )
        if not r["ingest"].get("reused"):
            # kept beside the store, so that a later --reuse run reports the ingest that built it
            Path(f"{args.work / f'store-{n}'}.ingest.json").write_text(json.dumps(r["ingest"]), encoding="utf-8")
        disk = Store(args.work / f"store-{n}", read_only=True)
        r["disk"] = oxigraph_engine(disk, args.runs, args.audit)
        if args.json:  # the embedded store's figures, before the slower engines
            args.json.write_text(json.dumps({**results, str(n): r}, indent=1, default=str), encoding="utf-8")
        if r["ingest"]["triples"] <= args.memory_max:
            mem = Store.in_memory()
            mem._db.bulk_extend(disk._db.quads_for_pattern(None, None, None, None))
            del disk
            r["memory"] = oxigraph_engine(mem, args.runs, args.audit)
            del mem
        else:
            del disk
            r["skipped_memory"] = (
                f"pyoxigraph in memory skipped: {r['ingest']['triples']:,} triples > --memory-max "
                f"{args.memory_max:,} (it would not fit in this machine's memory)"
            )
        if r["ingest"]["triples"] <= args.rdflib_max:
            r["rdflib"] = rdflib_bounded(args.work / f"store-{n}", args.runs, args.rdflib_timeout)
        else:
            r["skipped"] = f"rdflib skipped: {r['ingest']['triples']:,} triples > --rdflib-max {args.rdflib_max:,}"
        if not args.no_oxigraph_server:
            r["oxigraph-server"] = oxigraph_server(args.work / f"store-{n}", args.runs)
        if args.server:
            r["server"] = oxigraph_engine(open_store(args.server, read_only=True), args.runs, args.audit)
        results[str(n)] = r
        report(n, r)
        if args.json:
            args.json.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
