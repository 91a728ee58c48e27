"""`annotator suggest`: run suggestion sources over a project's documents and store what they propose.

The run itself is annotator/suggest/run.py (the window uses it too); this module reads the command
line and reports: a progress bar on a terminal, a line per source, and one `error:` line per
source that failed (exit 1 then, after the others finished).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from annotator.cli_console import out, print_error, progress_bar

DESCRIPTION = """\
Run suggestion sources over the project's documents and store their proposals as suggestions
(not spans: an annotator accepts or rejects them in the window). A source's earlier suggestions
for the documents it runs over are replaced; rejected ones stay rejected.

Documents are read, proposed for and written a page at a time, each page in one short write
transaction: readers (the window, an export) never wait for the run, memory stays flat in corpus
size, and a run that is interrupted leaves whole pages written, each consistent. Suggestions are
recomputable: run it again to finish.

Exit status: 0 when every source ran over every document; 1 when the run could not start
(unknown source, missing model, a source that cannot be built: nothing is written) or when a
source failed part way (one error line names it; the other sources still ran to the end, and
its pages written before the failure stay).
"""


def add_suggest_command(commands: Any) -> None:
    """The `suggest` sub-command, on the parser's sub-commands."""
    suggest = commands.add_parser(
        "suggest",
        help="run suggestion sources (patterns, memory, dates, model, layer:NAME) and store their proposals",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    suggest.add_argument("project", type=Path)
    suggest.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="NAME",
        help="patterns, memory, dates, model or layer:NAME (another layer's spans, e.g. layer:model); repeatable "
        "(default: project.yaml's suggestions.sources; with --model alone: the model)",
    )
    suggest.add_argument(
        "--model", type=Path, help="the model source's spaCy pipeline folder (default: suggestions.model)"
    )
    suggest.add_argument(
        "--documents",
        choices=("all", "unfinished"),
        default="all",
        help="all documents (default), or those the annotator has not marked done or skipped",
    )
    suggest.add_argument(
        "--annotator", metavar="NAME", help="whose layer --documents unfinished looks at (default: your login name)"
    )
    suggest.set_defaults(run=cmd_suggest)


def cmd_suggest(args: argparse.Namespace) -> int:
    from annotator.project import Project, default_annotator_name
    from annotator.suggest.run import annotator_id, count_documents, prepare_sources, run_sources, source_names

    with Project.open(args.project) as project:
        names = source_names(project, args.source, args.model)
        sources = prepare_sources(project, names, args.model)
        layer = annotator_id(project, args.annotator or default_annotator_name()) if args.documents != "all" else None
        total = count_documents(project, args.documents, layer)
        with progress_bar("suggesting", total) as advance:
            report = run_sources(project, sources, args.documents, layer, advance)
    for summary in report.sources:
        failed = " (stopped: see the error below)" if summary.failure is not None else ""
        out.print(
            f"{summary.name}: {summary.documents} of {report.documents} document(s), "
            f"{summary.written} suggestion(s) written{failed}"
        )
    for summary in report.failed:
        print_error(f"{summary.failure}; its suggestions for {summary.documents} document(s) were written before that")
    return 1 if report.failed else 0
