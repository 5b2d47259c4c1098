"""atheris target: citation finding through the whole analysis — offsets into the original, spans its slices
(python fuzz/fuzz_find.py -atheris_runs=N)."""

from __future__ import annotations

import sys

import _common  # first: it puts src/ on the path
import atheris

with atheris.instrument_imports():
    from tthc_kg.analyze import analyze_text
    from tthc_kg.find import find_citations
    from tthc_kg.normalize import normalize
    from tthc_kg.registry import load_registry
    from tthc_kg.resolve import Resolver

RESOLVER = Resolver(load_registry())


def test_one(data: bytes) -> None:
    text = _common.plan_text(data)
    norm = normalize(text).text
    for c in find_citations(norm):
        assert 0 <= c.start < c.end <= len(norm) and c.text == norm[c.start : c.end]
    for r in analyze_text("fuzz.txt", text, RESOLVER).citations:
        assert 0 <= r.start < r.end <= len(text) and r.text == text[r.start : r.end]


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()
