"""tthc_kg.superseded on each SPARQL server: the same rows as superseded-dependencies.rq there, and as on the
embedded store (the records are stored and read as the same strings on every engine)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from paths import AS_OF
from tthc_kg import queries, superseded
from tthc_kg.store import Store
from tthc_kg.store_remote import RemoteStore


def _bag(rows: list[dict[str, Any]]) -> Counter[tuple[Any, ...]]:
    return Counter(tuple(sorted(r.items())) for r in rows)


def test_superseded_rows_on_the_server(seed_store: RemoteStore, embedded_store: Store) -> None:
    for amended in (False, True):
        remote = superseded.rows(seed_store, AS_OF, amended)
        q = queries.load("superseded-dependencies")
        by_query = list(seed_store.select(q.text, q.bind({"asOf": AS_OF, "includeAmended": str(amended).lower()})))
        assert remote and _bag(remote) == _bag(by_query)
        assert remote == superseded.rows(embedded_store, AS_OF, amended)  # sorted alike, ties broken by value
        pages = superseded.page(seed_store, 5, 0, AS_OF, amended) + superseded.page(seed_store, 1000, 5, AS_OF, amended)
        assert _bag(pages) == _bag(remote)
