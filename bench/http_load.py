"""HTTP throughput and latency of the API under concurrent load on loopback.

Starts ``python -m tthc_kg.cli serve`` on a free loopback port against a fresh store holding the seeds (a temp
dir), then loads each endpoint with a bounded number of concurrent clients — ``wrk`` when installed (Debian:
``apt-get install wrk``), else a Python loop of threads with one ``httpx.Client`` each — and prints requests/s
and p50/p99 latency, each the median of ``--runs`` runs, with the ratio to a baseline endpoint of the same run
(a small static file: the server's floor for one request). It also times, in process, a document lookup with
every cache cold (the SPARQL it costs) and warm. Prints figures; asserts nothing.

    python bench/http_load.py [--runs 3] [--duration 8] [--connections 8] [--tool auto|wrk|python]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "plans"
AS_OF = "2026-11-22"
DOCUMENT = "/api/documents/61%2F2018%2FN%C4%90-CP"
ENDPOINTS = [
    ("baseline: static file", "/static/app.js"),
    ("document (as of today)", DOCUMENT),
    ("document (as of a date)", f"{DOCUMENT}?as_of={AS_OF}"),
    ("superseded-dependencies", f"/queries/superseded-dependencies?asOf={AS_OF}"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ingest(store: Path) -> None:
    cmd = [sys.executable, "-m", "tthc_kg.cli", "ingest", str(SEEDS), "--store", str(store), "--quiet"]
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)


@contextlib.contextmanager
def server(store: Path) -> Iterator[str]:
    port = free_port()
    cmd = [sys.executable, "-m", "tthc_kg.cli", "serve", "--store", str(store), "--port", str(port), "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/openapi.json", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit("the server did not answer within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


# --- load tools -------------------------------------------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        raise ValueError(f"cannot read wrk's latency {text!r}")
    return float(m[1]) * _UNITS[m[2]]


def load_wrk(url: str, connections: int, duration: float) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, non-2xx responses) from one wrk run."""
    threads = min(2, connections)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:.0f}s", "--latency", url]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M)[1])  # type: ignore[index]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M)[1])  # type: ignore[index]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, p50, p99, int(bad[1]) if bad else 0


def load_python(url: str, connections: int, duration: float) -> tuple[float, float, float, int]:
    """The same figures from ``connections`` threads, each with its own keep-alive client, for ``duration`` s."""
    latencies: list[list[float]] = [[] for _ in range(connections)]
    bad = [0] * connections
    stop = time.monotonic() + duration

    def worker(i: int) -> None:
        with httpx.Client(timeout=30) as client:
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                r = client.get(url)
                latencies[i].append((time.perf_counter() - t0) * 1000)
                bad[i] += r.status_code >= 400

    start = time.monotonic()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - start
    every = sorted(x for lat in latencies for x in lat)
    pick = lambda q: every[min(len(every) - 1, int(q * len(every)))]  # noqa: E731 — nearest rank
    return len(every) / elapsed, pick(0.50), pick(0.99), sum(bad)


# --- in-process: cold and warm -------------------------------------------------------------------------------


def in_process(store_dir: Path, runs: int = 30) -> tuple[float, float]:
    """Median ms of one document lookup with every cache cleared (all its SPARQL), and with caches warm."""
    from tthc_kg.api import services
    from tthc_kg.store import Store

    store = Store(store_dir)
    day = date.fromisoformat(AS_OF)
    cold, warm = [], []
    for _ in range(runs):
        services.memo.clear()
        t0 = time.perf_counter()
        services.document_info(store, "61/2018/NĐ-CP", day)
        cold.append((time.perf_counter() - t0) * 1000)
    for _ in range(runs):
        t0 = time.perf_counter()
        services.document_info(store, "61/2018/NĐ-CP", day)
        warm.append((time.perf_counter() - t0) * 1000)
    services.memo.clear()
    del store
    gc.collect()  # releases the store's lock before the server opens it
    return statistics.median(cold), statistics.median(warm)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per endpoint; the median is printed (default 3)")
    ap.add_argument("--duration", type=float, default=8.0, help="seconds per run, at most 20 (default 8)")
    ap.add_argument("--connections", type=int, default=8, help="concurrent clients (default 8)")
    ap.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    args = ap.parse_args()
    duration = min(args.duration, 20.0)
    tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "python")
    load = load_wrk if tool == "wrk" else load_python

    print(
        f"load average {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores; tool {tool}; {args.connections} clients; "
        f"{args.runs} runs × {duration:.0f} s per endpoint; server: tthc-kg serve (uvicorn, 1 process)"
    )
    with tempfile.TemporaryDirectory(prefix="tthc-kg-bench-") as tmp:
        store = Path(tmp) / "store"
        ingest(store)
        cold, warm = in_process(store)
        print(f"in process, document_info(61/2018/NĐ-CP): cold caches {cold:.1f} ms, warm {warm * 1000:.0f} µs")
        with server(store) as base:
            for _name, path in ENDPOINTS:  # each must answer 200 before it is loaded; one warm-up request
                r = httpx.get(base + path, timeout=30)
                if r.status_code != 200:
                    raise SystemExit(f"{path}: HTTP {r.status_code} {r.text[:200]}")
            results = {}
            for name, path in ENDPOINTS:
                figures = [load(base + path, args.connections, duration) for _ in range(args.runs)]
                medians = [statistics.median(f[i] for f in figures) for i in range(3)]
                results[name] = (*medians, sum(f[3] for f in figures))
    baseline = results[ENDPOINTS[0][0]][0]
    print(f"\n{'endpoint':28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs baseline':>12} {'errors':>7}")
    for name, (rps, p50, p99, bad) in results.items():
        print(f"{name:28} {rps:8.0f} {p50:8.2f} {p99:8.2f} {rps / baseline:11.2f}× {bad:7d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
