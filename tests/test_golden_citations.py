"""Each seed's citations against its golden file (tests/golden/citations/*.tsv, written by reading the seed)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from conftest import GOLDEN, SEEDS
from tthc_kg.analyze import analyze_text
from tthc_kg.read import read_text
from tthc_kg.registry import Registry
from tthc_kg.resolve import Resolver

ROLE_RANK = {"basis": 0, "task_basis": 1, "mention": 2}


def _golden(seed: Path) -> dict[str, dict[str, str]]:
    with (GOLDEN / "citations" / f"{seed.stem}.tsv").open(encoding="utf-8") as f:
        return {r["symbol"]: r for r in csv.DictReader(f, delimiter="\t") if r["symbol"].strip()}


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_seed_citations(seed: Path, registry: Registry) -> None:
    gold = _golden(seed)
    analysis = analyze_text(str(seed), read_text(seed), Resolver(registry))
    found: dict[str, list] = {}
    for r in analysis.citations:
        if r.symbol is not None:
            found.setdefault(str(r.symbol), []).append(r)
    assert sorted(found) == sorted(gold)
    for symbol, rows in found.items():
        g = gold[symbol]
        assert {r.citation.type for r in rows} == {g["type"]}, symbol
        if g["date"]:
            assert g["date"] in {r.citation.date.isoformat() for r in rows if r.citation.date}, symbol
        # the strongest role of the document in the file (basis > task_basis > mention)
        best = min((r.role for r in rows), key=ROLE_RANK.__getitem__)
        assert best == g["role"], symbol


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_spans_point_into_the_original(seed: Path, registry: Registry) -> None:
    text = read_text(seed)
    analysis = analyze_text(str(seed), text, Resolver(registry))
    assert analysis.citations
    for r in analysis.citations:
        assert text[r.start : r.end] == r.text
        if r.symbol is not None:
            assert r.symbol.number in r.text
