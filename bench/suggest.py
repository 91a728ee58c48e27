"""`annotator suggest` against the same spaCy matchers alone over the same texts, and its peak memory
as the corpus grows.

The project: bench/corpus.py's documents (~2,000 characters, 10 spans each) imported into the
layer `bench` (done), with a gazetteer of the corpus's actors and a few date patterns as the
patterns source's file (suggestions.patterns, spaCy's pattern JSONL). Built once, cached in
bench/out/suggest-project-N.

The sources run are those asked for (default patterns, memory, dates) that this installation has;
with none of them, `layer:bench` (the corpus's own layer, proposed: reads and writes, no spaCy). Timed, each a fresh
process from spawn to exit (processes.py: wall, CPU seconds, peak RSS of the process alone),
alternating within each round:

  suggest    python main.py suggest PROJECT --source S ...   (read pages, propose, write suggestions)
  baseline   python bench/suggest.py --baseline PROJECT --sources S ...
             the same texts read with raw sqlite3 in the same pages, and each spaCy source's own
             built pipeline (its `nlp`, and its `matcher`/`phrase_matcher` if it keeps one apart)
             run over them with nlp.pipe: the matching alone, no annotator reading or writing.
             When none of the sources is a spaCy one (only layer:bench), a stand-in of the same
             kind: a blank English pipeline with a PhraseMatcher of the corpus's actors and a
             Matcher of its date shapes.

Printed: medians, suggest against baseline (target of issue 11: within 1.5x with patterns, memory
and dates), then suggest's peak RSS at each --memory size against the smallest (target: flat).
A benchmark, not a test: nothing fails on a slow result.

Usage: python bench/suggest.py [--docs 10000] [--repeat 3] [--memory 5000,10000,20000]
       [--sources patterns,memory,dates]      (--repeat 0: the memory rows only; --memory '': the timing only)
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sqlite3
import statistics
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's annotator, not an installed one

from corpus import MONTHS, ORGANISATIONS, OUT, PERSONS, ROOT, STATES, WEEKDAYS, ensure_corpus
from processes import Run, run_process

PYTHON = sys.executable
MAIN = str(ROOT / "main.py")
LAYER = "bench"
PAGE = 500  # documents per page, as annotator/suggest/run.py reads them
PATTERN_FILE = "bench-patterns.jsonl"
MODULES = {
    "patterns": "annotator.suggest.patterns",
    "memory": "annotator.suggest.memory",
    "dates": "annotator.suggest.dates",
}
DATE_PATTERNS: list[list[dict[str, Any]]] = [
    [{"LOWER": "yesterday"}],
    [{"LOWER": "next"}, {"LOWER": "week"}],
    [{"TEXT": {"IN": list(WEEKDAYS)}}],
    [{"IS_DIGIT": True}, {"TEXT": {"IN": list(MONTHS)}}, {"SHAPE": "dddd"}],
]


def build_project(docs: int) -> Path:
    """The cached project of `docs` documents with the patterns file and the suggestions section."""
    root = OUT / f"suggest-project-{docs}"
    if (root / "done").exists():
        return root
    from annotator.example_project import default_schema
    from annotator.importers import import_paths
    from annotator.new_project import create_project
    from annotator.project import Project

    shutil.rmtree(root, ignore_errors=True)
    with default_schema() as news:
        create_project(root, news, f"suggest-{docs}")
    lines = [{"label": "ACTOR", "pattern": name} for name in (*PERSONS, *ORGANISATIONS, *STATES)]
    lines += [{"label": "DATE", "pattern": pattern} for pattern in DATE_PATTERNS]
    (root / PATTERN_FILE).write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    with (root / "project.yaml").open("a", encoding="utf-8") as config:
        config.write(f"suggestions:\n  patterns: [{PATTERN_FILE}]\n")
    with Project.open(root) as project:
        import_paths(project, [ensure_corpus(docs)], annotator=LAYER)
    (root / "done").write_text("")
    return root


def available(asked: Sequence[str]) -> list[str]:
    """The asked sources this installation has; the layer source if it has none of them."""
    found = [name for name in asked if name in MODULES and importlib.util.find_spec(MODULES[name]) is not None]
    return found or [f"layer:{LAYER}"]


def texts(database: Path) -> Iterator[list[str]]:
    """The documents' texts, a page at a time, with raw sqlite3."""
    connection = sqlite3.connect(database)
    try:
        last = 0
        while page := connection.execute(
            "SELECT id, text FROM documents WHERE id > ? ORDER BY id LIMIT ?", (last, PAGE)
        ).fetchall():
            yield [text for _, text in page]
            last = page[-1][0]
    finally:
        connection.close()


def matchers(project_root: Path, names: Sequence[str]) -> list[tuple[Any, list[Any]]]:
    """(nlp, matchers run on its docs) of each spaCy source, built as annotator builds them."""
    from annotator.project import Project
    from annotator.suggest.run import prepare_sources

    with Project.open(project_root) as project:
        sources = prepare_sources(project, [name for name in names if not name.startswith("layer:")])
    built = []
    for source in sources.working:
        nlp = getattr(source, "nlp", None)
        if nlp is not None:
            kept = [getattr(source, key) for key in ("matcher", "phrase_matcher") if hasattr(source, key)]
            built.append((nlp, kept))
    return built or [stand_in()]


def stand_in() -> tuple[Any, list[Any]]:
    import spacy
    from spacy.matcher import Matcher, PhraseMatcher

    nlp = spacy.blank("en")
    phrases = PhraseMatcher(nlp.vocab)
    phrases.add("ACTOR", list(nlp.tokenizer.pipe([*PERSONS, *ORGANISATIONS, *STATES])))
    dates = Matcher(nlp.vocab)
    dates.add("DATE", DATE_PATTERNS)
    return nlp, [phrases, dates]


def baseline(project_root: Path, names: Sequence[str]) -> int:
    built = matchers(project_root, names)
    found = 0
    for page in texts(project_root / "annotator.db"):
        for nlp, kept in built:
            for doc in nlp.pipe(page):
                found += len(doc.spans) + sum(len(matcher(doc)) for matcher in kept)
    print(found)
    return 0


def suggest_command(root: Path, names: Sequence[str]) -> list[str]:
    return [PYTHON, MAIN, "suggest", str(root), *(arg for name in names for arg in ("--source", name))]


def baseline_command(root: Path, names: Sequence[str]) -> list[str]:
    return [PYTHON, str(Path(__file__).resolve()), "--baseline", str(root), "--sources", ",".join(names)]


def median(runs: list[Run], key: str) -> float:
    return statistics.median(getattr(run, key) for run in runs)


def timed(root: Path, names: Sequence[str], repeat: int) -> None:
    ours: list[Run] = []
    base: list[Run] = []
    for _ in range(repeat):
        ours.append(run_process(suggest_command(root, names)))
        base.append(run_process(baseline_command(root, names)))
    print(f"{'what':<34}{'suggest':>12}{'baseline':>12}{'ratio':>8}  target")
    for label, key, unit in (("wall seconds", "seconds", "s"), ("CPU seconds", "cpu_seconds", "s")):
        a, b = median(ours, key), median(base, key)
        print(f"{label:<34}{a:>11.2f}{unit}{b:>11.2f}{unit}{a / b:>7.2f}x  1.5x")
    a, b = median(ours, "peak_rss_kib") / 1024, median(base, "peak_rss_kib") / 1024
    print(f"{'peak RSS':<34}{a:>9.0f}MiB{b:>9.0f}MiB{a / b:>7.2f}x", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory", default="5000,10000,20000", help="corpus sizes of the peak RSS rows ('' for none)")
    parser.add_argument("--sources", default="patterns,memory,dates")
    parser.add_argument("--baseline", type=Path, help=argparse.SUPPRESS)  # the baseline process itself
    args = parser.parse_args(argv)
    if args.baseline is not None:
        return baseline(args.baseline, args.sources.split(","))
    names = available(args.sources.split(","))
    root = build_project(args.docs)
    print(f"sources: {', '.join(names)}; {args.docs} documents; {args.repeat} round(s), alternating", flush=True)
    if args.repeat > 0:
        timed(root, names, args.repeat)
    sizes = [int(size) for size in args.memory.split(",") if size.strip()]
    if sizes:
        print(f"\n{'documents':<12}{'suggest peak RSS':>18}{'vs smallest':>13}  target: flat")
        smallest = 0.0
        for size in sizes:  # each row as it is measured
            peak = run_process(suggest_command(build_project(size), names)).peak_rss_kib / 1024
            smallest = smallest or peak
            print(f"{size:<12}{peak:>15.0f}MiB{peak / smallest:>12.2f}x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
