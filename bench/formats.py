"""Export rates of the training formats (hf, spacy, conll) against the native JSONL, same run.

For each corpus size (bench/corpus.py: ~2,000-character news-like documents, 10 spans each
on average) a project is built once by importing the corpus (cached in bench/out as
formats-project-N; rebuilt when its document count is off). Then, for each of --repeat
rounds, each format is exported in a fresh subprocess:

  jsonl   export_jsonl(project, out): the native export, the baseline
  hf      export_format(project, "hf", out): spaCy tokenizer, IOB2 tags, labels.json
  spacy   export_format(project, "spacy", out): one DocBin with spans["sc"], ents, user_data
  conll   export_format(project, "conll", out): as hf, plus spaCy's sentencizer

Timed: the export call alone. Setup (Project.open, importing spaCy and building the blank
pipeline, ~1 s) is reported apart. Each child reports its peak RSS (ru_maxrss): the DocBin
holds every Doc's arrays until it writes its one compressed message, so its memory grows
with the corpus while the others stay flat. Medians of the rounds are printed, with the
ratio to the native export. A benchmark, not a test: nothing fails on a slow result.

Usage: python bench/formats.py [--docs 10000 100000] [--repeat 3] [--formats hf spacy]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
from corpus import OUT, ROOT, ensure_corpus

from annotator.exporters import count_documents, export_format, export_jsonl
from annotator.importers import import_paths
from annotator.project import Project

SIZES = (10_000, 100_000)
FORMATS = ("jsonl", "hf", "spacy", "conll")
DEFAULT_FORMATS = ("jsonl", "hf", "spacy")
SUFFIX = {"jsonl": ".jsonl", "hf": ".jsonl", "spacy": ".spacy", "conll": ".conll"}


def project_folder(docs: int) -> Path:
    return OUT / f"formats-project-{docs}"


def ensure_project(docs: int, seed: int) -> tuple[Path, float]:
    """The imported corpus (cached); seconds the import took, 0 when it was there already."""
    folder = project_folder(docs)
    if (folder / "annotator.db").exists():
        with Project.open(folder) as project:
            if count_documents(project) == docs:
                return folder, 0.0
    corpus = ensure_corpus(docs, seed)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "annotator" / "example" / "news.yaml", folder / "news.yaml")
    (folder / "project.yaml").write_text("name: bench\nschema: news.yaml\ndatabase: annotator.db\nlanguage: en\n")
    started = time.perf_counter()
    with Project.open(folder) as project:
        import_paths(project, [corpus])
    return folder, time.perf_counter() - started


def child(format_name: str, folder: Path, target: Path) -> dict[str, Any]:
    """One export in this process: setup apart, then the timed export."""
    started = time.perf_counter()
    project = Project.open(folder)
    if format_name != "jsonl":
        from annotator.exporters.tokens import blank_pipeline

        blank_pipeline(project.config.language)  # imports spaCy, builds the tokenizer
        blank_pipeline(project.config.language, sentencizer=True)
    setup = time.perf_counter() - started
    wall, cpu = time.perf_counter(), time.process_time()
    if format_name == "jsonl":
        report: Any = export_jsonl(project, target)
        problems = 0
    else:
        report = export_format(project, format_name, target)
        problems = len(report.problems)
    seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu
    project.close()
    return {
        "seconds": seconds,
        "cpu": cpu_seconds,
        "setup": setup,
        "lines": report.lines,
        "spans": report.spans,
        "problems": problems,
        "bytes": target.stat().st_size,
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def run_child(format_name: str, folder: Path, target: Path) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__)), "--child", format_name, str(folder), str(target)]
    done = subprocess.run(command, capture_output=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr.decode(errors="replace"))
        raise SystemExit(f"{format_name} export failed (exit {done.returncode})")
    return orjson.loads(done.stdout.splitlines()[-1])


def measure(docs: int, formats: list[str], repeat: int, seed: int) -> dict[str, list[dict[str, Any]]]:
    folder, imported = ensure_project(docs, seed)
    if imported:
        log(f"{docs:>7} docs  built {folder.name} in {imported:.1f} s")
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in formats}
    for round_number in range(1, repeat + 1):
        for name in formats:
            target = OUT / f"formats-{docs}-{name}{SUFFIX[name]}"
            result = run_child(name, folder, target)
            runs[name].append(result)
            log(f"{docs:>7} docs  round {round_number}/{repeat}  {name:<6} {result['seconds']:8.2f} s")
    for name in formats:  # the outputs are ~0.3-1 GB at 100k: keep none
        for path in OUT.glob(f"formats-{docs}-{name}*"):
            path.unlink()
    return runs


def median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def table(results: dict[int, dict[str, list[dict[str, Any]]]], repeat: int) -> list[str]:
    rows = [
        f"EXPORT  (median of {repeat} round(s), wall clock; setup = Project.open + spaCy import, not timed; "
        "x jsonl = seconds / native export seconds, cpu = the same in CPU seconds)",
        f"{'docs':>8} {'format':<6} | {'seconds':>8} {'docs/s':>8} {'range':>13} {'x jsonl':>8} {'cpu':>6} | "
        f"{'setup s':>7} {'MB out':>7} {'peak MiB':>8} {'problems':>8}",
    ]
    for docs, runs in results.items():
        base = runs.get("jsonl")
        for name, done in runs.items():
            seconds = median(done, "seconds")
            values = [run["seconds"] for run in done]
            ratio = f"{seconds / median(base, 'seconds'):7.2f}x" if base else "-"
            cpu = f"{median(done, 'cpu') / median(base, 'cpu'):5.2f}x" if base else "-"
            rows.append(
                f"{docs:>8,} {name:<6} | {seconds:>8.2f} {docs / seconds:>8,.0f} "
                f"{min(values):>6.2f}-{max(values):<6.2f} {ratio:>8} {cpu:>6} | {median(done, 'setup'):>7.2f} "
                f"{median(done, 'bytes') / 1e6:>7.0f} {median(done, 'peak_rss_kb') / 1024:>8.0f} "
                f"{int(median(done, 'problems')):>8}"
            )
    return rows


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=list(SIZES), help="corpus sizes (default 10000 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per size (default 3)")
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(DEFAULT_FORMATS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", choices=FORMATS, help=argparse.SUPPRESS)
    parser.add_argument("child_args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        folder, target = map(Path, args.child_args)
        print(orjson.dumps(child(args.child, folder, target)).decode())
        return 0
    formats = ["jsonl", *(name for name in args.formats if name != "jsonl")]  # the baseline always runs
    started = time.perf_counter()
    results = {docs: measure(docs, formats, args.repeat, args.seed) for docs in sorted(args.docs)}
    elapsed = (time.perf_counter() - started) / 60
    print("\n".join(["", *table(results, args.repeat), "", f"whole run: {elapsed:.1f} min"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
