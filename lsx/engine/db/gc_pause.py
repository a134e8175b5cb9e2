"""Pause the cyclic garbage collector around bulk loops.

A bulk import allocates millions of tuples, dicts and strings that reference counting alone frees;
the cyclic collector still runs every few hundred allocations and rescans what survives, which was
a quarter of an import's CPU time. The loops make no reference cycles, so pausing the collector
for them loses nothing, and it runs as usual afterwards. Pauses nest and may overlap across
threads: the collector resumes when the last one ends, and only if it was enabled before.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
