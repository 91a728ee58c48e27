"""The real window (ui/main_window.py, as `python main.py` builds it) driven by keys, against a bare editor.

Run: QT_QPA_PLATFORM=offscreen python bench/real_window.py [--rounds N] [--repeats N] [--documents N]

Every figure comes from a fresh process (bench/real_window_child.py), annotator and baseline
rounds alternating, medians printed:

1. open + first paint: the window is on a 2 KB document; Alt+Down opens the next one, a 1 MB
   article with 10,000 spans (and again with the same text as one paragraph). Time from the key
   press until the window has painted, against a bare QPlainTextEdit of the window's size:
   setPlainText of the same text until painted. Target <= 2x. Also shown: until the key is
   handled as well (the window paints a long document's first screen, then reads the rest of
   its layer before it takes the next key).
2. add one span: Shift+Right over a free word, press the label's key; time from that key press
   until the window has painted, every span already formatted. 1 MB article, the same as one
   paragraph, a 4 MB article, each against a 2 KB article in a 1-document project. Target <= 1.5x.
   --documents N pads those projects to N documents (bench/corpus.py), e.g. 100000.
3. memory: RSS of the window holding the 1 MB article, every span formatted, against a bare
   QPlainTextEdit holding that text (separate processes). Target <= 1.5x. Informative, a second
   baseline: the same bare editor in a process that has also imported the libraries the window
   needs (SQLAlchemy with its SQLite dialect, PyYAML, regex), which tells what memory is
   Annotator's own and what is the libraries'.

Prints a table; never fails on a slow result. The figures are noisy on a shared machine: the
ratios are what to read.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotator.importers import import_paths
from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord, RelationRecord, SpanRecord
from annotator.models import Span
from annotator.project import Project
from bench.corpus import ensure_corpus
from bench.window import make_article, one_paragraph

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "annotator" / "example" / "news.yaml"


@dataclass
class Article:
    external_id: str
    text: str
    spans: list[Span]

    def record(self) -> DocumentRecord:
        """The article with a SAID_BY relation from each CLAIM to the first ACTOR inside it."""
        spans = [SpanRecord(str(i), s.start, s.end, s.label) for i, s in enumerate(self.spans)]
        relations, claims = [], []
        for i, span in enumerate(self.spans):  # by start: a CLAIM comes before the names inside it
            claims = [c for c in claims if self.spans[c].end > span.start]
            if span.label == "CLAIM":
                claims.append(i)
            elif span.label == "ACTOR" and claims:
                relations.append(RelationRecord("SAID_BY", str(claims.pop()), str(i)))
        return DocumentRecord(
            "bench", 1, self.text, external_id=self.external_id, annotator="bench", spans=spans, relations=relations
        )


@dataclass
class Figures:
    """Each case's figures over the rounds."""

    values: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, value: float) -> None:
        self.values.setdefault(name, []).append(value)

    def median(self, name: str) -> float:
        return statistics.median(self.values[name])


def make_project(root: Path, articles: list[Article], padding: int = 0) -> Path:
    """A project holding ``articles`` in that order, then ``padding`` documents of bench/corpus.py."""
    root.mkdir()
    shutil.copyfile(SCHEMA, root / "news.yaml")
    (root / "project.yaml").write_text("name: bench\nschema: news.yaml\n", encoding="utf-8")
    with Project.open(root) as project:
        import_records(project, [article.record() for article in articles])
        if padding > 0:
            import_paths(project, [ensure_corpus(padding)])
    return root


def child(*args: str) -> dict[str, float]:
    """Run one case in a fresh process and read back its figures."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.real_window_child", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    if done.returncode != 0:
        raise SystemExit(f"bench child {args[0]} failed:\n{done.stderr[-3000:]}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def row(what: str, annotator: str, baseline: str, ratio: float, target: str) -> str:
    return f"| {what} | {annotator} | {baseline} | {ratio:.2f}x | {target} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="fresh processes per case")
    parser.add_argument("--repeats", type=int, default=7, help="span additions per add-span process")
    parser.add_argument("--documents", type=int, default=1, help="documents in each add-span project (padding)")
    parser.add_argument("--only", choices=("open", "add", "memory"), action="append", help="run only these parts")
    args, _unknown = parser.parse_known_args(argv)  # make bench passes every script the same options
    parts = set(args.only or ("open", "add", "memory"))
    padding = max(args.documents - 1, 0)

    text, spans = make_article(1_000_000, 10_000)
    long = Article("long", text, spans)
    paragraph = Article("paragraph", one_paragraph(text), spans)
    small = Article("small", *make_article(2_000, 20))
    figures = Figures()
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        texts = {name: scratch / f"{name}.txt" for name in ("long", "paragraph")}
        texts["long"].write_text(long.text, encoding="utf-8")
        texts["paragraph"].write_text(paragraph.text, encoding="utf-8")
        settings_count = iter(range(10**6))

        def settings() -> str:
            folder = scratch / f"settings-{next(settings_count)}"
            folder.mkdir()
            return str(folder)

        if "open" in parts:
            opens = {name: make_project(scratch / f"open-{name}", [small, article]) for name, article in (
                ("long", long), ("paragraph", paragraph))}  # fmt: skip
            for _ in range(args.rounds):
                for name, project in opens.items():
                    for prefix, figured in (("", child("open", str(project), settings())),
                                            ("bare ", child("bare-open", str(texts[name])))):  # fmt: skip
                        for unit in ("ms", "cpu", "rss", "handled ms", "handled cpu"):
                            figures.add(f"{prefix}open {unit} {name}", figured[unit])
        if "add" in parts:
            big = Article("big", *make_article(4_000_000, 40_000))
            adds = {"small": make_project(scratch / "add-small", [small])}
            for article in (long, paragraph, big):
                adds[article.external_id] = make_project(scratch / f"add-{article.external_id}", [article], padding)
            for _ in range(args.rounds):
                for name, project in adds.items():
                    added = child("add", str(project), settings(), name, str(args.repeats))
                    figures.add(f"add ms {name}", added["ms"])
                    figures.add(f"add cpu {name}", added["cpu"])
        if "memory" in parts:
            project = make_project(scratch / "memory", [long])
            for _ in range(args.rounds):
                figures.add("memory", child("memory", str(project), settings(), "long")["rss"])
                figures.add("bare memory", child("bare-memory", str(texts["long"]))["rss"])
                figures.add("libraries memory", child("bare-memory-libraries", str(texts["long"]))["rss"])

    print(
        f"real window, offscreen, {args.rounds} fresh processes per case, medians; "
        f"1 MB article: {len(long.text):,} code points, {len(long.spans):,} spans"
    )
    print("| what | annotator | baseline | ratio | target |\n|---|---|---|---|---|")
    if "open" in parts:
        for name, what in (("long", "1 MB article"), ("paragraph", "1 MB as one paragraph")):
            for unit, clock in (("ms", "wall"), ("cpu", "CPU")):
                mine, bare = figures.median(f"open {unit} {name}"), figures.median(f"bare open {unit} {name}")
                print(row(f"open + first paint (Alt+Down), {what}, {clock}", f"{mine:.0f} ms",
                          f"{bare:.0f} ms (bare setPlainText)", mine / bare, "<= 2x"))  # fmt: skip
        for unit, clock in (("handled ms", "wall"), ("handled cpu", "CPU")):
            mine, bare = figures.median(f"open {unit} long"), figures.median(f"bare open {unit} long")
            what = f"open, until Alt+Down is handled and painted (next key taken), 1 MB article, {clock}"
            print(row(what, f"{mine:.0f} ms", f"{bare:.0f} ms (bare setPlainText)", mine / bare, "(informative)"))
    if "add" in parts:
        where = f", {args.documents:,} documents" if args.documents > 1 else ""
        for name, what in (("long", "1 MB article"), ("paragraph", "1 MB paragraph"), ("big", "4 MB article")):
            for unit, clock in (("ms", "wall"), ("cpu", "CPU")):
                mine, base = figures.median(f"add {unit} {name}"), figures.median(f"add {unit} small")
                print(row(f"add one span (Shift+Right, key) to paint, {what}{where}, {clock}", f"{mine:.1f} ms",
                          f"{base:.1f} ms (2 KB, 1 document)", mine / base, "<= 1.5x"))  # fmt: skip
    if "memory" in parts:
        mine, bare = figures.median("memory"), figures.median("bare memory")
        print(row("RSS with the 1 MB article open, every span formatted", f"{mine:.0f} MiB",
                  f"{bare:.0f} MiB (bare editor)", mine / bare, "<= 1.5x"))  # fmt: skip
        libraries = figures.median("libraries memory")
        print(row("the same, against a bare editor that imported the window's libraries", f"{mine:.0f} MiB",
                  f"{libraries:.0f} MiB (bare editor + SQLAlchemy, PyYAML, regex: {libraries - bare:+.0f} MiB)",
                  mine / libraries, "(informative)"))  # fmt: skip
    if "open" in parts:
        mine, bare = figures.median("open rss long"), figures.median("bare open rss long")
        print(row("RSS at that first paint, 1 MB article", f"{mine:.0f} MiB", f"{bare:.0f} MiB (bare editor)",
                  mine / bare, "(memory, informative)"))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
