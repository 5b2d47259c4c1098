"""kill -9 during a large ingest (issue 7, part 3): each document's named graph is written in one transaction, so
a real ``tthc-kg ingest`` process killed with SIGKILL mid-way leaves a store that opens, passes ``tthc-kg doctor``,
holds every document the process reported committed before the kill (whole, with its content hash), and a rerun
completes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paths import ROOT, SEEDS
from tthc_kg import queries
from tthc_kg.store import Store

COPIES = 8  # 40 plan files: the seeds under new names (each its own document and named graph)


def cli(store: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "tthc_kg.cli", *args, "--store", str(store)]


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    folder = tmp_path / "plans"
    folder.mkdir()
    for i in range(COPIES):
        for seed in SEEDS:
            # a line of its own makes each copy a different text (its own content hash)
            text = seed.read_text(encoding="utf-8") + f"\nBản sao số {i}.\n"
            (folder / f"{i:02d}-{seed.name}").write_text(text, encoding="utf-8")
    return folder


def _stored(store: Path) -> dict[str, str]:
    """path → content hash of every source graph in the store."""
    q = queries.load("source-graphs")
    s = Store(store, read_only=True)
    rows = {r["path"]: r["hash"] for r in s.select(q.text, q.bind({}))}
    del s
    return rows


def _doctor(store: Path) -> dict:
    proc = subprocess.run(cli(store, "doctor", "--format", "json"), capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def _kill_after(store: Path, folder: Path, commits: int, delay: float = 0.0) -> list[str]:
    """Start an ingest of the folder, SIGKILL it once it has reported ``commits`` committed files (plus
    ``delay`` seconds: somewhere inside the next document); the paths it reported committed."""
    proc = subprocess.Popen(
        cli(store, "ingest", str(folder), "--no-index", "--quiet", "-v"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    committed: list[str] = []
    assert proc.stdout is not None
    try:
        while len(committed) < commits:
            line = proc.stdout.readline()
            if not line:
                break
            if line.startswith("committed "):
                committed.append(line.removeprefix("committed ").rstrip("\n"))
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        rest = proc.stdout.read()  # lines already written before the kill count too
        committed += [ln.removeprefix("committed ") for ln in rest.splitlines() if ln.startswith("committed ")]
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    return committed


def test_kill_9_during_ingest_loses_nothing_committed(plans: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    # a store in use: one document already in it (so the per-document, transactional path is the one taken)
    first = tmp_path / "first.txt"
    shutil.copy(SEEDS[0], first)
    subprocess.run(cli(store, "ingest", str(first), "--no-index", "--quiet"), check=True, cwd=ROOT, capture_output=True)

    killed_at = [(3, 0.0), (6, 0.15), (10, 0.4)]  # three kills, at different points of a document's write
    seen: set[str] = set()
    for commits, delay in killed_at:
        committed = _kill_after(store, plans, commits, delay)
        assert len(committed) >= commits
        report = _doctor(store)  # the store opens, every graph is whole, the registry is there
        assert report["ok"] and report["registry"] and report["problems"] == []
        stored = _stored(store)
        for path in [*committed, str(first)]:
            text = Path(path).read_text(encoding="utf-8")
            assert stored.get(path) == hashlib.sha256(text.encode("utf-8")).hexdigest(), path
        seen.update(committed)
    assert len(seen) >= 10

    # a rerun completes: every file in, nothing twice, doctor passes
    proc = subprocess.run(
        cli(store, "ingest", str(plans), "--no-index", "--quiet"), capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"ingested {len(SEEDS) * COPIES} of {len(SEEDS) * COPIES} files")
    report = _doctor(store)
    assert report["source_graphs"] == len(SEEDS) * COPIES + 1
    assert sorted(_stored(store)) == sorted([str(p) for p in plans.iterdir()] + [str(first)])


def test_kill_9_before_anything_is_committed(plans: Path, tmp_path: Path) -> None:
    """Killed while it loads the registry or writes its graph: the store still opens, and is empty or whole."""
    store = tmp_path / "store"
    proc = subprocess.Popen(
        cli(store, "ingest", str(plans), "--no-index", "--quiet", "-v"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    while not store.exists() and proc.poll() is None:  # the store is created as the ingest starts writing
        time.sleep(0.02)
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    out = proc.stdout.read()
    proc.wait(timeout=60)
    report = _doctor(store)
    committed = [ln.removeprefix("committed ") for ln in out.splitlines() if ln.startswith("committed ")]
    assert report["ok"] and report["source_graphs"] == len(committed)
