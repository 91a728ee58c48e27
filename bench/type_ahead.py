"""The document list's type-ahead: a 100,000-document project against a 10-document one.

    python bench/type_ahead.py [--rounds 15] [--big 100000]

Typing in the document list jumps to the next document whose name starts with what was typed
(ui/document_list.py: Qt's type-ahead rule, answered by annotator/type_ahead.py). What a person
waits for per key is the list finding the row: DocumentPages.find, the query and the row's
position, timed for a few kinds of keystroke on the projects of bench/big_projects.py (made
once by `annotator import`, cached in bench/out/), the two sides alternating round by round in
one process; medians. Target: <= 2x the 10-document project.

"before" is what Qt's own type-ahead did, once per kind at each size: QAbstractItemModel.match
over the list model's rows (every row read, a page at a time) from the same start row.

Then the whole window (ui/app.py's build_window on each project, offscreen), driven by keys:
the list focused on the start row's document, the text typed key by key (QTest.keyClicks,
within Qt's keyboard input interval), until the window has handled the last key; each key
that lands on another document opens it, as for a person. Same target.
Prints tables; never fails on a slow result.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotator.document_pages import DocumentPages
from annotator.service import AnnotationService
from bench.big_projects import ANNOTATOR, ensure_project

SMALL = 10
# What was typed, and the row the list was on (from the number of documents).
KINDS: dict[str, tuple[str, Callable[[int], int]]] = {
    "typing on (next row)": ("bench-00000", lambda count: 0),
    "a name down the list": ("bench-000009", lambda count: 0),
    "the last name": (f"bench-{100_000:06d}", lambda count: 0),
    "no such name": ("zebra", lambda count: count // 2),
    "round to the top": ("bench-0", lambda count: count - 1),
}


def find_ms(service: AnnotationService, text: str, start: int) -> float:
    """One key's search, as the list makes it (the start row's page already held)."""
    pages = DocumentPages(service)
    pages.at(start)
    gc.collect()  # not a collection of what the setup left behind, inside the figure
    began = time.perf_counter()
    pages.find(text, start)
    return (time.perf_counter() - began) * 1000


def before_ms(service: AnnotationService, text: str, start: int) -> float:
    """Qt's type-ahead before: match() over the list model from the start row, wrapping round."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from ui.document_list import DocumentListModel

    QApplication.instance() or QApplication([])
    model = DocumentListModel()
    model.show_documents(service)
    flags = Qt.MatchFlag.MatchStartsWith | Qt.MatchFlag.MatchWrap
    began = time.perf_counter()
    model.match(model.index(start, 1), Qt.ItemDataRole.DisplayRole, text, 1, flags)
    return (time.perf_counter() - began) * 1000


def window_samples(sizes: tuple[int, ...], rounds: int) -> dict[tuple[str, int], list[float]]:
    """Per kind and size, the ms from the first key typed in the list to the last one handled."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from ui.app import build_window

    windows = {docs: build_window(ensure_project(docs), ANNOTATOR) for docs in sizes}
    for window in windows.values():
        window.show()
    samples: dict[tuple[str, int], list[float]] = {(kind, docs): [] for kind in KINDS for docs in sizes}
    for _round in range(rounds + 1):  # the first round warms up and is dropped
        for docs, window in windows.items():
            listed = window.document_list
            for kind, (text, start) in KINDS.items():
                start_id = listed.model.document_id(start(listed.model.rowCount()))
                assert start_id is not None
                window.navigation.open_document(start_id)
                listed.view.setFocus()
                QTest.qWait(QApplication.keyboardInputInterval() + 50)  # a new search
                began = time.perf_counter()
                QTest.keyClicks(listed.view, text)
                QApplication.processEvents()
                samples[kind, docs].append((time.perf_counter() - began) * 1000)
    for window in windows.values():
        window.close()
    return {key: values[1:] for key, values in samples.items()}


def print_table(title: str, samples: dict[tuple[str, int], list[float]], sizes: tuple[int, ...]) -> None:
    small, big = sizes
    print(title)
    print(f"{'keystroke':24} {f'{small:,} docs':>9} {f'{big:,} docs':>12} {'ratio':>6} {'target':>7}")
    for kind in KINDS:
        small_ms, big_ms = statistics.median(samples[kind, small]), statistics.median(samples[kind, big])
        print(f"{kind:24} {small_ms:9.2f} {big_ms:12.2f} {big_ms / small_ms:6.2f} {'<= 2':>7}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--big", type=int, default=100_000)
    args, _unknown = parser.parse_known_args(argv)
    sizes = (SMALL, args.big)
    services = {docs: AnnotationService.open(ensure_project(docs), ANNOTATOR) for docs in sizes}
    counts = {docs: DocumentPages(service).count for docs, service in services.items()}
    samples: dict[tuple[str, int], list[float]] = {(kind, docs): [] for kind in KINDS for docs in sizes}
    for _round in range(args.rounds + 1):  # the first round warms the caches up and is dropped
        for docs, service in services.items():
            for kind, (text, start) in KINDS.items():
                samples[kind, docs].append(find_ms(service, text, start(counts[docs])))
    before = {
        (kind, docs): before_ms(service, text, start(counts[docs]))
        for docs, service in services.items()
        for kind, (text, start) in KINDS.items()
    }
    small, big = sizes
    print(f"type-ahead in the document list: median ms of {args.rounds} rounds (bench/type_ahead.py)")
    print(
        f"{'keystroke':24} {f'{small:,} docs':>9} {f'{big:,} docs':>12} {'ratio':>6} {'target':>7}"
        f" {'before, 10':>11} {f'before, {big:,}':>16} {'x faster':>9}"
    )
    for kind in KINDS:
        small_ms = statistics.median(samples[kind, small][1:])
        big_ms = statistics.median(samples[kind, big][1:])
        print(
            f"{kind:24} {small_ms:9.2f} {big_ms:12.2f} {big_ms / small_ms:6.2f} {'<= 2':>7}"
            f" {before[kind, small]:11.2f} {before[kind, big]:16.1f} {before[kind, big] / big_ms:9.0f}"
        )
    for service in services.values():
        service.close()
    window = window_samples(sizes, max(args.rounds // 3, 3))
    print_table(
        f"\nthe window, typed into the list until handled: median ms of {max(args.rounds // 3, 3)} rounds",
        window,
        sizes,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
