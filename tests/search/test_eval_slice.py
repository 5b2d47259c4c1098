"""The ALQAC harness (bench/search_eval.py) on a small slice of ALQAC 2022, lexical only: the metrics it prints
must equal a computation by hand from the ranked lists it returns. This checks the harness, not a score."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "benchmarks" / "alqac"


def _harness():  # the harness is a script in bench/, loaded once by path
    name = "search_eval"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "search_eval.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


se = _harness()

assert (DATA / "alqac2022" / "law.json").is_file(), (
    f"no ALQAC data at {DATA} (shared/benchmarks/alqac must sit beside the repo)"
)


@pytest.fixture(scope="module")
def run():  # type: ignore[no-untyped-def]
    full = se.load_set(DATA, "2022", limit=10)
    wanted = set().union(*(q.relevant for q in full.questions))
    # The relevant articles and the first 150 others: enough to rank, fast to index.
    articles = [a for a in full.articles if a.key in wanted] + [a for a in full.articles if a.key not in wanted][:150]
    sliced = se.Dataset(full.qset, articles, full.questions, full.unresolved)
    return se.evaluate(sliced, methods=["lexical"])


def test_slice_is_what_was_asked(run) -> None:  # type: ignore[no-untyped-def]
    assert len(run.dataset.questions) == 10
    assert list(run.scores) == ["lexical"]
    assert run.times["lexical units"] >= len(run.dataset.articles)  # short units of the articles


def test_rankings_are_distinct_corpus_articles(run) -> None:  # type: ignore[no-untyped-def]
    corpus = {a.key for a in run.dataset.articles}
    per_q = run.rankings["lexical"]
    assert set(per_q) == {q.id for q in run.dataset.questions}
    for ranked in per_q.values():
        assert ranked, "every question shares some syllable with some article"
        assert len(ranked) == len(set(ranked))
        assert set(ranked) <= corpus


def test_metrics_equal_a_hand_computation(run) -> None:  # type: ignore[no-untyped-def]
    n = len(run.dataset.questions)
    hits = {1: 0.0, 5: 0.0, 10: 0.0}
    rr = 0.0
    for q in run.dataset.questions:
        ranked = run.rankings["lexical"][q.id]
        positions = sorted(ranked.index(k) + 1 for k in q.relevant if k in ranked)
        for k in hits:
            hits[k] += sum(1 for p in positions if p <= k) / len(q.relevant)
        rr += 1 / positions[0] if positions and positions[0] <= 10 else 0.0
    s = run.scores["lexical"]
    assert s.n == n
    for k in (1, 5, 10):
        assert s.recall[k] == pytest.approx(hits[k] / n)
    assert s.mrr == pytest.approx(rr / n)
    assert 0.0 < s.mrr <= 1.0  # the relevant articles are in the slice: some are found


def test_table_prints_the_scores(run) -> None:  # type: ignore[no-untyped-def]
    table = se.format_table([run])
    s = run.scores["lexical"]
    assert "MRR@10" in table.splitlines()[0]
    row = next(line for line in table.splitlines() if line.startswith("2022"))
    assert row.split()[-4:] == [f"{v:.3f}" for v in s.row()]
