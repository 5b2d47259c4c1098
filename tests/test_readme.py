"""The README flow as a test: its two set-up commands exist, `make run`'s job runs on a fresh store, and every
command and query is documented (like Datasette's test_docs)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from paths import ROOT
from tthc_kg import queries
from tthc_kg.cli import build_parser

README = (ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def _target(name: str) -> list[str]:
    m = re.search(rf"^{name}:.*\n((?:\t.*\n)+)", MAKEFILE, re.M)
    assert m, f"Makefile has no target {name}"
    return [line.strip() for line in m.group(1).splitlines()]


def test_readme_names_the_two_commands_and_ci_calls_the_test_one() -> None:
    assert "make run" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert any("pytest" in line for line in _target("test"))


def test_main_job_runs_on_a_fresh_store(tmp_path: Path) -> None:
    """`make run` after its install step: the same commands, in a fresh store."""
    env = dict(os.environ, TTHC_KG_STORE=str(tmp_path / "store"))
    outputs = []
    for line in _target("run"):
        argv = shlex.split(line.replace("$(BIN)/tthc-kg", "tthc-kg"))
        assert argv[0] == "tthc-kg", line
        proc = subprocess.run([sys.executable, "-m", "tthc_kg.cli", *argv[1:]], cwd=ROOT, env=env, capture_output=True)
        assert proc.returncode == 0, proc.stderr.decode()
        outputs.append(proc.stdout.decode("utf-8"))
    assert "ingested 5 of 5 files" in outputs[0]
    audit = outputs[-1]
    assert "registry evidence date" in audit
    assert re.search(r"000_\S+\s+107/2021/NĐ-CP\s+replaced\s+2025-07-01\s+118/2025/NĐ-CP\s+basis", audit)
    assert re.search(r"004_\S+\s+12\s+107/2021/NĐ-CP\s+replaced", audit)


def test_every_command_is_documented() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        assert f"tthc-kg {name}" in README, f"README does not document `tthc-kg {name}`"
    cli_doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in queries.available():
        assert f"`{name}`" in cli_doc, f"docs/cli.md does not list the query {name}"
