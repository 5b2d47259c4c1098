"""Real SPARQL servers for the parity tests: a private Virtuoso and the Oxigraph server, each started once per
session by scripts/sparql-servers.sh on 127.0.0.1 (a free port, data in a temporary directory), each holding the
seeds ingested through :class:`tthc_kg.store_remote.RemoteStore` (the same files as the embedded ``seed_store``).

A server that cannot be installed or started FAILS the tests that need it (never a skip): `make test` installs
Virtuoso (scripts/sparql-servers.sh install); the Oxigraph server is the PyPI package ``oxigraph`` of the venv.

``seed_store`` is overridden here: in this folder it is a remote store, parametrized over the servers, so the
golden tests of tests/test_queries.py imported by test_golden_remote.py run on each server unchanged.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from remote_servers import SERVERS, Server, seed_paths

from tthc_kg.ingest import ingest_files
from tthc_kg.registry import Registry
from tthc_kg.store import Store
from tthc_kg.store_remote import RemoteStore


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    if shutil.which("virtuoso-t") is None:
        pytest.fail("Virtuoso is not installed: run scripts/sparql-servers.sh install (make test does)")
    started: dict[str, Server] = {}
    try:
        for name in SERVERS:
            started[name] = Server(name, tmp_path_factory.mktemp(f"sparql-{name}"))
        yield started
    finally:
        for server in started.values():
            server.stop()


@pytest.fixture(scope="session")
def remote_stores(servers: dict[str, Server], registry: Registry) -> dict[str, RemoteStore]:
    """Each server with the seeds ingested through the remote store's own write path."""
    stores: dict[str, RemoteStore] = {}
    paths = seed_paths()
    for name, server in servers.items():
        store = server.store()
        ok, errors, _ = ingest_files(store, registry, paths, progress=False)
        assert errors == [] and ok == len(paths), (name, errors)
        stores[name] = store
    return stores


@pytest.fixture(scope="session")
def embedded_store(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Store:
    """The embedded store with the same files, for the side-by-side comparisons."""
    store = Store(tmp_path_factory.mktemp("embedded"))
    ok, errors, _ = ingest_files(store, registry, seed_paths(), progress=False)
    assert errors == [] and ok == len(seed_paths())
    return store


@pytest.fixture(scope="session", params=SERVERS)
def server_name(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def seed_store(remote_stores: dict[str, RemoteStore], server_name: str) -> RemoteStore:
    """In this folder, the seed store is a server (each in turn)."""
    return remote_stores[server_name]
