"""The index parts on a small fixture with known answers: lexical index, fusion, vector cache, SearchIndex sync."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from tthc_kg.registry import Registry
from tthc_kg.search import index as index_module
from tthc_kg.search.corpus import Unit
from tthc_kg.search.dense import DIM, MODEL, VectorCache, rank, text_key
from tthc_kg.search.fuse import rrf, standardize, zscore
from tthc_kg.search.index import SearchIndex
from tthc_kg.search.lexical import LexicalIndex
from tthc_kg.search.tokenize import index_tokens, query_tokens


def unit(key: str, text: str, kind: str = "document", symbol: str | None = None) -> Unit:
    return Unit(key=key, kind=kind, text=text, title=text, doc=key, symbol=symbol, iri=key, dense_text=text)


# A small fixture: registry-like titles with known answers.
FIXTURE = [
    unit("d61", "Nghị định 61/2018/NĐ-CP Về thực hiện cơ chế một cửa, một cửa liên thông", symbol="61/2018/NĐ-CP"),
    unit("d45", "Quyết định 45/2016/QĐ-TTg Về việc tiếp nhận hồ sơ, trả kết quả qua dịch vụ bưu chính công ích"),
    unit("d09", "Nghị định 09/2019/NĐ-CP Quy định về chế độ báo cáo của cơ quan hành chính nhà nước"),
    unit("d42", "Nghị định 42/2022/NĐ-CP Cung cấp thông tin và dịch vụ công trực tuyến"),
    unit("t1", "Thực hiện thanh toán trực tuyến phí, lệ phí", kind="task"),
]
KNOWN = [
    ("mot cua", "d61"),
    ("một cửa liên thông", "d61"),
    ("bưu chính công ích", "d45"),
    ("buu chinh", "d45"),
    ("chế độ báo cáo", "d09"),
    ("che do bao cao", "d09"),
    ("dịch vụ công trực tuyến", "d42"),
    ("thanh toán phí, lệ phí", "t1"),
]


def lexical(items: list[Unit], path: Path | None = None) -> LexicalIndex:
    ix = LexicalIndex(path)
    ix.add((u.key, index_tokens(u.text)) for u in items)
    ix.commit()
    return ix


@pytest.mark.parametrize(("query", "best"), KNOWN)
def test_lexical_known_answers(query: str, best: str) -> None:
    hits = lexical(FIXTURE).search(query_tokens(query), 5)
    assert hits and hits[0][0] == best
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_lexical_replace_remove_and_reopen(tmp_path: Path) -> None:
    ix = lexical(FIXTURE, tmp_path / "lex")
    assert len(ix) == len(FIXTURE)
    ix.add([("d45", index_tokens("Thông tư về lưu trữ"))])  # the same key: replaced, not added
    ix.remove(["d09"])
    ix.commit()
    assert len(ix) == len(FIXTURE) - 1
    assert ix.search(query_tokens("bưu chính"), 5) == []
    assert "d09" not in {k for k, _ in ix.search(query_tokens("chế độ báo cáo"), 5)}
    again = LexicalIndex(tmp_path / "lex")  # what was committed is on disk
    assert [k for k, _ in again.search(query_tokens("lưu trữ"), 5)] == ["d45"]
    assert again.search([], 5) == [] and again.search(["một"], 0) == []


def test_rrf() -> None:
    assert [k for k, _ in rrf([["a", "b", "c"], ["b", "c"]])] == ["b", "c", "a"]
    assert [k for k, _ in rrf([["a"], ["b"]], weights=[1.0, 2.0])] == ["b", "a"]
    assert [k for k, _ in rrf([["a"], ["b"]])] == ["a", "b"]  # a tie keeps the first list's order
    assert rrf([]) == []
    with pytest.raises(ValueError):
        rrf([["a"]], weights=[1.0, 1.0])


def test_zscore_weighs_each_list_by_how_sure_it_is() -> None:
    others = [f"u{i}" for i in range(20)]
    sure = [("a", 9.0), *((k, 1.0 - i / 100) for i, k in enumerate(others))]  # "a" stands far above the rest
    flat = [*((k, 0.6 - i / 100) for i, k in enumerate(others)), ("a", 0.39)]  # an even slope, "a" last
    assert zscore([sure, flat])[0][0] == "a"
    assert rrf([[k for k, _ in sure], [k for k, _ in flat]])[0][0] == "u0"  # ranks alone cannot tell
    # scales never meet: multiplying one list's scores changes nothing
    assert [k for k, _ in zscore([sure, flat])] == [k for k, _ in zscore([[(k, 100 * s) for k, s in sure], flat])]


def test_zscore_missing_keys_weights_window_and_ties() -> None:
    z, floor = standardize([("a", 3.0), ("b", 1.0)])
    assert z == {"a": 1.0, "b": -1.0} and floor == -1.0
    assert standardize([]) == ({}, 0.0)
    assert standardize([("a", 2.0)]) == ({"a": 0.0}, 0.0)  # no spread: deviation 1
    fused = dict(zscore([[("a", 3.0), ("b", 1.0)], [("c", 1.0), ("a", 0.0)]]))
    assert fused["b"] == pytest.approx(-1.0 + -1.0)  # missing from the second list: its lowest z
    assert fused["c"] == pytest.approx(-1.0 + 1.0) and fused["a"] == pytest.approx(1.0 - 1.0)
    assert [k for k, _ in zscore([[("a", 1.0), ("b", 0.0)], [("b", 1.0), ("a", 0.0)]], weights=[1, 3])] == ["b", "a"]
    # the window: only the first scores set the mean and deviation; the rest still get a z
    z, floor = standardize([("a", 2.0), ("b", 0.0), ("c", -10.0)], window=2)
    assert z == {"a": 1.0, "b": -1.0, "c": -11.0} and floor == -11.0
    assert [k for k, _ in zscore([[("a", 1.0), ("b", 1.0)]])] == ["a", "b"]  # a tie keeps the order
    assert zscore([]) == [] and zscore([[], []]) == []
    with pytest.raises(ValueError):
        zscore([[("a", 1.0)]], weights=[1.0, 1.0])


def _vectors(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_vector_cache_round_trip_merge_and_model_check(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path)
    keys = [text_key(t) for t in ("một", "hai", "ba")]
    vectors = _vectors(3)
    cache.put(keys, vectors)
    cache.put(keys[:1], _vectors(1, seed=9))  # a key already cached keeps its vector
    cache.save()
    loaded = VectorCache(tmp_path)
    assert len(loaded) == 3 and loaded.missing([*keys, "x"]) == ["x"]
    assert np.allclose(loaded.matrix(keys), vectors)
    other = VectorCache()
    assert other.merge(loaded) == 3 and other.merge(loaded) == 0
    meta = (tmp_path / "vectors.json").read_text(encoding="utf-8")
    (tmp_path / "vectors.json").write_text(meta.replace(MODEL, "another model"), encoding="utf-8")
    assert len(VectorCache(tmp_path)) == 0  # vectors of another model are not used


def test_vector_cache_keeps_one_row_per_key_when_a_batch_repeats_one(tmp_path: Path) -> None:
    """A batch with the same text twice (two units embedding the same clause) used to add two rows for one key:
    the saved matrix then had more rows than keys, and the whole cache was dropped on the next load."""
    cache = VectorCache(tmp_path)
    a, b = text_key("một"), text_key("hai")
    vectors = _vectors(3)
    cache.put([a, b, a], vectors)
    assert len(cache) == 2 and np.allclose(cache.matrix([a, b]), vectors[:2])  # the first vector of "a" kept
    cache.put([b, text_key("ba")], _vectors(2, seed=3))
    cache.save()
    loaded = VectorCache(tmp_path)
    assert len(loaded) == 3 and np.load(tmp_path / "vectors.npy").shape == (3, DIM)
    assert np.allclose(loaded.matrix([a, b]), vectors[:2])


def test_rank_returns_the_nearest_rows_first() -> None:
    m = _vectors(10)
    got = rank(m, m[7], 3)
    assert got[0][0] == 7 and got[0][1] == pytest.approx(1.0, abs=1e-5)
    assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
    assert rank(m, m[0], 0) == [] and len(rank(m, m[0], 50)) == 10


def test_sync_is_incremental_and_persists(tmp_path: Path) -> None:
    ix = SearchIndex(tmp_path)
    first = ix.sync(FIXTURE)
    assert (first.added, first.changed, first.removed, first.units) == (5, 0, 0, 5)
    assert ix.sync(FIXTURE).added == 0  # nothing changed: nothing re-tokenized
    edited = [*FIXTURE[:1], unit("d45", "Quyết định 45/2016/QĐ-TTg về lưu trữ"), *FIXTURE[2:4]]
    second = ix.sync(edited)
    assert (second.added, second.changed, second.removed, second.units) == (0, 1, 1, 4)
    reopened = SearchIndex(tmp_path)
    assert reopened.units == ix.units
    assert [reopened.owner(k) for k, _ in reopened.lexical.search(query_tokens("lưu trữ"), 5)] == ["d45"]
    assert reopened.lexical.search(query_tokens("thanh toán"), 5) == []  # the task is gone


def test_a_new_tokenizer_rebuilds_the_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    SearchIndex(tmp_path).sync(FIXTURE)
    monkeypatch.setattr(index_module, "TOKENIZER", "another/2")
    rebuilt = SearchIndex(tmp_path)
    assert rebuilt.units == {} and len(rebuilt.lexical) == 0
    assert rebuilt.sync(FIXTURE).added == len(FIXTURE)


def test_missing_vectors_and_coverage() -> None:
    ix = SearchIndex()
    ix.sync(FIXTURE)
    texts = ix.missing_vectors()
    assert len(texts) == 4  # documents only: the task is lexical unless asked for
    assert len(ix.missing_vectors(("document", "passage", "task"))) == 5
    ix.vectors.put([text_key(t) for t in texts[:2]], _vectors(2))
    assert ix.dense_coverage() == (2, 4)
    keys, matrix = ix.dense_matrix()
    assert len(keys) == 2 and matrix.shape == (2, DIM)


def test_a_busy_index_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tthc_kg.search import lexical as lexical_module

    monkeypatch.setattr(lexical_module, "_WAIT", 0.3)
    holder = LexicalIndex(tmp_path / "lex")
    holder.add([("a", ["một"])])  # its writer holds the lock until commit
    other = LexicalIndex(tmp_path / "lex")
    with pytest.raises(lexical_module.IndexBusy, match="being written by another process"):
        other.add([("b", ["hai"])])
    holder.commit()
    other.add([("b", ["hai"])])
    other.commit()
    assert len(other) == 2


def test_the_prefilter_finds_the_exact_nearest_rows() -> None:
    from tthc_kg.search.dense import Rows

    rng = np.random.default_rng(5)
    # 3,000 rows near 40 directions (texts cluster by topic): the projection keeps what tells them apart
    centres = _vectors(40, seed=6)
    m = centres[rng.integers(0, 40, 3000)] + 0.3 * _vectors(3000, seed=7)
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    exact, fast = Rows(m, prefilter_rows=10**9), Rows(m, prefilter_rows=1000)
    assert not exact.prefilter and fast.prefilter and len(fast) == 3000
    for row in (0, 17, 2999):
        want = [r for r, _ in exact.top(m[row], 10)]
        got = fast.top(m[row], 10)
        assert [r for r, _ in got] == want and got[0] == (row, pytest.approx(1.0, abs=1e-5))
    assert fast.top(m[0], 0) == []


def test_the_store_fingerprint_skips_a_rebuild_when_nothing_changed(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new process (the CLI) opening an unchanged store reuses the units on disk; an ingest, a re-ingest of a
    changed file and a registry change each change the fingerprint (queries search-fingerprint and
    search-graph-hash)."""
    from tthc_kg import queries
    from tthc_kg.ingest import ingest_files
    from tthc_kg.store import Store

    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    plan = tmp_path / "plan.txt"
    plan.write_text((fixtures / "ke-hoach-outdated-2025.txt").read_text(encoding="utf-8"), encoding="utf-8")
    store = Store(tmp_path / "store")
    ingest_files(store, registry, [str(plan)], progress=False)
    hashes = list(store.select(queries.load("search-fingerprint").text))
    assert len(hashes) == 1 and len(hashes[0]["hash"]) == 64  # the plan's graph records its file's hash
    q = queries.load("search-graph-hash")
    registry_graph = next(g for g in store.graph_names() if g not in {h["graph"] for h in hashes})
    (row,) = store.select(q.text, q.bind({"graph": registry_graph}))
    assert len(row["hash"]) == 40 and row["triples"] > 100
    first = index_module.fingerprint(store)
    assert first == index_module.fingerprint(store) and index_module.fingerprint(Store.in_memory()) is None
    built = index_module.open_index(store)
    assert built.fingerprint == first and built.units

    def fresh_process() -> SearchIndex:  # forget the process's index: as a new `tthc-kg search` would
        index_module._OPEN.clear()
        return index_module.open_index(store)

    calls: list[int] = []
    real = index_module.store_units
    monkeypatch.setattr(index_module, "store_units", lambda *a: calls.append(1) or real(*a))
    reopened = fresh_process()
    assert calls == [] and reopened.units == built.units  # unchanged: no rebuild
    plan.write_text(plan.read_text(encoding="utf-8") + "\nThực hiện niêm yết công khai.\n", encoding="utf-8")
    ingest_files(store, registry, [str(plan)], progress=False)  # a changed file: another content hash
    second = index_module.fingerprint(store)
    assert second != first
    fresh_process()
    assert calls == [1]
    smaller = dataclasses.replace(registry, documents=registry.documents[1:])  # the registry graph changes
    ingest_files(store, smaller, [str(plan)], progress=False)
    assert index_module.fingerprint(store) not in (first, second)
