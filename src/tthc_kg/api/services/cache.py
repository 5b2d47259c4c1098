"""The per-store memo behind every service: an LRU with a generation key, a TTL and single flight.

Results are memoized per store, keyed by the arguments and the store's ``generation`` (a counter the store bumps on
each write, when it has one: then entries live ``CACHE_TTL_COUNTED`` seconds); a store without one keeps them
``CACHE_TTL`` seconds, so a write is seen within that time. The returned models are shared: do not mutate them.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from ...store import Store

CACHE_TTL = 5.0  # seconds, for a store without a generation counter (a write is seen within this time)
CACHE_TTL_COUNTED = 600.0  # seconds, for a store whose ``generation`` counts its writes
CACHE_SIZE = 2048  # entries per store

T = TypeVar("T")


class Memo:
    """Per-store LRU of results keyed by (store generation, key), each kept at most a TTL (see CACHE_TTL).

    Single flight: when several threads miss the same key at once, one computes and the others wait for its result
    (without this, every request arriving while an entry is refreshed ran the same queries, on the same cores).
    """

    def __init__(self) -> None:
        self._stores: weakref.WeakKeyDictionary[Any, OrderedDict[Hashable, tuple[float, Any]]]
        self._stores = weakref.WeakKeyDictionary()
        self._flights: dict[tuple[int, Hashable], threading.Lock] = {}
        self._lock = threading.Lock()

    def _fresh(self, store: Store, full: Hashable, ttl: float) -> tuple[bool, Any]:
        with self._lock:
            entries = self._stores.setdefault(store, OrderedDict())
            hit = entries.get(full)
            if hit is not None and time.monotonic() - hit[0] < ttl:
                entries.move_to_end(full)
                return True, hit[1]
        return False, None

    @staticmethod
    def _key(store: Store, key: Hashable) -> tuple[Hashable, float]:
        generation = getattr(store, "generation", None)
        return (generation, key), CACHE_TTL if generation is None else CACHE_TTL_COUNTED

    def peek(self, store: Store, key: Hashable) -> tuple[bool, Any]:
        """(True, value) when a fresh value is cached, else (False, None); never computes."""
        return self._fresh(store, *self._key(store, key))

    def __call__(self, store: Store, key: Hashable, compute: Callable[[], T]) -> T:
        full, ttl = self._key(store, key)
        found, value = self._fresh(store, full, ttl)
        if found:
            return value  # type: ignore[no-any-return]
        with self._lock:
            flight = self._flights.setdefault((id(store), full), threading.Lock())
        with flight:
            found, value = self._fresh(store, full, ttl)  # computed by another thread meanwhile
            if found:
                return value  # type: ignore[no-any-return]
            value = compute()
            with self._lock:
                entries = self._stores.setdefault(store, OrderedDict())
                entries[full] = (time.monotonic(), value)
                while len(entries) > CACHE_SIZE:
                    entries.popitem(last=False)
                self._flights.pop((id(store), full), None)
        return value

    def clear(self) -> None:
        with self._lock:
            self._stores.clear()


memo = Memo()
