"""Render the window in review mode on the example project to a PNG.

`python -m ui.review_screenshot [OUT.png]` (default docs/review.png): a copy of the example
project gets two annotators' layers made from its reference, alice's a copy and bob's
perturbed (spans dropped, boundaries moved by a word, labels changed), both done; the window
opens as reviewer rita, turns review mode on, accepts the agreed candidates and goes to the
first undecided one. No database or setting of the user's is touched.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


from annotator.example_project import EXAMPLE, copy_example
from annotator.importers import import_paths
from annotator.project import Project

REPO = Path(__file__).resolve().parents[1]


def perturbed(record: dict[str, Any], annotator: str) -> dict[str, Any]:
    """The reference layer with every 6th ACTOR dropped, every 7th span's end moved one word right
    (when nothing else starts there), every 9th ACTOR relabelled DATE (attributes dropped)."""
    text = record["text"]
    spans = []
    used = {relation[end] for relation in record["relations"] for end in ("head", "tail")}
    for index, original in enumerate(record["spans"]):
        span = dict(original)
        if span["id"] in used:  # relations keep their ends
            spans.append(span)
            continue
        if span["label"] == "ACTOR" and index % 6 == 0:
            continue
        if index % 7 == 0:
            rest = text[span["end"] :].split(" ", 2)
            if len(rest) > 1 and rest[0] == "" and rest[1].isalpha():
                span["end"] += 1 + len(rest[1])
                span["text"] = text[span["start"] : span["end"]]
        elif span["label"] == "ACTOR" and index % 9 == 0:
            span["label"] = "DATE"
            span.pop("attributes", None)
        spans.append(span)
    return {**record, "spans": spans, "annotator": annotator, "status": "done"}


def example_with_layers(root: Path) -> Path:
    """A copy of the example project with alice's (the reference) and bob's (perturbed) layers, done."""
    project_dir = copy_example(root / "example")
    reference = json.loads((EXAMPLE / "reference.jsonl").read_text(encoding="utf-8").splitlines()[0])
    layers = root / "layers.jsonl"
    lines = [{**reference, "annotator": "alice", "status": "done"}, perturbed(reference, "bob")]
    layers.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    with Project.open(project_dir) as project:
        import_paths(project, [layers])
    return project_dir


def render(target: Path) -> Path:
    from ui.screenshot import example_window

    with example_window("rita", example_with_layers) as (app, window):
        window.review.set_active(True)
        window.review.accept_agreed()
        window.review.step(1)
        window.review.reject()
        window.review.step(1)
        for _ in range(5):
            app.processEvents()
        target.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(target))
    return target


if __name__ == "__main__":
    out = render(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "review.png")
    print(f"wrote {out}")
