"""The projects bench/big_project.py opens: 1, 10 and 100,000 documents of one corpus, cached.

Every project is made the way a user makes one: `annotator init`, then `annotator import` of
the first N lines of bench/corpus.py's 100,000-document corpus (about 2,000 characters and
10 spans a document, status done, annotator "bench"), each as a process of this tree's
code. So the 1-document project holds exactly the first document of the big one, and the
add-span comparison edits the same text in both. A project is kept under bench/out/ once
its import finished (a stamp file says so); an interrupted build is made again.

Usage: python bench/big_projects.py [--docs 1 10 100000]  (prints the project folders)
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import OUT, ensure_corpus  # noqa: E402

PROJECTS = OUT / "big_project"
CORPUS_DOCS = 100_000
ANNOTATOR = "bench"  # the corpus's layer: opening as it shows every document's spans and status
DONE_STAMP = "imported"


def annotator_command(*args: str) -> list[str]:
    """`annotator ARGS` as a process running this tree's code."""
    return [sys.executable, str(ROOT / "main.py"), *args]


def child_environment(code: Path = ROOT) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(code), "QT_QPA_PLATFORM": "offscreen"}


def project_path(docs: int) -> Path:
    return PROJECTS / f"docs-{docs}"


def ensure_project(docs: int) -> Path:
    """The cached project of the corpus's first ``docs`` documents, built on first use."""
    folder = project_path(docs)
    if (folder / DONE_STAMP).exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    corpus = ensure_corpus(CORPUS_DOCS)
    records = corpus if docs == CORPUS_DOCS else folder.parent / f"corpus-first-{docs}.jsonl"
    if records != corpus:
        with corpus.open("rb") as source, records.open("wb") as out:
            out.writelines(itertools.islice(source, docs))
    env = child_environment()
    subprocess.run(annotator_command("init", str(folder)), check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(annotator_command("import", str(folder), str(records)), check=True, env=env)
    if records != corpus:
        records.unlink()
    (folder / DONE_STAMP).write_text(f"{docs} documents\n", encoding="utf-8")
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[1, 10, CORPUS_DOCS])
    args = parser.parse_args(argv)
    for docs in args.docs:
        print(ensure_project(docs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
