"""One paint of the real window's text with another annotator's 10,000-span layer shown read-only,
against the same paint with no other layer shown, and a bare QPlainTextEdit's.

Run: QT_QPA_PLATFORM=offscreen python bench/layer_paint.py [--repeats N]

The window (ui/main_window.py) holds a 1 MB article with 10,000 spans in the own layer and a `model`
layer of 10,000 spans (the same extents, every fifth relabelled), scrolled to its middle, every
index built. The text view's viewport is repainted (synchronously) with `model` shown (hatched and
framed: ui/layer_paint.py), then with no other layer shown, each paint beside one of a bare read-only
QPlainTextEdit of the same size holding the same text at the same place. Again with the text as one 1 MB paragraph.
Also shown: showing the layer (Ctrl+Shift+L's work: the read of 10,000 spans and their index).

The paint with none shown is the own layer's (target <= 2x the bare paint, as bench/window.py): with
no other layer shown nothing is read or drawn. The paint with the layer shown is compared with it
(informative: a second layer of as many spans costs about as much again). Prints a table of
medians; never fails on time. The machine may be shared: read the ratios.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord, SpanRecord
from annotator.project import Project
from bench.real_window import Article, make_project
from bench.real_window_child import SIZE
from bench.window import make_article, one_paragraph

RELABEL = {"ACTOR": "DATE", "DATE": "ACTOR", "CLAIM": "CLAIM"}  # every fifth span of the model layer


def add_model_layer(root: Path, article: Article) -> None:
    spans = [
        SpanRecord(str(i), s.start, s.end, RELABEL[s.label] if i % 5 == 0 else s.label)
        for i, s in enumerate(article.spans)
    ]
    record = DocumentRecord("bench", 1, article.text, external_id=article.external_id, annotator="model", spans=spans)
    with Project.open(root) as project:
        import_records(project, [record])


def repaint_ms(app: QApplication, editor: QPlainTextEdit) -> float:
    app.processEvents()
    started = time.perf_counter()
    editor.viewport().repaint()
    return (time.perf_counter() - started) * 1000


def measure(app: QApplication, root: Path, text: str, repeats: int) -> dict[str, float]:
    from ui.app import build_window

    window = build_window(root, annotator="bench")
    window.resize(*SIZE)
    window.show()
    app.processEvents()
    window.view.highlighter.finish_now()
    window.view.select_range(len(text) // 2, len(text) // 2)
    bare = QPlainTextEdit()
    bare.setReadOnly(True)
    bare.resize(window.view.size())
    bare.setPlainText(text)
    bare.show()
    cursor = bare.textCursor()
    cursor.setPosition(len(text) // 2)
    bare.setTextCursor(cursor)
    bare.centerCursor()
    times: dict[str, list[float]] = {"none": [], "shown": [], "bare": [], "show": []}
    for _ in range(3):  # showing the layer: read it and index it
        window.show_other_layer(None)
        started = time.perf_counter()
        window.show_other_layer("model")
        window.view.read_only.highlighter.finish_now()
        times["show"].append((time.perf_counter() - started) * 1000)
    assert len(window.view.read_only.spans) == 10_000
    gc.collect()
    for _ in range(repeats):  # shown, then none: each paint beside a bare one
        times["shown"].append(repaint_ms(app, window.view))
        times["bare"].append(repaint_ms(app, bare))
    window.show_other_layer(None)
    gc.collect()
    for _ in range(repeats):
        times["none"].append(repaint_ms(app, window.view))
        times["bare"].append(repaint_ms(app, bare))
    window.show_other_layer(None)
    window.close()
    bare.close()
    return {name: statistics.median(values) for name, values in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    args, _unknown = parser.parse_known_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    text, spans = make_article(1_000_000, 10_000)
    results = {}
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(scratch))
        QCoreApplication.setApplicationName("annotator-bench-layers")
        for name, article in (("1 MB article", Article("long", text, spans)),
                              ("1 MB paragraph", Article("paragraph", one_paragraph(text), spans))):  # fmt: skip
            root = make_project(scratch / article.external_id, [article])
            add_model_layer(root, article)
            results[name] = measure(app, root, article.text, args.repeats)
    print(f"other layer shown read-only, real window offscreen, {args.repeats} rounds, medians")
    print("| what | annotator | baseline | ratio | target |\n|---|---|---|---|---|")
    for name, figures in results.items():
        bare, none, shown = figures["bare"], figures["none"], figures["shown"]
        print(f"| one paint, {name}, no other layer shown | {none:.1f} ms | {bare:.1f} ms (bare) | {none / bare:.2f}x "
              "| <= 2x (as bench/window.py) |")  # fmt: skip
        print(f"| one paint, {name}, 10,000-span other layer shown | {shown:.1f} ms | {none:.1f} ms (none shown) | "
              f"{shown / none:.2f}x | (informative; {shown / bare:.2f}x the bare paint) |")  # fmt: skip
        show = figures["show"]
        print(f"| show the 10,000-span layer (read + index), {name} | {show:.0f} ms | - | - | (informative) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
