"""The index parts on a small fixture with known answers: lexical index, fusion, vector cache, SearchIndex sync."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tthc_kg.search import index as index_module
from tthc_kg.search.corpus import Unit
from tthc_kg.search.dense import DIM, MODEL, VectorCache, rank, text_key
from tthc_kg.search.fuse import rrf
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
    assert [k for k, _ in reopened.lexical.search(query_tokens("lưu trữ"), 5)] == ["d45"]
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
