"""atheris target: task-table recovery (python fuzz/fuzz_tasks.py -atheris_runs=N)."""

from __future__ import annotations

import sys

import _common  # first: it puts src/ on the path
import atheris

with atheris.instrument_imports():
    from tthc_kg.normalize import normalize
    from tthc_kg.tasks import extract_tasks


def test_one(data: bytes) -> None:
    text = normalize(_common.plan_text(data)).text
    tasks = extract_tasks(text, plan_year=2024 if data[:1] != b"\x00" else None)
    assert len({t.number for t in tasks}) == len(tasks)
    for t in tasks:
        assert 0 <= t.start <= t.end <= len(text)
        for a, b in (*(t.line_spans or ()), *(t.basis_spans or ())):
            assert 0 <= a <= b <= len(text)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()
