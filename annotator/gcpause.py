"""Pausing Python's cyclic garbage collector around bulk work (import, export).

Bulk import and export allocate millions of short-lived tuples, dicts and rows. None of them
form cycles, so reference counting frees them; but every young object that survives a
collection is scanned again in older ones, and in CPython that was 25-35% of the time of an
import or export (bench/import_export.py). Pausing the collector changes nothing else: memory
is freed as before, and cycles made meanwhile are collected when the last pause ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_state = {"pauses": 0, "resume": False}


@contextmanager
def collector_paused() -> Iterator[None]:
    """The collector is off inside; nested and concurrent pauses are safe (counted)."""
    with _lock:
        if _state["pauses"] == 0:
            _state["resume"] = gc.isenabled()
            gc.disable()
        _state["pauses"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["pauses"] -= 1
            if _state["pauses"] == 0 and _state["resume"]:
                gc.enable()
