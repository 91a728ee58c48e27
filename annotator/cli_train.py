"""`annotator train PROJECT -o MODEL`: a spaCy pipeline from one layer's done documents, its
per-label precision, recall and F1 on dev (stdout), spaCy's per-epoch progress on stderr.

The training (annotator/suggest/training.py, with spaCy) is imported when the command runs.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import IO, Any

from annotator.cli_console import err, out

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def add_train_command(commands: Any) -> None:
    """The `train` sub-command, on the parser's sub-commands."""
    train = commands.add_parser(
        "train",
        help="train a spaCy pipeline (ner, spancat) from a layer's done documents, for the model suggestion source",
    )
    train.add_argument("project", type=Path)
    train.add_argument("-o", "--output", required=True, type=Path, help="the pipeline folder to write (MODEL)")
    train.add_argument(
        "--layer",
        metavar="NAME[,NAME...]",
        help="the layer to learn from (default: gold); with several names, per document the first one it has "
        "done (e.g. gold,alice)",
    )
    train.add_argument("--epochs", type=int, default=10, metavar="N", help="passes over the training set (default 10)")
    train.add_argument(
        "--force",
        action="store_true",
        help="replace an earlier model's folder even if its files changed since (never a folder with other files)",
    )
    train.set_defaults(run=cmd_train)


def cmd_train(args: argparse.Namespace) -> int:
    from annotator.project import Project
    from annotator.suggest.training import TrainOptions, train_model

    options = TrainOptions(layer=args.layer, epochs=args.epochs, force=args.force)
    with Project.open(args.project) as project:
        result = train_model(project, args.output, options, _progress_stream())
    data = result.data
    out.print(
        f"trained on {data.documents['train']} document(s) of layer {','.join(data.layers)}, "
        f"evaluated on {data.documents['dev']} (dev); ner: {', '.join(data.plan.ner) or '-'}; "
        f"spancat: {', '.join(data.plan.spancat) or '-'}"
    )
    for note in data.notes:
        err.print(note)
    from annotator.cli_agreement import table

    scores = table("Dev scores (spaCy's scorer)", ("label", "component"), ("precision", "recall", "F1"))
    for score in result.scores:
        scores.add_row(score.label, score.component, *(_figure(v) for v in (score.precision, score.recall, score.f1)))
    out.print(scores)
    out.print(
        f"wrote {result.output}; use it with `annotator suggest {args.project} --model {result.output}` "
        "or suggestions.model in project.yaml"
    )
    return 0


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


class _PlainText:
    """stderr without spaCy's colour codes, where it is not a terminal (a log file, a pipe)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(ANSI_ESCAPE.sub("", text))

    def flush(self) -> None:
        self.stream.flush()


def _progress_stream() -> Any:
    return sys.stderr if sys.stderr.isatty() else _PlainText(sys.stderr)
