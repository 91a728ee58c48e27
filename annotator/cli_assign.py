"""`annotator assign`: give every document K annotators (annotator/team/assign.py), and say what it did."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from annotator.cli_console import out

SHOWN_PAIRS = 6  # more pairs than this are summed up as their least and most

DESCRIPTION = """\
Give every document of the project (or of --documents) K of the annotators named, balanced:
documents in import order, each to the annotators with the fewest assignments so far, among
equals to those who share the fewest documents with the ones it has (the pairs agreement
compares stay balanced), then by a hash of the seed, the document's id and the name.

Stable: assignments are never moved or removed. Run it again after importing documents and it
assigns only the new ones (and any left short of K); run it twice and nothing changes.

Once a project has assignments, an annotator with some sees only their documents in the window
(the list, next unfinished, the type-ahead); one without any, the lead say, sees all. On a team
database every annotator member sees only theirs (reviewers and admins see all), the names must
be members, and only admins may assign.

--documents (repeatable; every condition must hold):
  id:GLOB          the document's id matches GLOB (* and ?), e.g. id:nk-2014-*
  meta.KEY=VALUE   the document's meta field KEY is VALUE (a string as is, else its JSON: 2, true)
  file:PATH        the document's id is one of PATH's lines (every line must be a document of the project)
"""


def add_assign_command(commands: Any) -> None:
    """The `assign` sub-command, on the parser's sub-commands."""
    assign = commands.add_parser(
        "assign",
        help="give every document K annotators, balanced and stable (the window shows each their queue)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    assign.add_argument("project", type=Path)
    assign.add_argument("--annotators", required=True, metavar="NAME,NAME...", help="who to assign to, comma-separated")
    assign.add_argument(
        "--per-document", required=True, type=int, metavar="K", help="how many annotators each document gets"
    )
    assign.add_argument(
        "--documents",
        action="append",
        default=[],
        metavar="QUERY",
        help="only these documents: id:GLOB, meta.KEY=VALUE or file:PATH (see above; default: every document)",
    )
    assign.add_argument("--seed", type=int, default=0, help="seed of the tie-breaking hash (default 0)")
    assign.add_argument("--dry-run", action="store_true", help="print what it would assign; write nothing")
    assign.set_defaults(run=cmd_assign)


def cmd_assign(args: argparse.Namespace) -> int:
    from rich.table import Table

    from annotator.project import Project
    from annotator.team.assign import assign_documents, parse_document_query

    names = [name.strip() for name in args.annotators.split(",") if name.strip()]
    query = parse_document_query(args.documents) if args.documents else None
    with Project.open(args.project) as project:
        report = assign_documents(project, names, args.per_document, query, args.seed, args.dry_run)
    would = "would assign" if report.dry_run else "assigned"
    out.print(
        f"{'dry run (nothing written): ' if report.dry_run else ''}{report.documents} document(s), "
        f"{args.per_document} annotator(s) each: {would} {report.added_total} new; "
        f"{report.already_full} document(s) had {args.per_document} already"
    )
    table = Table(title="Assignments per annotator")
    table.add_column("annotator")
    table.add_column("would assign now" if report.dry_run else "assigned now", justify="right")
    table.add_column("in total", justify="right")
    for name in names:
        table.add_row(name, str(report.added[name]), str(report.totals[name]))
    out.print(table)
    if report.shared:
        figures = sorted(report.shared.values())
        listed = ", ".join(f"{first}+{second} {count}" for (first, second), count in report.shared.items())
        out.print(
            "documents each pair shares (agreement is measured on these): "
            + (listed if len(report.shared) <= SHOWN_PAIRS else f"{figures[0]} to {figures[-1]}")
            + f" over {len(figures)} pair(s)"
        )
    return 0
