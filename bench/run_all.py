"""Run every benchmark in turn (what `make bench` does); extra arguments go to each script.

Benchmarks print their own tables and ratios against a baseline measured in the same run;
none of them fails on a slow result. A script that crashes stops the run with its exit code.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Each benchmark script, in the order they run; helpers (corpus.py, raw_sqlite.py, processes.py, ...)
# are not listed. postgres.py and team.py are not either: they need a server (run them under tests/with-postgres).
SCRIPTS = (
    "import_export.py",
    "formats.py",
    "window.py",
    "window_edit.py",
    "big_project.py",
    "startup.py",
    "edits.py",
    "type_ahead.py",
    "real_window.py",
)


def run(script: str, extra: list[str]) -> int:
    print(f"== bench/{script} {' '.join(extra)}".rstrip(), flush=True)
    started = time.perf_counter()
    code = subprocess.run([sys.executable, str(HERE / script), *extra], check=False).returncode
    print(f"== bench/{script}: {time.perf_counter() - started:.0f} s, exit {code}\n", flush=True)
    return code


def main(argv: list[str] | None = None) -> int:
    extra = sys.argv[1:] if argv is None else argv
    for script in SCRIPTS:
        code = run(script, extra)
        if code != 0:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
