"""The real window on a 100,000-document project, against small projects, each in a fresh process.

Run: QT_QPA_PLATFORM=offscreen python bench/big_project.py [--rounds 5] [--repeat 15] [--big 100000]
                                                            [--code DIR]

1. Open to first paint: ui/app.py's build_window (as `python main.py gui` runs it: the
   project, the service, every panel, the document list) until the text view and the
   document list have painted, on the 100,000-document project against a 10-document one.
   Target: <= 2x. RSS at that moment, and the process's peak: flat (about 1x).
2. Add a span: a word selected, the label's key pressed, until the text view has painted
   the span (the whole path: transaction, event log, panels, the document list's row and
   counts, repaint), in the 100,000-document project against the same first document alone
   in a 1-document project. Target: <= 1.5x.

The projects (bench/big_projects.py) are made once by `annotator init` + `annotator import`
and cached under bench/out/. Every figure is measured in its own process, the two sides
alternating, round after round; medians. --code DIR measures another checkout's ui/ and
annotator/ on the same projects (e.g. `git archive COMMIT | tar -x -C DIR` for the code
before a change). Prints a table; never fails on a slow result.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.big_projects import CORPUS_DOCS, child_environment, ensure_project  # noqa: E402

PROBE = ROOT / "bench" / "big_project_probe.py"
SMALL_DOCS = 10


def probe(what: str, project: Path, code: Path, *options: str) -> dict[str, Any]:
    """Run bench/big_project_probe.py in a fresh process; its one JSON line."""
    command = [sys.executable, str(PROBE), what, str(project), "--code", str(code), *options]
    done = subprocess.run(command, env=child_environment(code), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def alternate(rounds: int, sides: dict[str, Path], what: str, code: Path, *options: str) -> dict[str, list[Any]]:
    """Each side's probe results, the sides taking turns round after round."""
    results: dict[str, list[Any]] = {side: [] for side in sides}
    for number in range(rounds):
        for side, project in sides.items():
            results[side].append(probe(what, project, code, *options))
        print(f"  {what} round {number + 1}/{rounds} done", file=sys.stderr)
    return results


def median_of(results: list[dict[str, Any]], key: str) -> float:
    return statistics.median(result[key] for result in results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="processes per side for each figure")
    parser.add_argument("--repeat", type=int, default=15, help="key presses per edit process")
    parser.add_argument("--big", type=int, default=CORPUS_DOCS, help="documents in the big project")
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose ui/ and annotator/ run")
    args, _others = parser.parse_known_args(argv)  # bench/run_all.py passes every script the same options
    big, small, single = ensure_project(args.big), ensure_project(SMALL_DOCS), ensure_project(1)
    code = args.code.resolve()

    opened = alternate(args.rounds, {"small": small, "big": big}, "open", code)
    edited = alternate(args.rounds, {"single": single, "big": big}, "edit", code, "--repeat", str(args.repeat))

    rows = [
        (
            f"open to first paint, {args.big:,} vs {SMALL_DOCS} documents",
            median_of(opened["big"], "open_ms"),
            median_of(opened["small"], "open_ms"),
            "ms",
            "<= 2x",
        ),
        (
            "RSS at first paint",
            median_of(opened["big"], "rss_mib"),
            median_of(opened["small"], "rss_mib"),
            "MiB",
            "flat (~1x)",
        ),
        (
            "peak RSS of the process",
            median_of(opened["big"], "peak_mib"),
            median_of(opened["small"], "peak_mib"),
            "MiB",
            "flat (~1x)",
        ),
        (
            f"add a span, key to paint, {args.big:,}-doc vs 1-doc project",
            median_of(edited["big"], "edit_ms"),
            median_of(edited["single"], "edit_ms"),
            "ms",
            "<= 1.5x",
        ),
    ]
    print(f"code: {code}; medians of {args.rounds} processes per side (edits: each the median of {args.repeat})")
    print(f"{'what':<52} {'annotator':>12} {'baseline':>12} {'ratio':>7}  target")
    for what, figure, baseline, unit, target in rows:
        print(f"{what:<52} {figure:>8.1f} {unit:<3} {baseline:>8.1f} {unit:<3} {figure / baseline:>6.2f}x  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
