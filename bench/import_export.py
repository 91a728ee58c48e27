"""Import and export rates of annotator against a raw sqlite3 + orjson baseline, same data, same run.

For each corpus size (10,000 and 100,000 documents of ~2,000 characters, 10 spans each on
average; see corpus.py) and each of --repeat rounds, six fresh subprocesses run:

  annotator import   Project.open() of a new project folder (reported apart), then the timed
                     annotator.importers.import_paths(project, [corpus])
  raw import         the baseline (raw_sqlite.py) into a new database with the same DDL, with
                     Python's cyclic garbage collector paused (the usual trick of a bulk script)
  raw import, GC on  the same script with the collector left on, for reference
  annotator export   Project.open() (reported apart), then the timed export_jsonl(project, out)
  raw export         the baseline export from its database, collector paused
  raw export, GC on  the same, collector on

Each export process reports its RSS right before the export and its peak RSS (ru_maxrss) after
it. Medians of the rounds are printed, with ratios against the baseline and the targets
(export <= 1.5x, import <= 2x, export peak RSS at 100k within 20% of 10k). A benchmark, not a
test: nothing here fails on a slow result; the sanity checks only compare outputs.

Usage: python bench/import_export.py [--docs 10000 100000] [--repeat 3] [--seed 1]
"""

from __future__ import annotations

import argparse
import gc
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import orjson
from corpus import OUT, ROOT, ensure_corpus, schema_stamp
from raw_sqlite import DESCRIPTION, create_database, raw_export, raw_import

from annotator.exporters import export_jsonl
from annotator.importers import import_paths
from annotator.project import Project

SIZES = (10_000, 100_000)
TASKS = ("annotator-import", "raw-import", "raw-import-gc", "annotator-export", "raw-export", "raw-export-gc")
TARGETS = {"import": 2.0, "export": 1.5, "memory": 1.2}


# -- child processes: one measurement each, a JSON line on stdout ---------------------------


def current_rss_kb() -> int:
    """Resident set size now (Linux /proc), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return peak_rss_kb()


def peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def reset_project(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "annotator" / "example" / "news.yaml", folder / "news.yaml")
    (folder / "project.yaml").write_text("name: bench\nschema: news.yaml\ndatabase: annotator.db\nlanguage: en\n")


@contextmanager
def timed(result: dict[str, Any], key: str) -> Iterator[None]:
    """Store the block's wall time under key and its CPU time (user + system) under key_cpu."""
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    result[key] = time.perf_counter() - wall
    result[f"{key}_cpu"] = time.process_time() - cpu


def annotator_import(corpus: Path, work: Path) -> dict[str, Any]:
    reset_project(work)
    result: dict[str, Any] = {}
    with timed(result, "setup_s"):
        project = Project.open(work)
    with timed(result, "seconds"):
        report = import_paths(project, [corpus])
    project.close()
    return {**result, "documents": report.documents_added, "spans": report.spans_added, "peak_rss_kb": peak_rss_kb()}


@contextmanager
def collector(enabled: bool) -> Iterator[None]:
    """Python's cyclic garbage collector on or paused for the block (reference counting goes on)."""
    was = gc.isenabled()
    _set_collector(enabled)
    try:
        yield
    finally:
        _set_collector(was)


def _set_collector(enabled: bool) -> None:
    if enabled:
        gc.enable()
    else:
        gc.disable()


def raw_import_task(corpus: Path, work: Path, *, collect: bool = False) -> dict[str, Any]:
    work.parent.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {}
    with timed(result, "setup_s"):
        create_database(work)
    with timed(result, "seconds"), collector(collect):
        documents = raw_import(work, corpus)
    return {**result, "documents": documents, "peak_rss_kb": peak_rss_kb()}


def annotator_export(work: Path, target: Path) -> dict[str, Any]:
    result: dict[str, Any] = {}
    with timed(result, "setup_s"):
        project = Project.open(work)
    before = current_rss_kb()
    with timed(result, "seconds"):
        report = export_jsonl(project, target)
    peak = peak_rss_kb()
    project.close()
    return {**result, "lines": report.lines, "spans": report.spans, "rss_before_kb": before, "peak_rss_kb": peak}


def raw_export_task(work: Path, target: Path, *, collect: bool = False) -> dict[str, Any]:
    result: dict[str, Any] = {}
    with timed(result, "setup_s"):
        schema = schema_stamp()  # annotator has it from Project.open, also outside the timing
    before = current_rss_kb()
    with timed(result, "seconds"), collector(collect):
        lines, spans = raw_export(work, target, schema)
    return {**result, "lines": lines, "spans": spans, "rss_before_kb": before, "peak_rss_kb": peak_rss_kb()}


CHILDREN: dict[str, Callable[[Path, Path], dict[str, Any]]] = {
    "annotator-import": annotator_import,
    "raw-import": raw_import_task,
    "raw-import-gc": partial(raw_import_task, collect=True),
    "annotator-export": annotator_export,
    "raw-export": raw_export_task,
    "raw-export-gc": partial(raw_export_task, collect=True),
}


def run_child(task: str, source: Path, target: Path) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__)), "--child", task, str(source), str(target)]
    completed = subprocess.run(command, capture_output=True, check=False)
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr.decode(errors="replace"))
        raise SystemExit(f"{task} failed (exit {completed.returncode})")
    return orjson.loads(completed.stdout.splitlines()[-1])


# -- the parent: rounds, sanity checks, the table --------------------------------------------


@dataclass
class Size:
    docs: int
    corpus: Path
    corpus_s: float
    spans: int = 0
    runs: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {task: [] for task in TASKS})
    checks: list[str] = field(default_factory=list)

    def median(self, task: str, key: str) -> float:
        return statistics.median(run[key] for run in self.runs[task])

    def spread(self, task: str, key: str = "seconds") -> str:
        values = [run[key] for run in self.runs[task]]
        return f"{min(values):.2f}-{max(values):.2f}"


def paths(docs: int) -> dict[str, Path]:
    return {
        "project": OUT / f"project-{docs}",
        "raw_db": OUT / f"raw-{docs}" / "raw.db",
        "raw_gc_db": OUT / f"raw-{docs}" / "raw-gc.db",
        "annotator_out": OUT / f"export-annotator-{docs}.jsonl",
        "raw_out": OUT / f"export-raw-{docs}.jsonl",
        "raw_gc_out": OUT / f"export-raw-gc-{docs}.jsonl",
    }


def measure(docs: int, repeat: int, seed: int) -> Size:
    started = time.perf_counter()
    corpus = ensure_corpus(docs, seed)
    size = Size(docs, corpus, time.perf_counter() - started)
    where = paths(docs)
    plan = [
        ("annotator-import", corpus, where["project"]),
        ("raw-import", corpus, where["raw_db"]),
        ("raw-import-gc", corpus, where["raw_gc_db"]),
        ("annotator-export", where["project"], where["annotator_out"]),
        ("raw-export", where["raw_db"], where["raw_out"]),
        ("raw-export-gc", where["raw_db"], where["raw_gc_out"]),
    ]
    for phase in (plan[:3], plan[3:]):  # imports first: the exports read what the last import wrote
        for round_number in range(1, repeat + 1):
            for task, source, target in phase:
                result = run_child(task, source, target)
                size.runs[task].append(result)
                log(f"{docs:>7} docs  round {round_number}/{repeat}  {task:<17} {result['seconds']:7.2f} s")
    size.spans = size.runs["annotator-import"][-1]["spans"]
    drop_reference_outputs(where)
    return size


def drop_reference_outputs(where: dict[str, Path]) -> None:
    """The GC-on runs are only timed: their database and export (~1 GB at 100k) are not kept."""
    for path in (where["raw_gc_out"], *(Path(f"{where['raw_gc_db']}{suffix}") for suffix in ("", "-wal", "-shm"))):
        path.unlink(missing_ok=True)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def check_outputs(size: Size, thorough: bool) -> None:
    """Sanity: both exports agree in lines and spans; annotator's export gives back the corpus."""
    ours, raw = size.runs["annotator-export"][-1], size.runs["raw-export"][-1]
    same = (ours["lines"], ours["spans"]) == (raw["lines"], raw["spans"]) == (size.docs, size.spans)
    size.checks.append(
        f"{size.docs} docs: lines/spans annotator {ours['lines']}/{ours['spans']}, raw {raw['lines']}/{raw['spans']}, "
        f"corpus {size.docs}/{size.spans}: {'same' if same else 'DIFFERENT'}"
    )
    where = paths(size.docs)
    for name in ("annotator_out", "raw_out"):
        identical = files_equal(where[name], size.corpus)
        size.checks.append(f"{size.docs} docs: {where[name].name} byte-identical to the corpus: {identical}")
    if thorough:
        mismatch = first_mismatch(where["annotator_out"], size.corpus)
        verdict = "equal record for record" if mismatch is None else f"DIFFERS at line {mismatch}"
        size.checks.append(f"{size.docs} docs: annotator export re-parsed vs corpus (without 'schema'): {verdict}")


def files_equal(a: Path, b: Path, block: int = 1 << 20) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    with a.open("rb") as left, b.open("rb") as right:
        while True:
            x, y = left.read(block), right.read(block)
            if x != y:
                return False
            if not x:
                return True


def records(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                record = orjson.loads(line)
                record.pop("schema", None)
                yield record


def first_mismatch(exported: Path, corpus: Path) -> int | None:
    """The first line where the records differ (or one file ends early), None if none."""
    missing = object()
    ours, theirs = records(exported), records(corpus)
    number = 0
    while True:
        number += 1
        a, b = next(ours, missing), next(theirs, missing)
        if a is missing and b is missing:
            return None
        if a != b:
            return number


def rate(docs: int, seconds: float) -> str:
    return f"{docs / seconds:,.0f}" if seconds else "-"


def verdict(ratio: float, target: float) -> str:
    return f"{'met' if ratio <= target else 'MISSED'} (<= {target}x)"


def throughput_table(sizes: list[Size], kind: str) -> list[str]:
    ours_task, raw_task, raw_gc_task = f"annotator-{kind}", f"raw-{kind}", f"raw-{kind}-gc"
    rows = [
        f"{kind.upper()}  (median of rounds, wall clock; setup = Project.open / CREATE TABLEs, not timed; "
        "cpu = ratio of CPU seconds, steadier on a busy machine)",
        f"{'docs':>8} {'spans':>10} | {'annotator s':>11} {'docs/s':>8} {'range':>12} {'setup s':>7} | "
        f"{'raw s':>6} {'docs/s':>8} {'range':>12} | {'ratio':>6} {'cpu':>6}  {'target':<17} | "
        f"{'raw GC on s':>11} {'ratio':>6}",
    ]
    for size in sizes:
        ours, raw = size.median(ours_task, "seconds"), size.median(raw_task, "seconds")
        raw_gc = size.median(raw_gc_task, "seconds")
        cpu = size.median(ours_task, "seconds_cpu") / size.median(raw_task, "seconds_cpu")
        rows.append(
            f"{size.docs:>8,} {size.spans:>10,} | {ours:>11.2f} {rate(size.docs, ours):>8} "
            f"{size.spread(ours_task):>12} {size.median(ours_task, 'setup_s'):>7.2f} | "
            f"{raw:>6.2f} {rate(size.docs, raw):>8} {size.spread(raw_task):>12} | {ours / raw:>5.2f}x {cpu:>5.2f}x  "
            f"{verdict(ours / raw, TARGETS[kind]):<17} | {raw_gc:>11.2f} {ours / raw_gc:>5.2f}x"
        )
    return rows


def grown_kb(size: Size, task: str) -> float:
    """Median of peak RSS minus the RSS right before the export started."""
    return statistics.median(run["peak_rss_kb"] - run["rss_before_kb"] for run in size.runs[task])


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f}"


def memory_table(sizes: list[Size]) -> list[str]:
    rows = [
        "EXPORT PEAK MEMORY  (RSS of the export process, MiB, median; 'grown' = peak minus RSS just before export)",
        f"{'docs':>8} | {'annotator peak':>14} {'grown':>7} | {'raw peak':>9} {'grown':>7} | {'import peak':>11}",
    ]
    for size in sizes:
        ours = mib(size.median("annotator-export", "peak_rss_kb")), mib(grown_kb(size, "annotator-export"))
        raw = mib(size.median("raw-export", "peak_rss_kb")), mib(grown_kb(size, "raw-export"))
        imported = mib(size.median("annotator-import", "peak_rss_kb"))
        rows.append(f"{size.docs:>8,} | {ours[0]:>14} {ours[1]:>7} | {raw[0]:>9} {raw[1]:>7} | {imported:>11}")
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        peak = large.median("annotator-export", "peak_rss_kb") / small.median("annotator-export", "peak_rss_kb")
        grown = grown_kb(large, "annotator-export") / max(grown_kb(small, "annotator-export"), 1)
        rows.append(
            f"annotator export peak RSS at {large.docs:,} / at {small.docs:,} docs: {peak:.2f}x "
            f"{verdict(peak, TARGETS['memory'])}; grown part: {grown:.2f}x"
        )
    return rows


def report(sizes: list[Size], repeat: int, elapsed: float) -> str:
    corpus = ", ".join(f"{s.corpus.name} ({s.corpus.stat().st_size / 1e6:.0f} MB)" for s in sizes)
    lines = [
        "",
        f"annotator import/export vs raw baseline, {repeat} round(s) per size; corpora: {corpus}",
        DESCRIPTION,
        "annotator import = Project.open + import_paths (validates every span, attribute and relation "
        "against the schema and text); annotator export = export_jsonl (atomic temp file + fsync + rename)",
        "",
        *throughput_table(sizes, "import"),
        "",
        *throughput_table(sizes, "export"),
        "",
        *memory_table(sizes),
        "",
        "SANITY",
        *(check for size in sizes for check in size.checks),
        "",
        "corpus generation (cached in bench/out): " + ", ".join(f"{s.docs:,} docs {s.corpus_s:.1f} s" for s in sizes),
        f"whole run: {elapsed / 60:.1f} min",
    ]
    return "\n".join(lines)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=list(SIZES), help="corpus sizes (default 10000 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per size (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", choices=TASKS, help=argparse.SUPPRESS)
    parser.add_argument("child_args", nargs="*", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.child:
        source, target = map(Path, args.child_args)
        print(orjson.dumps(CHILDREN[args.child](source, target)).decode())
        return 0
    started = time.perf_counter()
    sizes = [measure(docs, args.repeat, args.seed) for docs in sorted(args.docs)]
    for index, size in enumerate(sizes):
        check_outputs(size, thorough=index == 0)
    print(report(sizes, args.repeat, time.perf_counter() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
