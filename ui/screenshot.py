"""Render the window on the example project to a PNG, as a user would see it.

`make screenshot` writes docs/screenshot.png: the reference layer of the example article,
with a CLAIM that contains an ACTOR and a DATE, its SAID_BY relation drawn, and the side
panels filled. It works on a copy of the project, so no database or setting is touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QSettings

from annotator.example_project import copy_example
from ui.app import application, build_window

REPO = Path(__file__).resolve().parents[1]
SIZE = (1500, 900)
SHOWN_CLAIM = "Russia could be looking"  # nests an ACTOR; SAID_BY -> Koh Yu-hwan (an ACTOR, kind person)


def render(target: Path) -> Path:
    with tempfile.TemporaryDirectory() as scratch:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, scratch)
        app = application()
        QCoreApplication.setApplicationName("annotator-screenshot")
        window = build_window(copy_example(Path(scratch) / "example"), annotator="reference")
        window.resize(*SIZE)
        window.show()
        doc = window.doc
        assert doc is not None
        claim = next(s for s in doc.spans.values() if s.label == "CLAIM" and s.text.startswith(SHOWN_CLAIM))
        relation = next(r for r in doc.relations.values() if r.head == claim.id)
        window.annotate.select_span(relation.tail)  # its attribute form is shown filled in
        window.annotate.select_relation(relation.id)
        window.view.select_range(claim.start, claim.start)
        window.view.centerCursor()
        for _ in range(5):
            app.processEvents()
        target.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(target))
        window.close()
    return target


if __name__ == "__main__":
    out = render(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshot.png")
    print(f"wrote {out}")
