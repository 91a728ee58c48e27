"""The dashboard as words and numbers: the per-annotator table of `annotator stats`, and the cells the window shows.

Both the command line and the window's Dashboard panel format the report's numbers here, so
they say the same thing.
"""

from __future__ import annotations

from typing import Any

from annotator.cli_console import out

NO_FIGURE = "-"
PROGRESS_COLUMNS = ("annotator", "done", "in progress", "skipped", "spans", "median time/doc", "timed")
GOLD_COLUMNS = ("annotator", "documents", "exact P", "R", "F1", "overlap P", "R", "F1")


def seconds_text(seconds: float | None) -> str:
    """41.5 s, 3 min 05 s, 1 h 02 min; '-' for no time recorded."""
    if seconds is None:
        return NO_FIGURE
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def figure_text(value: float | None) -> str:
    return NO_FIGURE if value is None else f"{value:.3f}"


def progress_row(annotator: dict[str, Any]) -> tuple[str, ...]:
    """One row of PROGRESS_COLUMNS: documents, spans, the median reading time and how many documents it is over."""
    documents, time = annotator["documents"], annotator["time"]
    return (
        annotator["name"],
        str(documents["done"]),
        str(documents["in_progress"]),
        str(documents["skipped"]),
        str(annotator["spans_total"]),
        seconds_text(time["median_seconds"]),
        str(time["documents_timed"]),
    )


def gold_rows(report: dict[str, Any]) -> list[tuple[str, ...]]:
    """Rows of GOLD_COLUMNS, one per annotator compared with gold (none without a gold layer)."""
    rows = []
    for annotator in report["annotators"]:
        against = annotator["against_gold"]
        if against is None:
            continue
        exact, overlap = against["exact"], against["overlap"]
        rows.append(
            (
                annotator["name"],
                str(against["documents"]),
                *(figure_text(exact[figure]) for figure in ("precision", "recall", "f1")),
                *(figure_text(overlap[figure]) for figure in ("precision", "recall", "f1")),
            )
        )
    return rows


def gold_summary(report: dict[str, Any]) -> str:
    """What the agreement with gold is over, or why there is none."""
    gold = report["gold"]
    if not gold["present"]:
        return f"agreement with gold: the project has no layer named {gold['annotator']!r} (--gold NAME names another)"
    return (
        f"agreement with {gold['annotator']!r} (the reference of P and R) on the documents both finished "
        f"({gold['status']}); exact and overlap span matching, all labels"
    )


def print_dashboard(report: dict[str, Any]) -> None:
    """The per-annotator tables: progress and time, spans per label, agreement with gold."""
    from rich import box
    from rich.table import Table

    def table(title: str, columns: tuple[str, ...]) -> Table:
        made = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False, show_edge=False)
        for index, column in enumerate(columns):
            made.add_column(column, justify="left" if index == 0 else "right", no_wrap=index > 0)
        return made

    progress = table("Per annotator", PROGRESS_COLUMNS)
    for annotator in report["annotators"]:
        progress.add_row(*progress_row(annotator))
    out.print(progress)
    labels = tuple(dict.fromkeys(label for annotator in report["annotators"] for label in annotator["spans"]))
    by_label = table("Spans per label and annotator", ("annotator", *labels))
    for annotator in report["annotators"]:
        by_label.add_row(annotator["name"], *(str(annotator["spans"].get(label, 0)) for label in labels))
    out.print(by_label)
    out.print(gold_summary(report))
    rows = gold_rows(report)
    if rows:
        against = table("Agreement with gold", GOLD_COLUMNS)
        for row in rows:
            against.add_row(*row)
        out.print(against)
