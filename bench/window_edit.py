"""The whole edit path in the real window: select a word, press the label's key.

Measures the label key (AnnotateController.apply_label) end to end (service transaction
with fsync, event log, layer model, text view, span list, document list, status bar,
repaint) on a 1 MB article with 10,000 spans against the same on a 2 KB article, median
of several runs in one process. The ratio says whether an edit costs the same whatever
the document's length.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QSettings

from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord, SpanRecord
from annotator.project import Project
from bench.window import REPO, make_article
from ui.app import application, build_window


def make_project(root: Path, text: str, spans: list) -> Path:
    root.mkdir()
    shutil.copyfile(REPO / "annotator" / "example" / "news.yaml", root / "news.yaml")
    (root / "project.yaml").write_text("name: bench\nschema: news.yaml\n", encoding="utf-8")
    record = DocumentRecord(
        "bench",
        1,
        text,
        external_id="article",
        annotator="bench",
        spans=[SpanRecord(None, s.start, s.end, s.label) for s in spans],
    )
    with Project.open(root) as project:
        import_records(project, [record])
    return root


def edit_ms(root: Path, repeats: int) -> float:
    app = application()
    window = build_window(root, annotator="bench")
    window.resize(1400, 860)
    window.show()
    app.processEvents()
    # Steady state: the long article's span index is built in idle time after the first
    # paint (bench/window.py measures that); let it end so it is not timed as the edit.
    while not window.view.highlighter.is_complete:
        app.processEvents()
    text = window.doc.text
    free = [i for i in range(len(text) - 8) if text.startswith("ministry", i) and not window.view.spans_at(i)]
    at = free[0]
    window.view.select_range(at, at + 8)
    window.view.centerCursor()
    app.processEvents()
    times = []
    for _ in range(repeats):
        window.view.select_range(at, at + 8)
        started = time.perf_counter()
        window.annotate.apply_label("ACTOR")
        app.processEvents()
        window.grab()
        times.append((time.perf_counter() - started) * 1000)
        window.annotate.undo()
        app.processEvents()
    window.close()
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args, _unknown = parser.parse_known_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, scratch)
        big_text, big_spans = make_article(1_000_000, 10_000)
        small_text, small_spans = make_article(2_000, 20)
        big = make_project(Path(scratch) / "big", big_text, big_spans)
        small = make_project(Path(scratch) / "small", small_text, small_spans)
        big_ms = edit_ms(big, args.repeat)
        small_ms = edit_ms(small, args.repeat)
    print(
        f"select + label key in the window (transaction, fsync, all panels, repaint), median of {args.repeat}:\n"
        f"  1 MB article, 10,000 spans  {big_ms:7.2f} ms\n"
        f"  2 KB article,     20 spans  {small_ms:7.2f} ms\n"
        f"  ratio {big_ms / small_ms:.2f} (target <= 2: an edit costs the same whatever the document's length)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
