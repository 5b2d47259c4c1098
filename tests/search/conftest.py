"""Fixtures of the search tests: the seed store's index, lexical and with dense vectors (embedded once)."""

from __future__ import annotations

import pytest

from tthc_kg.search.dense import VectorCache, embedder
from tthc_kg.search.index import SearchIndex, open_index, update
from tthc_kg.store import Store


@pytest.fixture(scope="session")
def seed_index(seed_store: Store) -> SearchIndex:
    """The seed store's index, lexical part synced (dense vectors only if another test embedded them)."""
    return open_index(seed_store)


@pytest.fixture(scope="session")
def dense_index(seed_store: Store, request: pytest.FixtureRequest) -> SearchIndex:
    """The seed store's index with a vector for every document and passage.

    Embedding the seeds' ~110 texts takes 10–30 s on two cores; the vectors (keyed by the SHA-1 of each text and
    the model's name) are also kept in pytest's cache directory, so a second run embeds only new texts."""
    cache = getattr(request.config, "cache", None)  # None with -p no:cacheprovider
    kept = VectorCache(cache.mkdir("tthc-kg-vectors") if cache is not None else None)
    index = open_index(seed_store)
    index.vectors.merge(kept)
    update(seed_store, embedder())
    kept.merge(index.vectors)
    kept.save()
    return index
