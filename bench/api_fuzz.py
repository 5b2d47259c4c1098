"""Schemathesis with a large example count against a real ``tthc-kg serve`` (the test runs the same with a few).

Starts the server on a temp store holding the seeds, with a write token, and runs ``schemathesis run`` over its
OpenAPI description (coverage, fuzzing and stateful phases; the only check: no 5xx) — once without the token
(the generated requests carry their own wrong bearer tokens) and once with it on ``POST /api/ingest``. Prints the
operations tested, the test cases generated, the failures, and whether the server logged an unhandled exception.

    python bench/api_fuzz.py [--examples 100] [--workers 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from live_server import ingest_store, running_server  # noqa: E402

SEEDS = sorted((ROOT / "data" / "plans").glob("*.txt"))
TOKEN = "fuzz-token"
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def run(url: str, report: Path, examples: int, workers: int, *extra: str) -> dict:
    command = [
        str(SCHEMATHESIS), "run", url + "/openapi.json", "--checks", "not_a_server_error",
        "--max-examples", str(examples), "--workers", str(workers), "--request-timeout", "60",
        "--report", "json", "--report-json-path", str(report), "--no-color", *extra,
    ]  # fmt: skip
    t0 = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True)
    out = json.loads(report.read_text()) if report.exists() else {}
    out["elapsed"] = time.monotonic() - t0
    out["returncode"] = done.returncode
    out["tail"] = done.stdout[-2500:]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=100, help="examples per operation and phase (default 100)")
    ap.add_argument(
        "--workers",
        type=int,
        default=1,
        help="schemathesis workers (default 1; hypothesis is not thread-safe with more)",
    )
    args = ap.parse_args()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores")
    failed = False
    with tempfile.TemporaryDirectory(prefix="tthc-kg-fuzz-") as tmp:
        store = ingest_store(Path(tmp) / "store", SEEDS)
        env = {"TTHC_KG_WRITE_TOKEN": TOKEN, "TTHC_KG_QUERY_TIMEOUT": "5"}
        with running_server(store, Path(tmp) / "srv", copy=False, **env) as server:
            runs = {
                "all operations, no token": run(server.url, Path(tmp) / "a.json", args.examples, args.workers),
                "POST /api/ingest with the token": run(
                    server.url, Path(tmp) / "b.json", args.examples, args.workers,
                    "--include-path", "/api/ingest", "--header", f"Authorization: Bearer {TOKEN}",
                    "--generation-with-security-parameters", "false",
                ),
            }  # fmt: skip
        log = server.log.read_text()
    for name, out in runs.items():
        cases = out.get("test_cases", {})
        ops = out.get("operations", {})
        print(
            f"{name}: {ops.get('tested')} operations, {cases.get('generated')} test cases, "
            f"{cases.get('with_failures')} with failures, {len(out.get('errors', []))} errors, "
            f"{out['elapsed']:.0f} s (exit {out['returncode']})"
        )
        if out["returncode"] != 0:
            failed = True
            print(out["tail"])
    unhandled = log.count("Exception in ASGI application")
    print(f"server log: {unhandled} unhandled exceptions")
    return 1 if failed or unhandled else 0


if __name__ == "__main__":
    sys.exit(main())
