"""`annotator import` and `annotator export` as processes against a raw sqlite3 + orjson script
as a process, same data, same run.

What a person waits for is the command: interpreter start, imports, opening the project, the
work, the commit. So every figure here is one fresh process timed from spawn to exit
(processes.py), with its CPU seconds and its peak RSS (os.wait4's rusage of that process alone):

  cli import         python main.py import PROJECT CORPUS, output piped (no progress bar)
  cli import, tty    the same on a pseudo-terminal: rich's progress bar is drawn as for a person
  raw import         python bench/raw_sqlite.py import DB CORPUS (the baseline, see raw_sqlite.py)
  cli export         python main.py export PROJECT -o OUT (native JSONL), piped
  cli export, tty    the same on a pseudo-terminal
  raw export         python bench/raw_sqlite.py export DB OUT SCHEMA

Modules are byte-compiled first and the processes may use __pycache__, as an installed
package does. Each import starts from an empty store made beforehand and not timed: a project folder whose
database Project.open has created (what `annotator init` leaves), and for the raw script a
database with the same DDL. The tasks of a phase alternate within each round (imports first;
the exports read what the last imports wrote); medians of the rounds are printed with ratios
and the targets of issue 9: import <= 1.6x (on a terminal too), export <= 1.3x, peak RSS of the
import and of the export flat (largest corpus within 20% of the smallest). A benchmark, not a
test: nothing fails on a slow result; the sanity checks compare outputs (both exports
byte-identical to the corpus).

Usage: python bench/import_export.py [--docs 10000 100000] [--repeat 3] [--seed 1]
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from corpus import OUT, ROOT, ensure_corpus, schema_stamp
from processes import Run, run_process
from raw_sqlite import DESCRIPTION, create_database

from annotator.project import Project

SIZES = (10_000, 100_000)
IMPORTS = ("cli-import", "cli-import-tty", "raw-import")
EXPORTS = ("cli-export", "cli-export-tty", "raw-export")
TARGETS = {"import": 1.6, "export": 1.3, "memory": 1.2}
PYTHON = sys.executable
MAIN = str(ROOT / "main.py")
RAW = str(Path(__file__).resolve().with_name("raw_sqlite.py"))


def reset_project(folder: Path) -> None:
    """A new project folder with its empty, migrated database (not timed)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "annotator" / "example" / "news.yaml", folder / "news.yaml")
    (folder / "project.yaml").write_text("name: bench\nschema: news.yaml\ndatabase: annotator.db\nlanguage: en\n")
    Project.open(folder).close()


@dataclass(frozen=True)
class Places:
    corpus: Path
    projects: dict[str, Path]  # import task -> its project folder
    raw_db: Path
    outputs: dict[str, Path]  # export task -> its output file


def places(docs: int, corpus: Path) -> Places:
    return Places(
        corpus,
        {"cli-import": OUT / f"project-{docs}", "cli-import-tty": OUT / f"project-{docs}-tty"},
        OUT / f"raw-{docs}" / "raw.db",
        {task: OUT / f"export-{task}-{docs}.jsonl" for task in EXPORTS},
    )


def prepare(task: str, where: Places) -> None:
    if task == "raw-import":
        where.raw_db.parent.mkdir(parents=True, exist_ok=True)
        create_database(where.raw_db)
    elif task in where.projects:
        reset_project(where.projects[task])


def command(task: str, where: Places) -> list[str]:
    if task in ("cli-import", "cli-import-tty"):
        return [PYTHON, MAIN, "import", str(where.projects[task]), str(where.corpus)]
    if task == "raw-import":
        return [PYTHON, RAW, "import", str(where.raw_db), str(where.corpus)]
    if task in ("cli-export", "cli-export-tty"):
        return [PYTHON, MAIN, "export", str(where.projects["cli-import"]), "-o", str(where.outputs[task])]
    return [PYTHON, RAW, "export", str(where.raw_db), str(where.outputs[task]), orjson.dumps(schema_stamp()).decode()]


@dataclass
class Size:
    docs: int
    where: Places
    runs: dict[str, list[Run]] = field(default_factory=lambda: {task: [] for task in IMPORTS + EXPORTS})
    checks: list[str] = field(default_factory=list)

    def median(self, task: str, what: str = "seconds") -> float:
        return statistics.median(float(getattr(run, what)) for run in self.runs[task])

    def spread(self, task: str) -> str:
        values = [run.seconds for run in self.runs[task]]
        return f"{min(values):.2f}-{max(values):.2f}"


def measure(docs: int, repeat: int, seed: int) -> Size:
    size = Size(docs, places(docs, ensure_corpus(docs, seed)))
    for phase in (IMPORTS, EXPORTS):
        for round_number in range(1, repeat + 1):
            for task in phase:
                prepare(task, size.where)
                run = run_process(command(task, size.where), terminal=task.endswith("-tty"))
                size.runs[task].append(run)
                log(f"{docs:>7} docs  round {round_number}/{repeat}  {task:<15} {run.seconds:7.2f} s")
    check_outputs(size)
    return size


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def check_outputs(size: Size) -> None:
    """Both exports give back the corpus byte for byte; the terminal runs drew a progress bar."""
    for task, path in size.where.outputs.items():
        identical = files_equal(path, size.where.corpus)
        size.checks.append(f"{size.docs} docs: {task} output byte-identical to the corpus: {identical}")
    for task in ("cli-import-tty", "cli-export-tty"):
        drawn = b"\x1b[" in size.runs[task][-1].output
        size.checks.append(f"{size.docs} docs: {task} drew on its terminal (escape sequences seen): {drawn}")
    _drop_copies(size.where)


def _drop_copies(where: Places) -> None:
    """The terminal run's project and the extra outputs (~1 GB at 100k) are not kept."""
    shutil.rmtree(where.projects["cli-import-tty"], ignore_errors=True)
    where.outputs["cli-export-tty"].unlink(missing_ok=True)


def files_equal(a: Path, b: Path, block: int = 1 << 20) -> bool:
    if not a.exists() or a.stat().st_size != b.stat().st_size:
        return False
    with a.open("rb") as left, b.open("rb") as right:
        while True:
            x, y = left.read(block), right.read(block)
            if x != y:
                return False
            if not x:
                return True


def verdict(ratio: float, target: float) -> str:
    return f"{'met' if ratio <= target else 'MISSED'} (<= {target}x)"


def time_table(sizes: list[Size], kind: str) -> list[str]:
    ours, ours_tty, raw = (f"cli-{kind}", f"cli-{kind}-tty", f"raw-{kind}")
    rows = [
        f"{kind.upper()} AS A PROCESS  (median of rounds, wall seconds spawn to exit; cpu = ratio of CPU seconds, "
        "steadier on a busy machine)",
        f"{'docs':>8} | {'cli s':>6} {'range':>11} | {'cli tty s':>9} | {'raw s':>6} {'range':>11} | "
        f"{'ratio':>6} {'cpu':>6} {'tty':>6}  {'target':<17}",
    ]
    for size in sizes:
        base = size.median(raw)
        cpu = size.median(ours, "cpu_seconds") / size.median(raw, "cpu_seconds")
        worst = max(size.median(ours), size.median(ours_tty)) / base
        rows.append(
            f"{size.docs:>8,} | {size.median(ours):>6.2f} {size.spread(ours):>11} | {size.median(ours_tty):>9.2f} | "
            f"{base:>6.2f} {size.spread(raw):>11} | {size.median(ours) / base:>5.2f}x {cpu:>5.2f}x "
            f"{size.median(ours_tty) / base:>5.2f}x  {verdict(worst, TARGETS[kind]):<17}"
        )
    return rows


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f}"


def memory_table(sizes: list[Size]) -> list[str]:
    tasks = ("cli-import", "cli-import-tty", "raw-import", "cli-export", "raw-export")
    rows = [
        "PEAK RSS OF EACH PROCESS  (MiB, median of rounds)",
        f"{'docs':>8} | " + " ".join(f"{task:>14}" for task in tasks),
    ]
    for size in sizes:
        rows.append(f"{size.docs:>8,} | " + " ".join(f"{mib(size.median(t, 'peak_rss_kib')):>14}" for t in tasks))
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        for task in ("cli-import", "cli-export", "raw-import"):
            growth = large.median(task, "peak_rss_kib") / small.median(task, "peak_rss_kib")
            rows.append(
                f"{task} peak RSS at {large.docs:,} / at {small.docs:,} docs: {growth:.2f}x "
                + (verdict(growth, TARGETS["memory"]) if task.startswith("cli") else "(baseline, for reference)")
            )
    return rows


def report(sizes: list[Size], repeat: int, elapsed: float) -> str:
    corpus = ", ".join(f"{s.where.corpus.name} ({s.where.corpus.stat().st_size / 1e6:.0f} MB)" for s in sizes)
    lines = [
        "",
        f"annotator import/export as processes vs the raw baseline as a process, {repeat} round(s); corpora: {corpus}",
        DESCRIPTION,
        "cli import = python main.py import (validates every span, attribute and relation against the schema and "
        "text, one transaction, an event row); cli export = python main.py export -o (temp file + fsync + rename)",
        "",
        *time_table(sizes, "import"),
        "",
        *time_table(sizes, "export"),
        "",
        *memory_table(sizes),
        "",
        "SANITY",
        *(check for size in sizes for check in size.checks),
        "",
        f"whole run: {elapsed / 60:.1f} min",
    ]
    return "\n".join(lines)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=list(SIZES), help="corpus sizes (default 10000 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per size (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    started = time.perf_counter()
    for folder in (ROOT / "annotator", ROOT / "bench"):  # what pip's install does: no compiling in the timings
        compileall.compile_dir(folder, quiet=1)
    sizes = [measure(docs, args.repeat, args.seed) for docs in sorted(args.docs)]
    print(report(sizes, args.repeat, time.perf_counter() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
