"""What the command line shows: its two consoles, error lines, progress bars and tables."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from annotator.models import STATUSES, ProjectStats
from annotator.progress_feed import ThrottledProgress

# markup=False: messages quote user data such as "span [0, 3)", which is not markup.
out = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)


def print_error(message: str) -> None:
    try:
        err.print(Text.assemble(("error:", "bold red"), f" {message}"))
    except Exception:  # printing itself failed (an unencodable character, a closed stream)
        line = f"error: {message}\n".encode(errors="backslashreplace")
        os.write(2, line)


@contextmanager
def progress_bar(what: str, total: int) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on an interactive terminal; nothing otherwise (logs and pipes stay clean)."""
    if not err.is_terminal or total <= 0:
        yield None
        return
    with Progress(
        TextColumn(what),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        auto_refresh=False,  # no refresh thread: the feed below redraws, at most 10 times a second
    ) as progress:
        task = progress.add_task(what, total=total)

        def show(steps: int) -> None:
            progress.update(task, advance=steps, refresh=True)

        feed = ThrottledProgress(show)
        yield feed
        feed.flush()


def print_stats_tables(stats: ProjectStats) -> None:
    """The tables of `annotator stats`: documents per status, spans and relations per label."""
    status_table = Table(title="Documents per status")
    status_table.add_column("annotator")
    for status in STATUSES:
        status_table.add_column(status, justify="right")
    for name, counts in stats.status_by_annotator.items():
        status_table.add_row(name, *(str(counts.get(status, 0)) for status in STATUSES))
    out.print(status_table)
    for title, counts in (
        ("Spans per label", stats.spans_by_label),
        ("Spans per annotator", stats.spans_by_annotator),
        ("Relations per label", stats.relations_by_label),
    ):
        table = Table(title=title)
        table.add_column(title.split()[-1])
        table.add_column("count", justify="right")
        for key, count in counts.items():
            table.add_row(key, str(count))
        out.print(table)
