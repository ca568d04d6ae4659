"""Fewer garbage-collector passes while a bulk job allocates millions of short-lived objects.

CPython's cycle collector runs a young-generation pass after every 700 net allocations of
container objects, and each pass also walks whatever a bulk job keeps alive at that moment (a
roster import holds a 5,000-row batch of parsed rows and dicts). Measured on the roster import
(30,000 rows into a table of 30,000, thread CPU read by ``gc.callbacks``): 10–16 µs a row of
61–70 went to the collector; with the first threshold at 50,000 it took 1.4–2.9 µs
(docs/workforce.md, "Where the importing process's CPU goes").

Nothing is switched off: objects are still freed by reference counting the moment they are
dropped, and reference cycles are still collected, only in fewer, larger passes. The thresholds
are process-wide, so the context is re-entrant across threads: the first job in sets them, the
last one out puts back what was there before.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BULK_THRESHOLDS = (50_000, 50, 1_000)

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def fewer_collections(thresholds: tuple[int, int, int] = BULK_THRESHOLDS) -> Iterator[None]:
    """Run the block with the collector's thresholds raised to ``thresholds`` (restored after)."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(*thresholds)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
