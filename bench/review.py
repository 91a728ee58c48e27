"""Review mode's reads and its F7 edit, against opening the same document's layer, in one process.

A generated article (N words, a span on every 3rd word) in three finished layers: alice's
spans, bob's and carol's each changed, seeded (10% dropped, 5% with the end one word on, 5%
relabelled). Timed, alternating within each round, medians:

  document      service.document(doc): one layer read as the window opens a document (the baseline)
  board         service.review_board(doc): every layer, overlap groups, k of n, states (what the
                review panel reads after each edit)
  accept agreed service.accept_agreed(doc) then service.undo(): F7 and Ctrl+Z, two edits

No target of its own (the issue sets none): the figures say what a reviewer waits for per
key, as multiples of opening the document. A benchmark, not a test: nothing fails on a slow result.

Usage: python bench/review.py [--words 3000,30000] [--repeat 5] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's annotator, not an installed one

from annotator.importers import import_paths
from annotator.project import Project
from annotator.review import GOLD
from annotator.service import AnnotationService

SCHEMA = Path(__file__).resolve().parents[1] / "annotator" / "example" / "news.yaml"
WORDS = ["Kim", "Putin", "Moscow", "Seoul", "officials", "said", "talks", "Monday", "envoy", "visit", "ties", "Russia"]


def layers(words: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    tokens = [rng.choice(WORDS) for _ in range(words)]
    text = " ".join(tokens) + "\n"
    starts = [0]
    for token in tokens:
        starts.append(starts[-1] + len(token) + 1)
    base = [(starts[i], starts[i] + len(tokens[i]), "ACTOR") for i in range(0, words - 1, 3)]
    records = []
    for name in ("alice", "bob", "carol"):
        spans = []
        for start, end, label in base:
            roll = rng.random() if name != "alice" else 1.0
            if roll < 0.10:
                continue
            if roll < 0.15:
                end = text.index(" ", end + 1) if " " in text[end + 1 :] else end
            elif roll < 0.20:
                label = "DATE"
            spans.append({"start": start, "end": end, "label": label, "text": text[start:end]})
        for number, span in enumerate(spans):
            span["id"] = f"s{number}"
        records.append({"id": "long", "text": text, "annotator": name, "status": "done", "spans": spans})
    return records


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def run(words: int, repeat: int, seed: int, scratch: Path) -> None:
    root = scratch / f"project-{words}"
    root.mkdir()
    (root / "schema.yaml").write_bytes(SCHEMA.read_bytes())
    (root / "project.yaml").write_text("name: bench\nschema: schema.yaml\n", encoding="utf-8")
    source = scratch / f"layers-{words}.jsonl"
    records = layers(words, seed)
    source.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    with Project.open(root) as project:
        import_paths(project, [source])
    times: dict[str, list[float]] = {"document": [], "board": [], "accept agreed": []}
    with AnnotationService.open(root, "rita") as service:
        service.edit_layer(GOLD)
        doc = service.find_document("long")
        board = service.review_board(doc)
        for _ in range(repeat):
            began = time.perf_counter()
            service.document(doc, "alice")
            times["document"].append(time.perf_counter() - began)
            began = time.perf_counter()
            service.review_board(doc)
            times["board"].append(time.perf_counter() - began)
            began = time.perf_counter()
            service.accept_agreed(doc)
            service.undo()
            times["accept agreed"].append(time.perf_counter() - began)
    spans = sum(len(r["spans"]) for r in records)
    baseline = median_ms(times["document"])
    print(
        f"\n{words:,} words, 3 layers, {spans:,} spans, {len(board.candidates):,} candidates, "
        f"{len(board.agreed_undecided()):,} agreed"
    )
    print(f"{'what':<16}{'annotator':>12}{'baseline':>12}{'ratio':>8}  target")
    for what, samples in times.items():
        figure = median_ms(samples)
        print(f"{what:<16}{figure:>10.1f}ms{baseline:>10.1f}ms{figure / baseline:>7.2f}x  -")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", default="3000,30000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        for words in (int(w) for w in args.words.split(",")):
            run(words, args.repeat, args.seed, Path(scratch))


if __name__ == "__main__":
    main()
