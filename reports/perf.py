"""Performance helpers for the analysis and rendering code. Pure: never imports Flask.

`gc_paused()` holds off Python's cyclic garbage collector while a step creates a great many
small objects that it keeps (answer dicts read from the database, ORM rows, WeasyPrint's layout
boxes). Every 700 new container objects the collector would otherwise run, and as the heap grows
its full passes walk everything again: for a round of 25,000 answers that costs more than the
reading itself. Nothing is lost by collecting afterwards. Measured on the benchmarks
(docs/benchmarks.md): reading a large round ~0.4 s -> ~0.2 s, the board report's PDF ~0.7 s less.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


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
