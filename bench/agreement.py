"""`annotator agreement` against `annotator export` (native JSONL) of the same layers, as processes.

The project: bench/corpus.py's documents (~2,000 characters, 10 spans each on average) in
three annotators' layers, all `done`: alice has the corpus's spans; bob and carol each have
them changed, seeded: about 10% dropped, 5% with the end moved one word on, 5% relabelled
(ACTOR <-> CLAIM, relations and attributes of those left out). 10,000 documents make
~300,000 spans. It is built once by importing the three files (not timed) and cached in
bench/out/agreement-project-N.

Timed, each a fresh process from spawn to exit (processes.py: wall, CPU seconds and peak
RSS of the process alone), alternating within each round:

  export      python main.py export PROJECT -o OUT.jsonl      (the baseline: the same layers, written out)
  agreement   python main.py agreement PROJECT --json          (spaCy tokens, 1,000 bootstrap replicates)
  whitespace  python main.py agreement PROJECT --json --tokenizer whitespace
  no-boot     python main.py agreement PROJECT --json --bootstrap 0
  disagreements  python main.py disagreements PROJECT --json   (every pair's list, JSON lines to a pipe)

Printed: medians of the rounds, each against the export's (target of issue 10: agreement
within 3x of the export); the CPU ratio is steadier on a busy machine. A benchmark, not a
test: nothing fails on a slow result; disagreements is also put against agreement (the
figure issue 10's browser is measured by); the sanity check reads the report (documents compared,
spans counted).

Usage: python bench/agreement.py [--docs 10000] [--repeat 3] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's annotator, not an installed one

from corpus import OUT, ROOT, ensure_corpus
from processes import Run, run_process

from annotator.importers import import_paths
from annotator.project import Project

PYTHON = sys.executable
MAIN = str(ROOT / "main.py")
ANNOTATORS = ("alice", "bob", "carol")
TARGET = 3.0
TASKS = {
    "export": lambda project, out: ["export", project, "-o", out],
    "agreement": lambda project, out: ["agreement", project, "--json"],
    "whitespace": lambda project, out: ["agreement", project, "--json", "--tokenizer", "whitespace"],
    "no-boot": lambda project, out: ["agreement", project, "--json", "--bootstrap", "0"],
    "disagreements": lambda project, out: ["disagreements", project, "--json"],
}


def changed(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The record with ~10% of spans dropped, ~5% moved by a word, ~5% relabelled (module doc)."""
    text = record["text"]
    starts = sorted(span["start"] for span in record["spans"])
    spans, gone = [], set()
    for original in record["spans"]:
        span = dict(original)
        draw = rng.random()
        if draw < 0.10:
            gone.add(span["id"])
            continue
        if draw < 0.15:
            following = min((s for s in starts if s >= span["end"]), default=len(text))
            rest = text[span["end"] : following]
            if rest.startswith(" ") and len(rest.split(" ")) > 2:  # a whole word before the next span
                span["end"] += 1 + len(rest.split(" ")[1])
                span["text"] = text[span["start"] : span["end"]]
        elif draw < 0.20 and span["label"] in ("ACTOR", "CLAIM"):
            span["label"] = "CLAIM" if span["label"] == "ACTOR" else "ACTOR"
            span.pop("attributes", None)
            if span["label"] == "ACTOR":
                span["attributes"] = {"kind": "other"}
            gone.add(span["id"])  # its relations no longer fit the schema's ends
        spans.append(span)
    relations = [r for r in record["relations"] if r["head"] not in gone and r["tail"] not in gone]
    return {**record, "spans": spans, "relations": relations}


def ensure_project(docs: int, seed: int) -> Path:
    folder = OUT / f"agreement-project-{docs}"
    if (folder / "annotator.db").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "annotator" / "example" / "news.yaml", folder / "news.yaml")
    (folder / "project.yaml").write_text("name: bench\nschema: news.yaml\ndatabase: annotator.db\nlanguage: en\n")
    rng = random.Random(seed)
    files = []
    for name in ANNOTATORS:
        path = OUT / f"agreement-{docs}-{name}.jsonl"
        with ensure_corpus(docs, seed).open("rb") as corpus, path.open("wb") as out:
            for line in corpus:
                record = orjson.loads(line)
                layer = record if name == "alice" else changed(record, rng)
                out.write(orjson.dumps({**layer, "annotator": name, "status": "done"}) + b"\n")
        files.append(path)
    log(f"importing {docs:,} documents x {len(ANNOTATORS)} layers (once)")
    with Project.open(folder) as project:
        report = import_paths(project, files)
    log(f"imported {report.spans_added:,} spans")
    for path in files:
        path.unlink()
    return folder


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=list(TASKS))
    args = parser.parse_args(argv)
    project = ensure_project(args.docs, args.seed)
    out = OUT / f"agreement-export-{args.docs}.jsonl"
    runs: dict[str, list[Run]] = {task: [] for task in args.tasks}
    for round_number in range(args.repeat):
        turn = round_number % len(args.tasks)
        for task in args.tasks[turn:] + args.tasks[:turn]:
            run = run_process([PYTHON, MAIN, *TASKS[task](str(project), str(out))])
            runs[task].append(run)
            log(
                f"round {round_number + 1}/{args.repeat}  {task:<10} {run.seconds:7.2f} s  "
                f"{run.peak_rss_kib / 1024:6.0f} MiB"
            )
    if "agreement" in runs:
        report = orjson.loads(runs["agreement"][-1].output)
        alice_bob, alice_carol = (
            report["pairs"][0]["spans"]["exact"]["all"],
            report["pairs"][1]["spans"]["exact"]["all"],
        )
        spans = alice_bob["first"] + alice_bob["second"] + alice_carol["second"]
        log(
            f"check: {report['documents']['compared']:,} documents compared, {spans:,} spans in the 3 layers, "
            f"Fleiss' kappa {report['all']['fleiss_kappa']['value']:.3f}"
        )
    if "disagreements" in runs:
        lines = runs["disagreements"][-1].output.decode().splitlines()
        log(f"check: {lines[-1]}")  # its count, on standard error (merged)
    out.unlink(missing_ok=True)
    print_table(args.docs, runs)
    return 0


def print_table(docs: int, runs: dict[str, list[Run]]) -> None:
    def median(task: str, what: str) -> float:
        return statistics.median(float(getattr(run, what)) for run in runs[task])

    print(f"\nAGREEMENT vs EXPORT, {docs:,} documents x {len(ANNOTATORS)} layers (medians; processes spawn to exit)")
    print(f"{'what':<13} | {'wall s':>7} | {'cpu s':>7} | {'peak MiB':>8} | {'x export':>8} | {'cpu x':>6} | target")
    for task in runs:
        wall, cpu, rss = median(task, "seconds"), median(task, "cpu_seconds"), median(task, "peak_rss_kib") / 1024
        if "export" in runs and task != "export":
            ratio = wall / median("export", "seconds")
            cpu_ratio = cpu / median("export", "cpu_seconds")
            target = f"{'met' if ratio <= TARGET else 'missed'} (<= {TARGET:g}x)" if task == "agreement" else ""
            print(
                f"{task:<13} | {wall:>7.2f} | {cpu:>7.2f} | {rss:>8.0f} | {ratio:>7.2f}x | {cpu_ratio:>5.2f}x | "
                f"{target}"
            )
        else:
            print(f"{task:<13} | {wall:>7.2f} | {cpu:>7.2f} | {rss:>8.0f} | {'':>8} | {'':>6} | baseline")
    if "disagreements" in runs and "agreement" in runs:
        ratios = [median("disagreements", what) / median("agreement", what) for what in ("seconds", "cpu_seconds")]
        memory = median("disagreements", "peak_rss_kib") / median("agreement", "peak_rss_kib")
        print(f"disagreements against agreement: wall {ratios[0]:.2f}x, cpu {ratios[1]:.2f}x, peak RSS {memory:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
