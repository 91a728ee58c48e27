"""Cold start: `python main.py` (the example project) to its first painted window, against bare PySide6.

Run: python bench/startup.py [--rounds N]   (QT_QPA_PLATFORM defaults to offscreen)

Each round starts two fresh processes, one after the other (the order alternates by round):
`python main.py` opening the example project (copied into a scratch $XDG_DATA_HOME, with an
annotator name already remembered in a scratch $XDG_CONFIG_HOME, as on every start but the
first), and a bare PySide6 program that shows a QMainWindow holding a QPlainTextEdit. Both
run with bench/first_paint/ on PYTHONPATH: its sitecustomize reports the first paint of a
main window and the first paint of a text editor holding text, and ends the process there.
A time is from just before the process is spawned to that report (one monotonic clock).

Rows: the first painted window (annotator: the start window saying what it opens; target
<= 2x bare), and the window with the project's first document painted (bare: its editor,
the same paint as its first). The file cache is warm: one unmeasured run of each comes first
(it also creates the example's database). Medians over the rounds; never fails on time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROBE = REPO / "bench" / "first_paint"
TARGET = 2.0
BARE_WINDOW = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow, QPlainTextEdit
app = QApplication(sys.argv[:1])
window = QMainWindow()
editor = QPlainTextEdit()
editor.setPlainText("Annotator")
window.setCentralWidget(editor)
window.resize(1400, 860)
window.show()
sys.exit(app.exec())
"""


@dataclass(frozen=True)
class Start:
    first_paint_ms: float
    text_paint_ms: float


def scratch_environment(scratch: Path) -> dict[str, str]:
    """Settings and data in `scratch`: the user's own are never read or written."""
    config = scratch / "config" / "Annotator"
    config.mkdir(parents=True)
    (config / "annotator.conf").write_text("[annotator]\nname=bench\n", encoding="utf-8")
    return {
        **os.environ,
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "XDG_CONFIG_HOME": str(scratch / "config"),
        "XDG_DATA_HOME": str(scratch / "data"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROBE), os.environ.get("PYTHONPATH")])),
    }


def start(argv: list[str], environment: dict[str, str]) -> Start:
    """Spawn `argv` and read the probe's paint reports from its standard error."""
    spawned = time.monotonic_ns()
    result = subprocess.run(argv, cwd=REPO, env=environment, capture_output=True, text=True, timeout=120)
    reports = {}
    for line in result.stderr.splitlines():
        what, _, when = line.partition(" ")
        if what in ("first-paint", "text-paint") and when.isdigit():
            reports[what] = (int(when) - spawned) / 1e6
    if set(reports) != {"first-paint", "text-paint"}:
        raise SystemExit(f"{' '.join(argv)} painted no window (exit {result.returncode}):\n{result.stderr}")
    return Start(reports["first-paint"], reports["text-paint"])


def measure(rounds: int) -> tuple[list[Start], list[Start]]:
    annotator_argv = [sys.executable, str(REPO / "main.py")]
    bare_argv = [sys.executable, "-c", BARE_WINDOW]
    with tempfile.TemporaryDirectory(prefix="annotator-startup-") as scratch:
        environment = scratch_environment(Path(scratch))
        start(annotator_argv, environment)  # copies the example and creates its database; warms the cache
        start(bare_argv, environment)
        annotator: list[Start] = []
        bare: list[Start] = []
        for round_number in range(rounds):
            pair = [(annotator_argv, annotator), (bare_argv, bare)]
            for argv, results in pair if round_number % 2 == 0 else reversed(pair):
                results.append(start(argv, environment))
    return annotator, bare


def row(what: str, ours: list[float], baseline: list[float], target: str) -> str:
    mine, theirs = statistics.median(ours), statistics.median(baseline)
    return f"| {what} | {mine:.0f} ms | {theirs:.0f} ms | {mine / theirs:.2f}x | {target} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    annotator, bare = measure(args.rounds)
    platform = os.environ.get("QT_QPA_PLATFORM", "offscreen")
    print(f"cold start, {args.rounds} rounds alternating, medians (warm file cache; QT_QPA_PLATFORM={platform})")
    print("| what | annotator | bare PySide6 window | ratio | target |")
    print("|---|---|---|---|---|")
    bare_first = [s.first_paint_ms for s in bare]
    print(row("first painted window", [s.first_paint_ms for s in annotator], bare_first, f"<= {TARGET:g}x"))
    print(row("window with the first document painted", [s.text_paint_ms for s in annotator], bare_first, "-"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
