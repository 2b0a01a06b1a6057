"""Performance helpers for the analysis and rendering code. Pure: never imports Flask.

- `gc_paused()` holds off Python's cyclic garbage collector while a step creates a great many
  small objects that it keeps (answer dicts read from the database, ORM rows, WeasyPrint's
  layout boxes). Every 700 new container objects the collector would otherwise run, and as the
  heap grows its full passes walk everything again: for a round of 25,000 answers that costs
  more than the reading itself. Nothing is lost by collecting afterwards. Measured on the
  benchmarks (docs/benchmarks.md): reading a large round ~0.4 s -> ~0.2 s, the board report's
  PDF ~0.7 s less.
- `LRUCache(size)`: a small thread-safe, process-local cache that forgets the least recently
  used entries beyond `size` (a round's aggregates keyed by its state, drawn charts).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Iterator
from typing import Generic
from typing import TypeVar

V = TypeVar("V")


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Disable automatic garbage collection inside the block; restore it afterwards.

    Process-wide: another thread allocating meanwhile only waits for its next collection.
    Nested or concurrent use is safe; only the outermost block that disabled it re-enables it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class LRUCache(Generic[V]):
    """A bounded, thread-safe mapping that drops the least recently used entry when full.

    `get_or_compute` runs the computation outside the lock: two threads missing the same key at
    once may both compute it, and the later value wins (both are equal for a pure function of
    the key). The key must therefore name everything the value depends on.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        """Return the value of `key` (now the most recently used), or None."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Hashable, value: V) -> None:
        """Store `value` under `key`, dropping the least recently used entries beyond size."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get_or_compute(self, key: Hashable, compute: Callable[[], V]) -> V:
        """Return the cached value of `key`, computing and storing it on a miss (a computed
        None is not stored: it is computed again next time)."""
        value = self.get(key)
        if value is None:
            value = compute()
            self.put(key, value)
        return value

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._items.clear()
