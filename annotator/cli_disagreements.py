"""`annotator disagreements`: where annotators' finished layers disagree, one line each (or JSON lines).

The list comes from annotator/agreement/disagreements.py, imported when the command runs;
lines are written as each document is read, so the first ones show at once and memory stays
flat over a big project. A count goes to standard error at the end, keeping standard output
one disagreement a line.
"""

from __future__ import annotations

import argparse
from typing import Any

from annotator.cli_agreement import add_comparison_options
from annotator.cli_console import err, out
from annotator.errors import AnnotatorError

KIND_NAMES = ("missing", "label", "boundary", "relation", "attribute")  # the core's KINDS, without importing it


def add_disagreements_command(commands: Any) -> None:
    """The `disagreements` sub-command, on the parser's sub-commands."""
    found = commands.add_parser(
        "disagreements",
        help="where annotators disagree, on the documents they all finished: one line per disagreement",
    )
    add_comparison_options(found)
    found.add_argument(
        "--kind",
        action="append",
        metavar="KIND[,KIND...]",
        help=f"only these kinds (repeatable or comma-separated): {', '.join(KIND_NAMES)} (default: all)",
    )
    found.add_argument("--json", action="store_true", help="one JSON object per line (its form: README)")
    found.set_defaults(run=cmd_disagreements)


def cmd_disagreements(args: argparse.Namespace) -> int:
    kinds = _kinds(args.kind)
    try:
        from annotator.agreement.disagreements import DisagreementOptions, DisagreementScan
    except ImportError as missing:
        if missing.name != "numpy":
            raise
        raise AnnotatorError(
            "disagreements needs numpy, which the spacy extra brings: pip install '.[spacy]'"
        ) from None
    import orjson

    from annotator.gcpause import collector_paused
    from annotator.project import Project

    options = DisagreementOptions(
        annotators=_names(args.annotators),
        labels=_names(args.labels),
        statuses=tuple(args.status or ("done",)),
        kinds=kinds,
    )
    count = documents_with = 0
    write = out.file.write
    # Bulk work making no cycles, as agreement and export: the collector would only rescan the rows.
    with collector_paused(), Project.open(args.project) as project, DisagreementScan(project, options) as scan:
        for found in scan.documents():
            if found:
                documents_with += 1
                count += len(found)
                if args.json:
                    write("".join(orjson.dumps(d.as_json()).decode() + "\n" for d in found))
                else:
                    write("".join(d.describe() + "\n" for d in found))
        compared, annotators = len(scan.document_ids), ", ".join(scan.annotators)
    out.file.flush()
    err.print(
        f"{count} disagreement(s) in {documents_with} of {compared} document(s) "
        f"{'/'.join(options.statuses)} in every layer of {annotators}"
    )
    return 0


def _names(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [name.strip() for name in value.split(",") if name.strip()]


def _kinds(values: list[str] | None) -> tuple[str, ...]:
    if not values:
        return KIND_NAMES
    asked = [kind for value in values for kind in _names(value) or ()]
    for kind in asked:
        if kind not in KIND_NAMES:
            raise AnnotatorError(f"--kind {kind}: unknown kind (use one of {', '.join(KIND_NAMES)})")
    if not asked:
        raise AnnotatorError(f"--kind names no kind (use one of {', '.join(KIND_NAMES)})")
    return tuple(kind for kind in KIND_NAMES if kind in asked)
