"""Issue 5's bar with the officer queries of bench/search-officer-queries.tsv (the harness is bench/search_officer.py):
a relevant legal basis in the top 5 for ≥ 90 % of them, lexically over a store of data/plans (as the bench builds
it), and with dense vectors over the seed store. Also: the file is what it claims (≥ 40 queries of every form, each
label a document the registry or the plans know), and the harness computes its metrics right."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from tthc_kg.ingest import ingest_files
from tthc_kg.registry import Registry
from tthc_kg.search.index import SearchIndex, update
from tthc_kg.store import Store

ROOT = Path(__file__).resolve().parents[2]


def _harness():  # type: ignore[no-untyped-def]  # a script in bench/, loaded once by path
    name = "search_officer"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "search_officer.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


so = _harness()
QUERIES = so.load_queries()


@pytest.fixture(scope="module")
def plans_store(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Store:
    """data/plans alone, as bench/search_officer.py ingests it."""
    store = Store(tmp_path_factory.mktemp("officer-store"))
    files = sorted(str(p) for p in so.PLANS.glob("*.txt"))
    ok, errors, _ = ingest_files(store, registry, files, progress=False)
    assert errors == [] and ok == len(files) == 5
    update(store)
    return store


def test_the_query_file(registry: Registry, plans_store: Store) -> None:
    assert len(QUERIES) >= 40
    assert len({q.text for q in QUERIES}) == len(QUERIES), "a query twice"
    forms = {q.form for q in QUERIES}
    assert forms == {"symbol", "abbrev", "folded", "topic"}, forms
    assert sum(q.labelled == "before" for q in QUERIES) >= 40  # 62 labelled before the engine ran on them
    # every label is a document the store knows (the registry's or a cited one): no typo can pass as a miss
    from tthc_kg.search.index import open_index

    known = {u.symbol for u in open_index(plans_store).units.values() if u.kind == "document"}
    unknown = {s for q in QUERIES for s in q.relevant} - known
    assert not unknown, unknown


def test_the_metrics_by_hand() -> None:
    q = so.Query("x", frozenset({"A"}), "topic", "before", "")
    ranked = [
        so.Ranked(q, [("document", "A"), ("task", "B")]),  # rank 1
        so.Ranked(q, [("task", "B"), ("task", "A"), ("document", "C")]),  # rank 2 (a task), no document in top 5
        so.Ranked(q, [("document", f"D{i}") for i in range(6)] + [("passage", "A")]),  # rank 7
        so.Ranked(q, [("document", "B")]),  # none
    ]
    s = so.score(ranked)
    assert (s.queries, s.top1, s.top5, s.top5_docs) == (4, 0.25, 0.5, 0.25)
    assert s.mrr == pytest.approx((1 + 1 / 2 + 1 / 7) / 4)
    assert ranked[2].first_relevant(("document", "passage")) == 7
    assert so.score([]).queries == 0


def test_a_malformed_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "q.tsv"
    bad.write_text("query\trelevant\tform\tlabelled\twhy\nnd 61/2018\t\tsymbol\tbefore\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match="relevant symbol"):
        so.load_queries(bad)
    bad.write_text("q\tr\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        so.load_queries(bad)


def test_lexical_bar_on_every_query(plans_store: Store) -> None:
    ranked, _ = so.run_method(QUERIES, so.engine_ranker(plans_store, dense=False))
    s = so.score(ranked)
    assert s.top5 >= so.BAR, "\n".join(so.misses(ranked))
    assert s.mrr >= 0.85, s  # measured 0.94 when written


def test_a_symbol_is_the_first_hit(plans_store: Store) -> None:
    """A symbol-shaped query puts its document first, whether the type word or abbreviation stands apart from the
    number ("nd 61/2018") or is glued to it ("nd61/2018")."""
    symbols = [q for q in QUERIES if q.form == "symbol"]
    glued = [q for q in symbols if re.search(r"[^\W\d_]\d", q.text)]
    assert glued, "the file has glued forms"
    ranked, _ = so.run_method(symbols, so.engine_ranker(plans_store, dense=False))
    assert all(r.first_relevant() == 1 for r in ranked), "\n".join(so.misses(ranked, depth=1))


def test_hybrid_bar_with_dense_vectors(seed_store: Store, dense_index: SearchIndex) -> None:
    """Over the seed store with every document and passage embedded (tests/search/conftest.py)."""
    assert dense_index.dense_coverage()[0] > 0
    ranked, _ = so.run_method(QUERIES, so.engine_ranker(seed_store, dense=True))
    s = so.score(ranked)
    assert s.top5 >= so.BAR, "\n".join(so.misses(ranked))
