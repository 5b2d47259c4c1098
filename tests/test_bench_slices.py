"""bench/index_sync.py and bench/scale.py on small slices: the harnesses run end to end and print their rows.
They check the harnesses and what they compare (the same units both ways; the bulk-loaded store's figures kept for
--reuse), not a speed (timings are bench figures, never test assertions)."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from paths import FIXTURES, SEEDS
from tthc_kg.ingest import ingest_files
from tthc_kg.registry import Registry
from tthc_kg.store import Store

ROOT = Path(__file__).resolve().parents[1]


def _script(name: str) -> ModuleType:
    sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_index_sync_on_the_seeds(registry: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store(tmp_path / "store")
    paths = [str(p) for p in SEEDS] + [str(FIXTURES / "ke-hoach-agency-2024.txt")]
    assert ingest_files(store, registry, paths, progress=False)[0] == len(paths)
    triples = store.triple_count()
    del store
    assert _script("index_sync").main(["--store", str(tmp_path / "store"), "--runs", "1"]) == 0
    out = capsys.readouterr().out
    assert f"({triples:,} triples, 7 graphs)" in out
    for step in ("union queries + units", "rows: every graph", "rows: unchanged", "index sync, 1 new plan(s)"):
        assert re.search(rf"^{re.escape(step)}\s+wall\s+\d+\.\d\d s .* cpu\s+\d+\.\d\d s", out, re.M), step
    assert "read 1 graph(s)" in out and "same units both ways: yes" in out
    assert not (tmp_path / "store" / "search").exists()  # the bench works on a copy


def test_scale_on_twenty_plans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    scale = _script("scale")
    args = ["scale.py", "--sizes", "20", "--work", str(tmp_path), "--runs", "1", "--no-oxigraph-server"]
    monkeypatch.setattr(sys, "argv", [*args, "--rdflib-max", "0", "--memory-max", "0"])
    assert scale.main() == 0
    out = capsys.readouterr().out
    ingest = json.loads((tmp_path / "store-20.ingest.json").read_text(encoding="utf-8"))
    assert ingest["files"] == ingest["loaded"] == 20 and ingest["triples"] > 10_000
    assert f"== N = 20 plans: {ingest['triples']:,} triples ==" in out and "ingest (bulk, " in out
    assert "pyoxigraph in memory skipped" in out and "rdflib skipped" in out
    assert re.search(r"^full\s+\d+\.\d/\d+\.\d ms", out, re.M) and re.search(r"^page\s+\d+\.\d/\d+\.\d ms", out, re.M)
    # a second run on the same store reports the ingest that built it
    monkeypatch.setattr(sys, "argv", [*args, "--reuse", "--rdflib-max", "100000000"])
    assert scale.main() == 0
    out = capsys.readouterr().out
    assert "recorded by the ingest that built it" in out and '"loaded": 20' in out
    assert re.search(r"rdflib / embedded, full: [\d.]+× the embedded store's time", out)
