"""Shared fixtures: the registry, the seeds, and a store with the seeds ingested (built once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from paths import FIXTURES, SEEDS
from tthc_kg.ingest import ingest_files
from tthc_kg.registry import Registry, load_registry
from tthc_kg.store import Store


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="session")
def seeds() -> list[Path]:
    assert len(SEEDS) == 5, "the five seeds ship in data/plans"
    return SEEDS


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Store:
    """The seeds and the outdated-at-issue test plan, ingested into an on-disk store."""
    store = Store(tmp_path_factory.mktemp("store"))
    paths = [str(p) for p in SEEDS] + [str(FIXTURES / "ke-hoach-outdated-2025.txt")]
    ok, errors, _ = ingest_files(store, registry, paths, progress=False)
    assert errors == [] and ok == len(paths)
    return store
