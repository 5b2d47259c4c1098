"""bench/search_speed.py on a small slice (300 passages, 3 queries of two kinds): the harness builds the index,
times every latency column for every query and prints one row per size and kind. It checks the harness, not a
speed (timings are bench figures, never test assertions)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "benchmarks" / "alqac"


def _script():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location("search_speed", ROOT / "bench" / "search_speed.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_speed_harness_on_a_slice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (DATA / "alqac2024" / "law.json").is_file(), f"no ALQAC data at {DATA}"
    ss = _script()
    code = ss.main(["--data", str(DATA), "--sizes", "300", "--queries", "3", "--kinds", "officer,title",
                    "--cache-dir", str(tmp_path)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    rows = {m[1]: m[2] for m in re.finditer(r"^\s+300\s+(officer|title)\s+(.*)$", out, re.M)}
    assert set(rows) == {"officer", "title"}, out
    for kind, cells in rows.items():
        pairs = re.findall(r"(\d+\.\d)/(\d+\.\d)\s", cells)  # one p50/p95 pair (ms) per latency column
        assert len(pairs) == len(ss.LATENCIES), (kind, cells)
        for p50, p95 in pairs:
            assert 0 < float(p50) <= float(p95), (kind, cells)
        assert re.search(r"\s\d+\.\d\d/\d+\.\d\d$", cells), cells  # hybrid ÷ baseline, p50/p95
    assert "300 real units" not in out  # the slice is cut from the 12k real units
    assert re.search(r"vectors: \d+ from the cache, \d+ random", out)
