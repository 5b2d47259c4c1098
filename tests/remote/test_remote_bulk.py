"""The bulk path (tthc_kg.bulk, chunked N-Quads) into a SPARQL server: the same quads as the embedded store's
per-document ingest. Runs last in this folder: it reloads the seed graphs the other tests read (same content)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from remote_servers import seed_paths

import tthc_kg.store_remote as remote
from tthc_kg.bulk import bulk_ingest
from tthc_kg.registry import Registry
from tthc_kg.store import Store
from tthc_kg.store_remote import RemoteStore


def test_bulk_load_into_a_server(
    seed_store: RemoteStore, embedded_store: Store, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote, "CHUNK_TRIPLES", 1000)  # several INSERT DATA requests per chunk of the bulk path
    result = bulk_ingest(seed_store, registry, seed_paths(), progress=False, workers=1)
    assert result.errors == [] and result.ok == len(seed_paths())
    fmt = ox.RdfFormat.N_QUADS
    assert set(seed_store.dump(fmt).splitlines()) == set(embedded_store.dump(fmt).splitlines())
    assert seed_store.triple_count() == embedded_store.triple_count()
