"""The training exports (hf, spacy, conll) against spaCy alone building the same Docs, same run.

For each corpus size (bench/corpus.py: ~2,000-character news-like documents, 10 spans each
on average) a project is built once by importing the corpus (cached in bench/out as
formats-project-N; rebuilt when its document count is off). Then, for each of --repeat
rounds, each of these runs in a fresh subprocess (the order turns by one every round):

  spaCy   bench/spacy_alone.py: the baseline. A plain script reads the texts and spans with
          raw sqlite3, tokenizes with the blank pipeline's tokenizer.pipe, places the spans
          with doc.char_span(alignment_mode="expand"), sets spans["sc"] and ents
          (filter_spans), adds the Docs to a DocBin(attrs=[ENT_IOB, ENT_TYPE],
          store_user_data=False) and writes it (to_bytes)
  jsonl   export_jsonl(project, out): the native export (a reference column)
  hf      export_format(project, "hf", out): spaCy tokenizer, IOB2 tags, labels.json
  spacy   export_format(project, "spacy", out): a streamed DocBin with spans["sc"], ents, user_data
  conll   export_format(project, "conll", out): as hf, plus spaCy's sentencizer rule

Timed: the work alone (the export call; the baseline's read-to-write). Setup (Project.open,
importing spaCy, building the blank pipeline, ~1 s) is reported apart. Each child reports its
peak RSS (ru_maxrss). Printed: medians of the rounds; "x spaCy" is the median over rounds of
each round's seconds / the baseline's seconds in that round (target <= 1.5x); "x jsonl" the
same against the native export. A benchmark, not a test: nothing fails on a slow result.

The annotator code imported is this checkout's (bench/.. goes first on sys.path).

Usage: python bench/formats.py [--docs 10000 100000] [--repeat 3] [--formats hf spacy conll]
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's annotator, not an installed one

from corpus import OUT, ROOT, ensure_corpus
from spacy_alone import build_and_serialise, outputs

from annotator.exporters import count_documents, export_format, export_jsonl
from annotator.importers import import_paths
from annotator.project import Project

SIZES = (10_000, 100_000)
BASELINE = "spaCy"  # spaCy alone (bench/spacy_alone.py)
FORMATS = ("jsonl", "hf", "spacy", "conll")
TARGET = 1.5
SUFFIX = {BASELINE: ".spacy", "jsonl": ".jsonl", "hf": ".jsonl", "spacy": ".spacy", "conll": ".conll"}


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


def baseline_child(folder: Path, target: Path) -> dict[str, Any]:
    """spaCy alone in this process: setup (import spaCy, spacy.blank) apart, then the timed work."""
    started = time.perf_counter()
    import spacy

    nlp = spacy.blank("en")
    setup = time.perf_counter() - started
    wall, cpu = time.perf_counter(), time.process_time()
    documents, spans = build_and_serialise(nlp, folder / "annotator.db", target)
    return {
        "seconds": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "setup": setup,
        "lines": documents,
        "spans": spans,
        "problems": 0,
        "bytes": sum(path.stat().st_size for path in outputs(target)),
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def child(format_name: str, folder: Path, target: Path) -> dict[str, Any]:
    """One export in this process: setup apart, then the timed export."""
    if format_name == BASELINE:
        return baseline_child(folder, target)
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
        turn = (round_number - 1) % len(formats)  # each runs first in turn: load drifts on a shared machine
        for name in formats[turn:] + formats[:turn]:
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


def ratio(done: list[dict[str, Any]], base: list[dict[str, Any]], key: str = "seconds") -> float:
    """The median over rounds of this round's figure / the baseline's in the same round."""
    return statistics.median(run[key] / against[key] for run, against in zip(done, base, strict=True))


def table(results: dict[int, dict[str, list[dict[str, Any]]]], repeat: int) -> list[str]:
    rows = [
        f"TRAINING EXPORTS  (median of {repeat} round(s), wall clock; setup = Project.open + spaCy import, not "
        f"timed; x spaCy = seconds / spaCy alone's in the same round, median over rounds, target <= {TARGET}x; "
        "cpu = the same in CPU seconds; x jsonl = against the native export)",
        f"{'docs':>8} {'format':<6} | {'seconds':>8} {'range':>13} {'x spaCy':>8} {'cpu':>6} {'target':>7} "
        f"{'x jsonl':>8} | {'setup s':>7} {'MB out':>7} {'peak MiB':>8} {'problems':>8}",
    ]
    for docs, runs in results.items():
        base, native = runs[BASELINE], runs["jsonl"]
        for name, done in runs.items():
            values = [run["seconds"] for run in done]
            against = ratio(done, base)
            verdict = "-" if name in (BASELINE, "jsonl") else ("met" if against <= TARGET else "MISSED")
            rows.append(
                f"{docs:>8,} {name:<6} | {median(done, 'seconds'):>8.2f} {min(values):>6.2f}-{max(values):<6.2f} "
                f"{against:>7.2f}x {ratio(done, base, 'cpu'):>5.2f}x {verdict:>7} {ratio(done, native):>7.2f}x | "
                f"{median(done, 'setup'):>7.2f} {median(done, 'bytes') / 1e6:>7.0f} "
                f"{median(done, 'peak_rss_kb') / 1024:>8.0f} {int(median(done, 'problems')):>8}"
            )
    return rows


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=list(SIZES), help="corpus sizes (default 10000 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per size (default 3)")
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", choices=(BASELINE, *FORMATS), help=argparse.SUPPRESS)
    parser.add_argument("child_args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        folder, target = map(Path, args.child_args)
        print(orjson.dumps(child(args.child, folder, target)).decode())
        return 0
    formats = [BASELINE, "jsonl", *(name for name in args.formats if name != "jsonl")]  # the baselines always run
    started = time.perf_counter()
    results = {docs: measure(docs, formats, args.repeat, args.seed) for docs in sorted(args.docs)}
    elapsed = (time.perf_counter() - started) / 60
    print("\n".join(["", *table(results, args.repeat), "", f"whole run: {elapsed:.1f} min"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
