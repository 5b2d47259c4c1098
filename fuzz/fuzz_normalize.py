"""atheris target: normalization and its offset map (python fuzz/fuzz_normalize.py -atheris_runs=N)."""

from __future__ import annotations

import sys
import unicodedata

import _common  # first: it puts src/ on the path
import atheris

with atheris.instrument_imports():
    from tthc_kg.normalize import normalize


def test_one(data: bytes) -> None:
    text = _common.plan_text(data)
    n = normalize(text)
    assert unicodedata.is_normalized("NFC", n.text)
    for i in range(len(n.text)):
        a, b = n.to_original(i, i + 1)
        assert 0 <= a < b <= len(text), (i, a, b)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()
