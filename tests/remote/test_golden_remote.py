"""The golden tests of tests/test_queries.py, run unchanged on each SPARQL server: every test there that takes the
``seed_store`` fixture is collected here too, where ``seed_store`` is a remote store (tests/remote/conftest.py)."""

from __future__ import annotations

import inspect

import test_queries as _golden

GOLDEN = sorted(
    name
    for name, fn in vars(_golden).items()
    if name.startswith("test_") and callable(fn) and "seed_store" in inspect.signature(fn).parameters
)
globals().update({name: getattr(_golden, name) for name in GOLDEN})


def test_every_golden_query_test_is_collected_here() -> None:
    assert len(GOLDEN) >= 10 and "test_superseded_dependencies" in GOLDEN
