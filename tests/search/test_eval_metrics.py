"""The ALQAC harness's metrics (bench/search_eval.py) on tiny hand-made cases."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _harness():
    name = "search_eval"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "search_eval.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


se = _harness()


def test_recall_at_k() -> None:
    ranked = ["a", "b", "c", "d", "e", "f"]
    assert se.recall_at(ranked, {"a"}, 1) == 1.0
    assert se.recall_at(ranked, {"c"}, 1) == 0.0
    assert se.recall_at(ranked, {"c"}, 5) == 1.0
    assert se.recall_at(ranked, {"b", "x"}, 5) == 0.5  # one of two relevant found
    assert se.recall_at(ranked, {"f"}, 5) == 0.0  # rank 6 is past k = 5
    assert se.recall_at([], {"a"}, 10) == 0.0
    with pytest.raises(ValueError):
        se.recall_at(ranked, set(), 1)


def test_reciprocal_rank_stops_at_depth_10() -> None:
    ranked = [f"k{i}" for i in range(1, 21)]
    assert se.reciprocal_rank(ranked, {"k1"}) == 1.0
    assert se.reciprocal_rank(ranked, {"k3"}) == pytest.approx(1 / 3)
    assert se.reciprocal_rank(ranked, {"k4", "k2"}) == 0.5  # the first relevant one counts
    assert se.reciprocal_rank(ranked, {"k10"}) == pytest.approx(0.1)
    assert se.reciprocal_rank(ranked, {"k11"}) == 0.0  # past depth 10
    assert se.reciprocal_rank(ranked, {"nowhere"}) == 0.0


def test_score_averages_over_questions() -> None:
    qs = [
        se.Question("q1", "…", frozenset({"a"})),  # rank 1
        se.Question("q2", "…", frozenset({"c"})),  # rank 3
        se.Question("q3", "…", frozenset({"z"})),  # not found
        se.Question("q4", "…", frozenset({"a", "y"})),  # no ranking at all: counts as nothing found
    ]
    rankings = {"q1": ["a", "b", "c"], "q2": ["a", "b", "c"], "q3": ["a", "b", "c"]}
    s = se.score(rankings, qs)
    assert s.n == 4
    assert s.recall[1] == pytest.approx((1 + 0 + 0 + 0) / 4)
    assert s.recall[5] == pytest.approx((1 + 1 + 0 + 0) / 4)
    assert s.recall[10] == s.recall[5]
    assert s.mrr == pytest.approx((1 + 1 / 3 + 0 + 0) / 4)
    assert s.row() == [s.recall[1], s.recall[5], s.recall[10], s.mrr]


def test_units_become_articles_once_at_their_best_rank() -> None:
    assert se.distinct(["a", "b", "a", "c", "b"]) == ["a", "b", "c"]
    owner = {"a@0": "A", "a@1": "A", "b@0": "B"}
    assert se.max_pool([("a@1", 0.9), ("b@0", 0.8), ("a@0", 0.7)], owner) == [("A", 0.9), ("B", 0.8)]


def test_chunk_article_packs_clauses_under_the_title() -> None:
    art = se.Article("L#1", "L", "1", "Tiêu đề", "Tiêu đề\n\n1. một hai ba\n\n2. bốn\n\n3. " + "x " * 7)
    assert se.chunk_article(art, max_words=6) == [
        "Tiêu đề. 1. một hai ba 2. bốn",  # two clauses, 6 words
        "Tiêu đề. 3. x x x x x",  # an 8-word clause is cut into windows of 6 words
        "Tiêu đề. x x",
    ]
    two = se.Article("L#3", "L", "3", "T", "T\n1. a b c\n2. d e f g")  # 4 + 5 words > 6: one unit each
    assert se.chunk_article(two, max_words=6) == ["T. 1. a b c", "T. 2. d e f g"]
    assert se.chunk_article(se.Article("L#2", "L", "2", "Chỉ tiêu đề", "Chỉ tiêu đề"), 6) == ["Chỉ tiêu đề"]


def test_load_questions_reads_repr_lists_and_counts_unresolved(tmp_path: Path) -> None:
    path = tmp_path / "q.json"
    path.write_text(
        json.dumps(
            [
                {"id": "q-1", "text": "A?", "relevant_articles": "[{'law_id': 'L', 'article_id': '1'}]"},
                {
                    "question_id": "q-2",
                    "text": "B?",
                    "relevant_articles": [{"law_id": "L", "article_id": "2"}, {"law_id": "M", "article_id": 9}],
                },
                {"id": "q-3", "text": "C?", "relevant_articles": [{"law_id": "M", "article_id": "9"}]},
            ]
        ),
        encoding="utf-8",
    )
    qs, unresolved = se.load_questions(path, {"L#1", "L#2"})
    assert [(q.id, set(q.relevant)) for q in qs] == [("q-1", {"L#1"}), ("q-2", {"L#2"})]
    assert unresolved == 2  # M#9 twice; q-3 has nothing left and is dropped
