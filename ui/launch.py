"""Entry point of `annotator` and `python main.py`: the CLI, with the window plugged in.

The core's CLI never imports Qt; it is handed the window runner from here.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from annotator.cli import main as cli_main


def run_window(project: Path) -> int:
    from ui.app import run  # Qt loads only when the window is wanted, not for `annotator export`

    return run(project)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) == 1 and Path(args[0]).is_dir():  # `python main.py PROJECT` opens that project
        return run_window(Path(args[0]))
    return cli_main(args, run_window=run_window)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
