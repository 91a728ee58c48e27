"""Keeping Python's cyclic garbage collector out of the way: paused around bulk work (import,
export), and kept off the long-lived objects of the window's open document.

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


def freeze_survivors() -> None:
    """Keep every object alive now out of the collector's full scans, without a full collection.

    The window calls this when a document has opened: its spans, formats and Qt wrappers (a
    hundred thousand objects at 10,000 spans) live as long as it stays open, and every full
    collection would walk them all, a pause charged to whichever keystroke triggered it. Frozen,
    they are never scanned again, and are still freed by reference counting when the next
    document replaces them (they form no cycles; tests/ui/test_document_open.py checks that
    opening documents back and forth leaves nothing for a full collection to find).

    Only the young generations are collected first, which costs what was made since the last
    collection; a full ``gc.collect()`` here cost 50-60 ms on every open of a 1 MB document.
    """
    gc.collect(1)
    gc.freeze()


def collect_everything() -> None:
    """A full collection over everything, the frozen objects too, which are frozen again after.

    Frozen objects that later form cyclic garbage (a closed window with its widgets and its
    service, after File > Open switched projects) are reclaimed only here; it costs a full
    collection (50-60 ms with a 1 MB document open), so it runs where the user waits anyway.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
