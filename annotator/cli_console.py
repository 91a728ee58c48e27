"""What the command line shows: its two consoles, error lines, progress bars and tables.

rich is imported at the first line printed, not with this module: `annotator` opening the
window prints nothing and must not wait for it (tests/ui/test_startup.py).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import IO, TYPE_CHECKING, Any

from annotator.models import STATUSES, ProjectStats
from annotator.progress_feed import ThrottledProgress
from annotator.short_text import printable

if TYPE_CHECKING:
    from rich.console import Console


class LazyConsole:
    """A rich Console made when first used; what the CLI prints goes through one of two."""

    def __init__(self, stderr: bool) -> None:
        self._stderr = stderr

    @cached_property
    def console(self) -> Console:
        from rich.console import Console

        class ReportingConsole(Console):
            def on_broken_pipe(self) -> None:
                # rich would exit 1 here; cli.main decides, as for every other write to a closed pipe.
                self.quiet = True
                raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

        # markup=False: messages quote user data such as "span [0, 3)", which is not markup.
        return ReportingConsole(stderr=self._stderr, highlight=False, soft_wrap=True, markup=False)

    def print(self, *objects: Any) -> None:
        self.console.print(*objects)

    @property
    def file(self) -> IO[str]:
        return self.console.file

    @property
    def is_terminal(self) -> bool:
        return self.console.is_terminal


out = LazyConsole(stderr=False)
err = LazyConsole(stderr=True)


def print_error(message: str) -> None:
    # Messages quote data (document ids, file names): its control characters print as escapes;
    # the message's own line breaks stay.
    message = "\n".join(printable(line) for line in message.split("\n"))
    try:
        from rich.text import Text

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
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn(what),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=err.console,
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
    from rich.table import Table

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
    if stats.assignments_by_annotator:
        assigned = Table(title="Assigned per annotator (their queue)")
        figures = ("assigned", "done", "in_progress", "skipped", "todo")
        assigned.add_column("annotator")
        for figure in figures:
            assigned.add_column(figure.replace("_", " "), justify="right")
        for name, counts in stats.assignments_by_annotator.items():
            assigned.add_row(name, *(str(counts[figure]) for figure in figures))
        out.print(assigned)
