"""Mixed load with a concurrent ingest: N async clients (httpx) on loopback mixing search, document, SPARQL and audit
requests against ``tthc-kg serve`` while plan files are POSTed to ``/api/ingest`` (the token-protected route: the
embedded store admits one writing process, so a running server is the writer).

Starts the server in a subprocess on a temp store holding the seeds, with a write token; runs for ``--duration``
seconds (at most 60); prints requests, errors, p50/p95/p99 per kind and overall, the ingests done, and the server's
resident memory (VmRSS, sampled every 0.25 s) at the start, at its peak and at the end. Asserts nothing; the test
``tests/api/test_load.py`` runs the same driver (``run_load``) and asserts 0 errors and bounded memory.

    python bench/load.py [--clients 50] [--duration 45] [--runs 3] [--files DIR]

An error is a transport failure, a timeout, or any status other than the one expected (200 for reads and for
each ingest POST).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from live_server import ingest_store, rss_kib, running_server  # noqa: E402

SEEDS = sorted((ROOT / "data" / "plans").glob("*.txt"))
CORPUS = ROOT.parent / "shared" / "corpus" / "plans"
TOKEN = "load-test-token"
AS_OF = "2026-11-22"

SEARCHES = [
    "thanh toán trực tuyến phí, lệ phí",
    "tiếp nhận hồ sơ qua bưu chính công ích",
    "một cửa liên thông",
    "mot cua lien thong",
    "nd 61/2018",
    "kiểm soát thủ tục hành chính",
    "số hóa hồ sơ, kết quả giải quyết",
    "Văn phòng UBND tỉnh",
]
SYMBOLS = ["61/2018/NĐ-CP", "118/2025/NĐ-CP", "107/2021/NĐ-CP", "45/2020/NĐ-CP"]
SPARQL = [
    "SELECT ?doc ?symbol WHERE { ?doc tthc:symbol ?symbol ; tthc:inRegistry true } ORDER BY ?symbol LIMIT 50",
    'ASK { ?doc tthc:symbol "61/2018/NĐ-CP" }',
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "SELECT ?plan ?task WHERE { ?plan tthc:hasTask ?task } LIMIT 100",
]
NAMED = [
    ("successor", {"symbol": "61/2018/NĐ-CP"}),
    ("superseded-dependencies", {"asOf": AS_OF}),
    ("plans", {}),
]
# kind → weight in the mix
MIX = {"search": 35, "document": 25, "sparql": 25, "audit": 15}


@dataclass
class LoadResult:
    clients: int
    duration: float
    latencies: dict[str, list[float]] = field(default_factory=dict)  # ms per kind
    errors: list[str] = field(default_factory=list)
    ingest_posts: int = 0
    ingest_files: int = 0
    ingest_ms: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    workers_rss_kib: list[int] = field(default_factory=list)  # the server's child processes (SPARQL workers)
    triples_before: int = 0
    triples_after: int = 0

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def all_latencies(self) -> list[float]:
        return sorted(x for v in self.latencies.values() for x in v)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def _request(kind: str, rng: random.Random) -> tuple[str, dict[str, str], dict[str, str]]:
    if kind == "search":
        return "/api/search", {"q": rng.choice(SEARCHES), "as_of": AS_OF}, {}
    if kind == "document":
        return f"/api/documents/{quote(rng.choice(SYMBOLS), safe='')}", {"as_of": AS_OF}, {}
    if kind == "sparql":
        if rng.random() < 0.5:
            return "/sparql", {"query": rng.choice(SPARQL)}, {"Accept": "application/sparql-results+json"}
        name, params = rng.choice(NAMED)
        return f"/queries/{name}", params, {}
    return "/api/audit", {"as_of": AS_OF}, {}


async def _client(i: int, base: str, stop: float, result: LoadResult) -> None:
    rng = random.Random(i)
    kinds = [k for k, w in MIX.items() for _ in range(w)]
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        while time.monotonic() < stop:
            kind = rng.choice(kinds)
            path, params, headers = _request(kind, rng)
            t0 = time.perf_counter()
            try:
                r = await client.get(path, params=params, headers=headers)
                ok = r.status_code == 200
                detail = f"{r.status_code} {r.text[:200]}"
            except httpx.HTTPError as exc:
                ok, detail = False, f"{type(exc).__name__}: {exc}"
            result.latencies.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
            if not ok:
                result.errors.append(f"{kind} {path} {params}: {detail}")


async def _ingest(base: str, files: list[Path], stop: float, result: LoadResult, batch: int) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        for start in range(0, len(files), batch):
            if time.monotonic() >= stop:
                break
            chunk = files[start : start + batch]
            upload = [("files", (f.name, f.read_bytes(), "text/plain")) for f in chunk]
            t0 = time.perf_counter()
            try:
                r = await client.post("/api/ingest", files=upload, headers={"Authorization": f"Bearer {TOKEN}"})
                ok = r.status_code == 200
                detail = f"{r.status_code} {r.text[:300]}"
                if ok:
                    result.ingest_files += len(r.json()["ingested"])
            except httpx.HTTPError as exc:
                ok, detail = False, f"{type(exc).__name__}: {exc}"
            result.ingest_ms.append((time.perf_counter() - t0) * 1000)
            result.ingest_posts += 1
            if not ok:
                result.errors.append(f"ingest {[f.name for f in chunk]}: {detail}")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return found


def children_rss(pid: int) -> int:
    total = 0
    for child in children(pid):
        try:
            total += rss_kib(child)
        except (OSError, RuntimeError):
            continue
    return total


async def _sample_rss(pid: int, stop: float, result: LoadResult) -> None:
    while time.monotonic() < stop:
        try:
            result.rss_kib.append(rss_kib(pid))
            result.workers_rss_kib.append(children_rss(pid))
        except (OSError, RuntimeError):
            return
        await asyncio.sleep(0.25)


def _count(base: str) -> int:
    r = httpx.get(base + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}, timeout=60)
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def run_load(
    base: str, pid: int, files: list[Path], clients: int = 50, duration: float = 30, batch: int = 2
) -> LoadResult:
    """``clients`` concurrent readers for ``duration`` s while ``files`` are ingested in POSTs of ``batch`` files;
    the server's RSS sampled throughout (the first sample is taken before any load)."""
    duration = min(duration, 60.0)
    result = LoadResult(clients, duration)
    result.triples_before = _count(base)
    result.rss_kib.append(rss_kib(pid))
    result.workers_rss_kib.append(children_rss(pid))

    async def main() -> None:
        stop = time.monotonic() + duration
        tasks = [_client(i, base, stop, result) for i in range(clients)]
        tasks.append(_ingest(base, files, stop, result, batch))
        tasks.append(_sample_rss(pid, stop, result))
        await asyncio.gather(*tasks)

    asyncio.run(main())
    result.rss_kib.append(rss_kib(pid))
    result.triples_after = _count(base)
    return result


def report(result: LoadResult) -> str:
    lines = [f"{'kind':10} {'requests':>9} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}"]
    for kind, values in sorted(result.latencies.items()):
        lines.append(
            f"{kind:10} {len(values):9d} {percentile(values, 0.5):9.1f} {percentile(values, 0.95):9.1f} "
            f"{percentile(values, 0.99):9.1f}"
        )
    every = result.all_latencies()
    lines.append(
        f"{'all':10} {len(every):9d} {percentile(every, 0.5):9.1f} {percentile(every, 0.95):9.1f} "
        f"{percentile(every, 0.99):9.1f}"
    )
    rss = result.rss_kib
    lines.append(
        f"{result.clients} clients, {result.duration:.0f} s: {result.requests} requests "
        f"({result.requests / result.duration:.0f}/s), {len(result.errors)} errors; "
        f"ingest: {result.ingest_posts} POSTs, "
        f"{result.ingest_files} files, median {statistics.median(result.ingest_ms or [0]):.0f} ms per POST; "
        f"triples {result.triples_before} → {result.triples_after}"
    )
    lines.append(
        f"server RSS: start {rss[0] / 1024:.0f} MiB, peak {max(rss) / 1024:.0f} MiB, end {rss[-1] / 1024:.0f} MiB"
    )
    kids = result.workers_rss_kib
    if kids:
        lines.append(
            f"its child processes (SPARQL workers, resource tracker), RSS together: start {kids[0] / 1024:.0f} MiB, "
            f"peak {max(kids) / 1024:.0f} MiB"
        )
    return "\n".join(lines)


def corpus_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.txt"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--duration", type=float, default=45.0, help="seconds per run, at most 60 (default 45)")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--files", type=Path, default=CORPUS, help="plans to ingest during the load (default: the corpus)")
    args = ap.parse_args()
    files = corpus_files(args.files)
    if not files:
        raise SystemExit(f"no .txt plans in {args.files}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores; {len(files)} files")
    with tempfile.TemporaryDirectory(prefix="tthc-kg-load-") as tmp:
        seeded = ingest_store(Path(tmp) / "seeded", SEEDS)
        for run in range(args.runs):
            env = {"TTHC_KG_WRITE_TOKEN": TOKEN}
            with running_server(seeded, Path(tmp) / f"run{run}", **env) as server:
                for path in ("/api/search?q=khởi+động", "/api/audit", "/queries/plans"):  # warm the caches once
                    httpx.get(server.url + path, timeout=120)
                result = run_load(server.url, server.pid, files, args.clients, args.duration)
            print(f"\nrun {run + 1}: load average {os.getloadavg()[0]:.2f}")
            print(report(result))
            for line in result.errors[:10]:
                print("  error:", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
