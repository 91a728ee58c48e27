"""Render the window with relation arcs on the example article to PNGs for the README.

`python -m ui.arc_screenshot` writes docs/arcs.png (the reference layer's relations as arcs,
a SAID_BY selected: its arc stands out, the others are dimmed), docs/arcs-dense.png (the text
view alone on the article's densest passage, at a narrow width, where arcs nest and cross)
and docs/label-tags.png (the same passage with label tags on). It works on a copy of the
example project, so no database or setting is touched.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ui.screenshot import REPO, SHOWN_CLAIM, example_window


def render(target: Path, dense_target: Path, tags_target: Path) -> tuple[Path, Path, Path]:
    with example_window("reference") as (app, window):
        doc = window.doc
        assert doc is not None
        claim = next(s for s in doc.spans.values() if s.label == "CLAIM" and s.text.startswith(SHOWN_CLAIM))
        relation = next(r for r in doc.relations.values() if r.head == claim.id)
        window.view.select_range(0, 0)
        window.arc_options.arc_clicked(relation.id)
        for _ in range(5):
            app.processEvents()
        target.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(target))
        # The densest stretch: the screen's worth of text with the most relations.
        starts = sorted(min(doc.spans[r.head].start, doc.spans[r.tail].start) for r in doc.relations.values())
        window.annotate.clear_selection()
        window.resize(1100, 700)
        for _ in range(3):
            app.processEvents()
        window.view.select_range(starts[len(starts) // 2], starts[len(starts) // 2])
        window.view.centerCursor()
        for _ in range(5):
            app.processEvents()
        window.view.grab().save(str(dense_target))
        window.arc_options.show_tags(True)
        for _ in range(3):
            app.processEvents()
        window.view.grab().save(str(tags_target))
    return target, dense_target, tags_target


if __name__ == "__main__":
    docs = REPO / "docs"
    written = render(docs / "arcs.png", docs / "arcs-dense.png", docs / "label-tags.png")
    print("wrote", *written)
