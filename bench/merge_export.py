"""`annotator export --merge` against the plain native export of the same layers, as processes.

The project is bench/agreement.py's: bench/corpus.py's documents in three annotators' layers,
all `done` (alice has the corpus's spans; bob and carol each a seeded variation), 10,000
documents making ~300,000 spans; built once and cached in bench/out/agreement-project-N.

Timed, each a fresh process from spawn to exit (processes.py: wall, CPU seconds, peak RSS),
alternating within each round:

  export     python main.py export PROJECT -o OUT.jsonl                    (baseline: every layer)
  majority   python main.py export PROJECT --merge majority -o OUT.jsonl   (one merged layer per document)
  union      python main.py export PROJECT --merge union -o OUT.jsonl
  layer      python main.py export PROJECT --layer alice -o OUT.jsonl      (one chosen layer per document)

Both read every layer of every document (one snapshot, iter_records); the merge writes a third
of the lines. Printed: medians, each against the export's. A benchmark, not a test: nothing
fails on a slow result; the sanity check counts the merged records.

Usage: python bench/merge_export.py [--docs 10000] [--repeat 3] [--seed 1]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's annotator, not an installed one

from agreement import ANNOTATORS, MAIN, PYTHON, ensure_project, log
from corpus import OUT
from processes import Run, run_process

TARGET = 1.5  # proposed: merging costs at most half an export more than writing the layers
TASKS = {
    "export": lambda project, out: ["export", project, "-o", out],
    "majority": lambda project, out: ["export", project, "--merge", "majority", "-o", out],
    "union": lambda project, out: ["export", project, "--merge", "union", "-o", out],
    "layer": lambda project, out: ["export", project, "--layer", "alice", "-o", out],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=list(TASKS))
    args = parser.parse_args(argv)
    project = ensure_project(args.docs, args.seed)
    out = OUT / f"merge-export-{args.docs}.jsonl"
    runs: dict[str, list[Run]] = {task: [] for task in args.tasks}
    for round_number in range(args.repeat):
        turn = round_number % len(args.tasks)
        for task in args.tasks[turn:] + args.tasks[:turn]:
            run = run_process([PYTHON, MAIN, *TASKS[task](str(project), str(out))])
            runs[task].append(run)
            lines = sum(1 for _ in out.open("rb"))
            log(
                f"round {round_number + 1}/{args.repeat}  {task:<9} {run.seconds:7.2f} s  "
                f"{run.peak_rss_kib / 1024:6.0f} MiB  {lines:,} lines"
            )
            if task != "export" and lines != args.docs:
                log(f"check failed: {task} wrote {lines:,} lines for {args.docs:,} documents")
    out.unlink(missing_ok=True)
    print_table(args.docs, runs)
    return 0


def print_table(docs: int, runs: dict[str, list[Run]]) -> None:
    def median(task: str, what: str) -> float:
        return statistics.median(float(getattr(run, what)) for run in runs[task])

    print(f"\nEXPORT --merge vs EXPORT, {docs:,} documents x {len(ANNOTATORS)} layers (medians; processes)")
    print(f"{'what':<9} | {'wall s':>7} | {'cpu s':>7} | {'peak MiB':>8} | {'x export':>8} | {'cpu x':>6} | target")
    for task in runs:
        wall, cpu, rss = median(task, "seconds"), median(task, "cpu_seconds"), median(task, "peak_rss_kib") / 1024
        if "export" in runs and task != "export":
            ratio = wall / median("export", "seconds")
            cpu_ratio = cpu / median("export", "cpu_seconds")
            target = f"{'met' if ratio <= TARGET else 'missed'} (<= {TARGET:g}x)" if task == "majority" else ""
            print(
                f"{task:<9} | {wall:>7.2f} | {cpu:>7.2f} | {rss:>8.0f} | {ratio:>7.2f}x | {cpu_ratio:>5.2f}x | {target}"
            )
        else:
            print(f"{task:<9} | {wall:>7.2f} | {cpu:>7.2f} | {rss:>8.0f} | {'':>8} | {'':>6} | baseline")


if __name__ == "__main__":
    sys.exit(main())
