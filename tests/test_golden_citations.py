"""Each seed's citations against its golden file (tests/golden/citations/*.tsv, written by reading the seed)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from paths import GOLDEN, SEEDS
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
        if r.symbol is not None and r.citation.kind == "symbol":  # printed symbols; names are "NAME:" rows
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


def test_truncated_and_named_references(registry: Registry) -> None:
    """Seed 004's "Nghị quyết số 131" resolves to the only such document in the registry; a law named without a
    date (seed 002's "Luật Ban hành văn bản QPPL") stays unresolved, its name kept as title."""
    resolver = Resolver(registry)
    a = analyze_text(str(SEEDS[4]), read_text(SEEDS[4]), resolver)
    (t,) = [r for r in a.citations if r.citation.kind == "truncated"]
    assert str(t.symbol) == "131/NQ-CP" and t.in_registry and t.citation.title == "Nghị quyết số 131"
    b = analyze_text(str(SEEDS[2]), read_text(SEEDS[2]), resolver)
    names = [r for r in b.citations if r.citation.kind == "name"]
    assert [(r.symbol, r.citation.title, r.in_registry) for r in names] == [(None, "Luật Ban hành văn bản QPPL", False)]
