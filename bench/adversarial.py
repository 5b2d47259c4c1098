"""Throughput on adversarial inputs against real plans, and the fuzz/property suites at full size (issue 7).

    python bench/adversarial.py [--size 1000000] [--runs 3] [--only throughput|properties|atheris]
                                [--examples 100000] [--atheris-runs 100000] [--kinds so-runs,bo-luat,…]

a. throughput: every adversarial kind of fuzz/adversarial_inputs.py (``--size`` characters: "số 1/1/1/…", digits
   and slashes, deep numbering, huge and wide table rows, many "Căn cứ", dangling codes, "Bộ luật" runs, NFD
   marks …) through each step — normalize, normalize + find citations, task recovery, timeframe parsing, the
   preamble segmentation — and through the whole analysis (analyze_text: read → … → resolve → tasks), timed
   against the same size of real plans (the seeds, concatenated) in the same process. Prints MB/s and the ratio
   adversarial / normal (the issue's bar: ≤ 3× for the whole analysis); medians of --runs runs.
b. properties: tests/test_fuzz.py's hypothesis properties with ``--examples`` examples each (the issue's bar:
   100,000), in runs of ``--chunk`` examples with fresh seeds; prints the examples passed so far and the time.
c. atheris: each fuzz/fuzz_*.py target for ``--atheris-runs`` runs.

Timings are printed, never asserted; the first line gives the load average (other work on the machine changes
the figures; the ratios, measured in one process, less so).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "fuzz"))

from adversarial_inputs import KINDS, adversarial, normal_text  # noqa: E402


def load() -> str:
    try:
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


def median(fn: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def steps() -> dict[str, Callable[[str], Any]]:
    from tthc_kg.analyze import analyze_text
    from tthc_kg.find import find_citations
    from tthc_kg.normalize import normalize
    from tthc_kg.registry import load_registry
    from tthc_kg.resolve import Resolver
    from tthc_kg.segment import preamble_regions
    from tthc_kg.tasks import extract_tasks
    from tthc_kg.timeframe import parse_timeframe

    resolver = Resolver(load_registry())
    return {
        "normalize": normalize,
        "find": lambda t: find_citations(normalize(t).text),
        "tasks": lambda t: extract_tasks(normalize(t).text, plan_year=2024),
        "timeframe": lambda t: parse_timeframe(t, 2024),
        "segment": preamble_regions,
        "analysis": lambda t: analyze_text("bench.txt", t, resolver),
    }


def bench_throughput(size: int, runs: int, kinds: list[str], only: list[str] | None = None) -> None:
    mb = size / 1e6
    fns = {k: v for k, v in steps().items() if only is None or k in only}
    normal = normal_text(size)
    base = {name: median(lambda fn=fn: fn(normal), runs) for name, fn in fns.items()}
    print(f"\na. throughput, {size:,} characters per input, median of {runs} runs; {load()}")
    print("   normal text (the seeds): " + ", ".join(f"{n} {mb / t:.2f} MB/s" for n, t in base.items()))
    names = list(fns)
    print(f"   {'kind':18} " + " ".join(f"{n:>16}" for n in names) + "   (MB/s and × the time of normal text)")
    worst: dict[str, tuple[float, str]] = {}
    for kind in kinds:
        text = adversarial(kind, size)
        cells = []
        for name in names:
            t = median(lambda fn=fns[name], text=text: fn(text), runs)
            ratio = t / base[name]
            if ratio > worst.get(name, (0.0, ""))[0]:
                worst[name] = (ratio, kind)
            cells.append(f"{mb / t:7.2f} {ratio:6.2f}×")
        print(f"   {kind:18} " + " ".join(f"{c:>16}" for c in cells), flush=True)
    print("   worst ratio per step: " + ", ".join(f"{n} {r:.2f}× ({k})" for n, (r, k) in worst.items()))
    print(f"   {load()}")


PROPERTIES = ("normalize", "find_citations", "analysis", "task_rows", "timeframe")


def bench_properties(examples: int, chunk: int, names: list[str]) -> None:
    """Each property in runs of ``chunk`` examples (fresh random seeds) until ``examples``: a failure stops it,
    and what has passed is printed as it goes."""
    print(f"\nb. hypothesis properties (tests/test_fuzz.py), {examples:,} examples each; {load()}", flush=True)
    for name in names:
        done, start = 0, time.perf_counter()
        while done < examples:
            n = min(chunk, examples - done)
            env = dict(os.environ, TTHC_KG_FUZZ_EXAMPLES=str(n))
            proc = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(REPO / "tests" / "test_fuzz.py"),
                 "-k", name],
                cwd=REPO, env=env, capture_output=True, text=True,
            )  # fmt: skip
            if proc.returncode != 0:
                print(f"   {name}: FAIL after {done:,} passing examples\n{proc.stdout[-4000:]}", flush=True)
                break
            done += n
            print(f"   {name}: {done:,} examples pass ({time.perf_counter() - start:.0f} s); {load()}", flush=True)


def bench_atheris(runs: int) -> None:
    print(f"\nc. atheris targets, {runs:,} runs each; {load()}", flush=True)
    for target in sorted((REPO / "fuzz").glob("fuzz_*.py")):
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(target), f"-atheris_runs={runs}"], cwd=REPO, capture_output=True, text=True
        )
        took = time.perf_counter() - start
        tail = [ln for ln in proc.stderr.splitlines() if ln.startswith(("Done", "==", "#"))][-1:]
        print(f"   {target.name:20} {'PASS' if proc.returncode == 0 else 'FAIL'} in {took:.0f} s  {' '.join(tail)}")
        if proc.returncode != 0:
            print(proc.stderr[-3000:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", choices=["throughput", "properties", "atheris"])
    ap.add_argument("--examples", type=int, default=100_000)
    ap.add_argument("--atheris-runs", type=int, default=100_000)
    ap.add_argument("--kinds", help="comma-separated kinds (default: all)")
    ap.add_argument("--steps", help="comma-separated steps of part a (default: all)")
    ap.add_argument("--properties", help=f"comma-separated properties of part b (default: {','.join(PROPERTIES)})")
    ap.add_argument("--chunk", type=int, default=20_000, help="examples per pytest run in part b")
    args = ap.parse_args()
    kinds = args.kinds.split(",") if args.kinds else list(KINDS)
    print(f"bench/adversarial.py; {load()}")
    if args.only in (None, "throughput"):
        bench_throughput(args.size, args.runs, kinds, args.steps.split(",") if args.steps else None)
    if args.only in (None, "properties"):
        names = args.properties.split(",") if args.properties else list(PROPERTIES)
        bench_properties(args.examples, args.chunk, names)
    if args.only in (None, "atheris"):
        bench_atheris(args.atheris_runs)


if __name__ == "__main__":
    main()
