"""`python main.py` opens the example project in the window; `python main.py <command>` is the CLI."""

from __future__ import annotations

import sys

from annotator.cli import main

if __name__ == "__main__":
    sys.exit(main())
