"""atheris target: timeframe parsing (python fuzz/fuzz_timeframe.py -atheris_runs=N)."""

from __future__ import annotations

import sys

import _common  # first: it puts src/ on the path
import atheris

with atheris.instrument_imports():
    from tthc_kg.timeframe import parse_timeframe


def test_one(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    year = fdp.ConsumeIntInRange(0, 9999) or None
    tf = parse_timeframe(_common.timeframe_text(fdp.ConsumeBytes(fdp.remaining_bytes())), year)
    assert tf.due == (max(tf.deadlines) if tf.deadlines else None)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()
