"""Relation arcs (ui/arc_gutter.py) on the 1 MB / 10,000-span article with 2,000 relations, against
the same article without relations.

Run: QT_QPA_PLATFORM=offscreen python bench/arcs.py [--repeats N]

The view of bench/window.py (AnnotationTextView, its gutter of arcs included: each paint is a grab of
the whole view, text and gutter) shows the 1 MB article of bench/window.py with 10,000 spans, once
with 2,000 SAID_BY and WHEN relations (from a CLAIM to the next ACTOR or DATE, spread over the text) and
once with none; again with the text as one 1 MB paragraph. Interleaved, medians:

1. First paint: LayerModel.load, the events, one paint. A long document's first screen is drawn
   before its full span index is built (ui/highlighter.py); its arcs wait for that index too, so
   also shown: the time until a paint with every span and arc drawable (the index built in idle time).
2. Scrolling a page: three page downs from the middle of the text, each with its paint.
3. Adding one relation on screen: LayerModel.apply of one added relation (the gutter, the relation
   index and the marks over the text follow) and the paint; in the article without relations the
   same relation is the only one.

Target: each within 1.5x of the same without relations. Prints a table; never fails on time.
The machine may be shared: read the ratios.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication

from annotator.layer_model import LayerModel
from annotator.models import Changes, DocumentView, Relation, Span
from annotator.schema import Schema, load_schema
from bench.window import discard, fresh, make_article, one_paragraph, settle
from ui.arc_view import ViewArcs, attach_arcs
from ui.text_view import AnnotationTextView

SCHEMA = Path(__file__).resolve().parents[1] / "annotator" / "example" / "news.yaml"
RELATIONS = 2_000
PAGES = 3  # page downs per view and round
ARCS: dict[AnnotationTextView, ViewArcs] = {}


def relations_of(spans: list[Span], count: int) -> list[Relation]:
    """``count`` relations spread over the text: from each CLAIM, SAID_BY to the first ACTOR from its
    start on (mostly inside it) and WHEN to the first DATE; nested and crossing ones alike."""
    pairs = []
    for number, span in enumerate(spans):  # by start
        if span.label != "CLAIM":
            continue
        for label, tail in (("SAID_BY", "ACTOR"), ("WHEN", "DATE")):
            found = next((s for s in spans[number + 1 : number + 40] if s.label == tail), None)
            if found is not None:
                pairs.append((label, span.id, found.id))
    assert len(pairs) >= count, f"only {len(pairs)} pairs"
    step = len(pairs) / count
    chosen = sorted({pairs[int(i * step)] for i in range(count)})
    return [Relation(10**6 + i, label, head, tail) for i, (label, head, tail) in enumerate(chosen)]


def spare_pair(document: DocumentView, middle: int) -> Relation:
    """A CLAIM and an ACTOR after it near ``middle``, not yet related: the relation the bench adds."""
    taken = {(r.head, r.tail) for r in document.relations}
    spans = list(document.spans)
    for number, claim in enumerate(spans):
        if claim.label != "CLAIM" or claim.start < middle:
            continue
        for actor in spans[number + 1 : number + 40]:
            if actor.label == "ACTOR" and (claim.id, actor.id) not in taken:
                return Relation(10**8, "SAID_BY", claim.id, actor.id)
    raise AssertionError("no spare pair")


def open_view(app: QApplication, schema: Schema, document: DocumentView) -> tuple[AnnotationTextView, float, float]:
    """The view on ``document``: ms to its first paint, and to a paint with every span and arc drawn."""
    layer = LayerModel()
    view = fresh(app, lambda: AnnotationTextView(layer, schema))
    assert isinstance(view, AnnotationTextView)
    ARCS[view] = attach_arcs(view, layer, schema)  # as the window does (ui/main_window.py)
    started = time.perf_counter()
    layer.load(document)
    app.processEvents()
    view.grab()
    first = (time.perf_counter() - started) * 1000
    settle(app, view)
    view.grab()
    return view, first, (time.perf_counter() - started) * 1000


def to_middle(app: QApplication, view: AnnotationTextView) -> None:
    settle(app, view)
    middle = len(view.document_text) // 2
    view.select_range(middle, middle)
    view.centerCursor()
    app.processEvents()
    view.grab()


def page_down_ms(app: QApplication, view: AnnotationTextView) -> float:
    bar = view.verticalScrollBar()
    started = time.perf_counter()
    bar.setValue(bar.value() + bar.pageStep())
    app.processEvents()
    view.grab()
    return (time.perf_counter() - started) * 1000


def add_relation_ms(app: QApplication, view: AnnotationTextView, relation: Relation) -> float:
    layer, document_id = view.layer, view.layer.id
    started = time.perf_counter()
    layer.apply(Changes("relate", document_id=document_id, relations_added=(relation,)))
    app.processEvents()
    view.grab()
    elapsed = (time.perf_counter() - started) * 1000
    layer.apply(Changes("undo", document_id=document_id, relations_removed=(relation,)))
    app.processEvents()
    return elapsed


def measure(app: QApplication, schema: Schema, related: DocumentView, repeats: int) -> dict[str, list[float]]:
    plain = replace(related, relations=())
    times: dict[str, list[float]] = {}
    cases = [("arcs", related), ("none", plain)]
    for _ in range(repeats):  # interleaved, each first in turn: drift on a noisy machine hits both alike
        cases.reverse()
        for name, document in cases:
            gc.collect()
            view, first, complete = open_view(app, schema, document)
            times.setdefault(f"first {name}", []).append(first)
            times.setdefault(f"complete {name}", []).append(complete)
            to_middle(app, view)
            extra = spare_pair(related, len(document.text) // 2)
            view.select_range(view.layer.spans[extra.head].start, view.layer.spans[extra.head].start)
            view.centerCursor()
            app.processEvents()
            assert name == "none" or ARCS[view].gutter.arcs(), "no arcs on screen"
            times.setdefault(f"add {name}", []).append(add_relation_ms(app, view, extra))
            for _page in range(PAGES):
                times.setdefault(f"page {name}", []).append(page_down_ms(app, view))
            del ARCS[view]
            discard(view)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args, _unknown = parser.parse_known_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    schema = load_schema(SCHEMA)
    text, spans = make_article(1_000_000, 10_000)
    relations = tuple(relations_of(spans, RELATIONS))
    print(f"relation arcs, {len(spans):,} spans, {len(relations):,} relations, {args.repeats} rounds, medians")
    print("| what | annotator (2,000 relations) | baseline (none) | ratio | target |\n|---|---|---|---|---|")
    for name, body in (("1 MB article", text), ("1 MB paragraph", one_paragraph(text))):
        document = DocumentView(1, name, body, {}, "bench", "todo", tuple(spans), relations, ())
        times = measure(app, schema, document, args.repeats)
        for what, key in (
            ("first paint", "first"),
            ("every span and arc drawn", "complete"),
            ("page down", "page"),
            ("add one relation", "add"),
        ):
            ours, base = statistics.median(times[f"{key} arcs"]), statistics.median(times[f"{key} none"])
            print(f"| {what}, {name} | {ours:.1f} ms | {base:.1f} ms | {ours / base:.2f}x | <= 1.5x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
