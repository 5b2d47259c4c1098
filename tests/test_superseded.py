"""tthc_kg.superseded: the rows of superseded-dependencies.rq, read from "superseded-dependency-records" and cut
in Python — the same rows as the SPARQL query, on the seeds and on generated plans, and pages that add up to them."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from paths import ROOT
from tthc_kg import queries, superseded
from tthc_kg.ingest import ingest_files
from tthc_kg.registry import Registry
from tthc_kg.store import Store

DATES = ("2026-11-22", "2019-01-01", "2016-06-01", "2030-01-01")


def by_sparql(store: Any, as_of: str, include_amended: bool) -> list[dict[str, Any]]:
    q = queries.load("superseded-dependencies")
    return list(store.select(q.text, q.bind({"asOf": as_of, "includeAmended": str(include_amended).lower()})))


def same_rows(store: Any) -> int:
    """Both ways agree for every date and option; returns how many rows there were in all."""
    total = 0
    for as_of in DATES:
        for amended in (False, True):
            expected = by_sparql(store, as_of, amended)
            got = superseded.rows(store, as_of, amended)
            assert [list(r) for r in got[:1]] == [list(superseded.COLUMNS)] * min(1, len(got))
            assert Counter(tuple(sorted(r.items())) for r in got) == Counter(
                tuple(sorted(r.items())) for r in expected
            ), (as_of, amended)
            # the query's ORDER BY keys come in the same order (ties may differ: the query leaves them free)
            keys = [tuple(r[k] for k in superseded.ORDER) for r in got]
            assert keys == [tuple(r[k] for k in superseded.ORDER) for r in expected], (as_of, amended)
            total += len(got)
    return total


def test_same_rows_as_the_query_on_the_seeds(seed_store: Store) -> None:
    assert same_rows(seed_store) > 0
    rows = superseded.rows(seed_store, "2026-11-22")
    # a fact read off the seeds: 61/2018/NĐ-CP (replaced by 118/2025/NĐ-CP) is cited by seed 003
    assert any(r["symbol"] == "61/2018/NĐ-CP" and r["finding"] == "replaced" and "003_" in r["file"] for r in rows)
    assert all(isinstance(r["includeAmended"], bool) and r["asOf"] == "2026-11-22" for r in rows)


def test_rows_come_sorted_by_the_whole_key(seed_store: Store) -> None:
    """rows() sorts by a key built in parts (record, event); it is the order of the one-piece reference key."""
    for amended in (False, True):
        got = superseded.rows(seed_store, "2026-11-22", amended)
        assert len(got) > 10 and got == sorted(got, key=superseded._key)


def test_pages_add_up_to_the_rows(seed_store: Store) -> None:
    for amended in (False, True):
        every = superseded.rows(seed_store, "2026-11-22", amended)
        seen: list[dict[str, Any]] = []
        offset = 0
        while True:
            chunk = superseded.page(seed_store, 7, offset, "2026-11-22", amended)
            assert len(chunk) <= 7
            seen += chunk
            if len(chunk) < 7:
                break
            offset += 7
        assert len(seen) == len(every) > 7
        assert Counter(tuple(sorted(r.items())) for r in seen) == Counter(tuple(sorted(r.items())) for r in every)


@pytest.mark.parametrize("bad", [(0, 0), (5, -1), ("5", 0)])
def test_a_bad_page_is_refused(seed_store: Store, bad: tuple[Any, Any]) -> None:
    with pytest.raises(ValueError, match="page: expected"):
        superseded.page(seed_store, bad[0], bad[1])


def test_same_rows_on_generated_plans(tmp_path: Path, registry: Registry) -> None:
    spec = importlib.util.spec_from_file_location("gen_corpus", ROOT / "bench" / "gen_corpus.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    sys.modules["gen_corpus"] = gen
    spec.loader.exec_module(gen)
    gen.generate(30, tmp_path / "plans", seed=11, progress=False)
    store = Store(tmp_path / "store")
    paths = sorted(str(p) for p in (tmp_path / "plans").rglob("*.txt"))
    ok, errors, _ = ingest_files(store, registry, paths, progress=False)
    assert errors == [] and ok == 30
    assert same_rows(store) > 30


def test_the_two_queries_by_name(seed_store: Store) -> None:
    """The queries "superseded-events" (the change events) and "dependency-records" (what cites a document), as the
    CLI and the HTTP named-query routes run them."""
    q = queries.load("superseded-events")
    events = list(seed_store.select(q.text, q.bind({"asOf": "2026-11-22"})))
    doc = next(e["doc"] for e in events if e["symbol"] == "61/2018/NĐ-CP")
    assert {e["finding"] for e in events if e["doc"] == doc} == {"replaced"}
    q = queries.load("dependency-records")
    recs = [r["record"] for r in seed_store.select(q.text, q.bind({"doc": doc}))]
    assert any("003_" in r.split("\t")[0] for r in recs)
    assert all(len(r.split("\t")) == 7 for r in recs)
