"""`annotator` on the command line: init, import, export, stats, schema check.

Every failure prints as one `error: ...` line and exits 1: what the core reports on purpose
(an AnnotatorError), a wrong command line, a storage error (read-only or full database or
disk), and, as a last resort, any bug (its traceback only with --debug). See cli_errors.py.

Each command imports what it uses when it runs (the store, importers, exporters): `annotator`
alone opens the window, which must not wait for the command line's modules (SQLAlchemy, rich),
and `annotator stats` loads no exporter.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from annotator import __version__
from annotator.cli_agreement import add_agreement_command
from annotator.cli_assign import add_assign_command
from annotator.cli_console import err, out, print_error, print_stats_tables, progress_bar
from annotator.cli_disagreements import add_disagreements_command
from annotator.cli_errors import (
    CommandLineParser,
    after_failure,
    debug_wanted,
    format_traceback,
    internal_problem,
    name_in,
    reader_gone,
    silence_standard_output,
    storage_errors,
    storage_problem,
)
from annotator.cli_export import cmd_export
from annotator.cli_suggest import add_suggest_command
from annotator.cli_team import add_team_command
from annotator.cli_train import add_train_command
from annotator.errors import AnnotatorError
from annotator.formats import BY_NAME, OFFSET_UNITS, READABLE, TRAINING, WRITABLE
from annotator.models import STATUSES
from annotator.window import open_window

WindowRunner = Callable[[Path | None], int]  # None: the example project
MERGE_RULES = ("union", "majority", "intersection")  # layer_merge.RULES, not imported: it loads orjson


def cmd_schema_migrate(args: argparse.Namespace) -> int:
    from annotator.project import Project
    from annotator.stats import project_stats

    renames = dict(_pair(item, "--rename") for item in args.rename)
    with Project.open(args.project, renames=renames) as project:
        stats = project_stats(project)
    moved = ", ".join(f"{old} -> {new}" for old, new in renames.items()) or "nothing to rename"
    out.print(
        f"{args.project}: schema {project.schema.name} v{project.schema.version} in use ({moved}); "
        f"spans per label: " + ", ".join(f"{label} {count}" for label, count in stats.spans_by_label.items())
    )
    return 0


def main(argv: Sequence[str] | None = None, run_window: WindowRunner = open_window) -> int:
    """Run one command; with none (or `gui`), open the window on a project (the example by default).

    `annotator PROJECT` (`python main.py PROJECT`), a folder and nothing else, opens that project.

    The one place where every failure becomes one `error:` line and exit 1: no command prints
    a traceback (unless --debug or ANNOTATOR_DEBUG=1 asks for it, after an internal error).
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    debug = debug_wanted(arguments)
    arguments = [a for a in arguments if a != "--debug"]  # accepted anywhere on the line
    command: str | None = None
    where = ""
    try:
        if not arguments:
            return run_window(None)
        if len(arguments) == 1 and Path(arguments[0]).is_dir():
            return run_window(Path(arguments[0]))
        args = build_parser().parse_args(arguments)
        command = args.command
        where = f"{args.project}: " if getattr(args, "project", None) is not None else ""
        if args.command in (None, "gui"):
            return run_window(getattr(args, "project", None))
        from annotator.atomic import interrupt_on_termination

        with interrupt_on_termination():  # SIGTERM/SIGHUP clean up as Ctrl+C does
            return int(args.run(args) or 0)
    except Exception as error:
        if reader_gone(error):  # `... | head`: the reader has what it wanted; nothing to report
            return silence_standard_output()
        report_failure(error, command, where, debug)
    except KeyboardInterrupt as interruption:
        err.print("interrupted; nothing was left half-written")
        return 128 + getattr(interruption, "signum", signal.SIGINT)
    return 1


def report_failure(error: Exception, command: str | None, where: str, debug: bool) -> None:
    """The one `error:` line for any failure of a command."""
    if isinstance(error, AnnotatorError):
        print_error(str(error))
    elif isinstance(error, storage_errors()):
        if debug:
            err.file.write(format_traceback(error))
        consequence = after_failure(command)
        where = "" if isinstance(error, OSError | MemoryError) else where  # an OSError names its own file
        print_error(where + storage_problem(error) + (f"; {consequence}" if consequence else ""))
    else:  # the last resort: a bug, still one line
        if debug:
            err.file.write(format_traceback(error))
        print_error(internal_problem(error, debug))


def build_parser() -> argparse.ArgumentParser:
    parser = CommandLineParser(
        prog="annotator",
        description="Label actors, claims and dates in text; export them for model training.",
    )
    parser.add_argument("--version", action="version", version=f"annotator {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="after an internal error, print its traceback (ANNOTATOR_DEBUG=1 too)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    init = commands.add_parser("init", help="create a project folder with a schema and a database")
    init.add_argument("project", type=Path, help="folder to create")
    init.add_argument("--schema", type=Path, default=None, help="label schema YAML (default: the example's news.yaml)")
    init.add_argument("--name", help="project name (default: the folder's name)")
    init.set_defaults(run=cmd_init)

    imp = commands.add_parser(
        "import", help=f"import {', '.join(BY_NAME[name].title for name in READABLE)}, or folders"
    )
    imp.add_argument("project", type=Path)
    imp.add_argument("paths", type=Path, nargs="+", metavar="FILE_OR_FOLDER")
    imp.add_argument("--annotator", help="put the spans into this annotator's layer")
    imp.add_argument("--skip-invalid", action="store_true", help="import the valid records and list the rest")
    imp.add_argument(
        "--format",
        dest="format_name",
        type=name_in(READABLE, "format"),
        help="the files' format (default: detected from each file)",
    )
    imp.add_argument("--map", action="append", default=[], metavar="OLD=NEW", help="rename a label (repeatable)")
    imp.add_argument("--drop", action="append", default=[], metavar="LABEL", help="leave out a label (repeatable)")
    imp.add_argument(
        "--replace",
        action="store_true",
        help="replace a document's existing layer by a different one from the file (undo: annotator undo-import)",
    )
    _add_offsets_option(imp)
    imp.set_defaults(run=cmd_import)

    undo = commands.add_parser("undo-import", help="take back an import: its documents, layers and replacements")
    undo.add_argument("project", type=Path)
    undo.add_argument("event", type=int, help="the import's event number (its summary names it)")
    undo.set_defaults(run=cmd_undo_import)

    other_formats = [name for name in WRITABLE if name != "jsonl"]
    exp = commands.add_parser(
        "export",
        help=f"export the annotations: native JSONL, or --format {'|'.join(other_formats)}",
    )
    exp.add_argument("project", type=Path)
    exp.add_argument("-o", "--output", required=True, help="file to write, or - for standard output")
    exp.add_argument("--status", action="append", choices=STATUSES, help="only layers with this status (repeatable)")
    exp.add_argument("--annotator", help="only this annotator's layer")
    exp.add_argument(
        "--layer",
        metavar="NAME[,NAME...]",
        help="one layer per document: the named annotator's (e.g. gold); with several names, the first one a "
        f"document has (e.g. gold,alice). Training formats ({', '.join(TRAINING)}) take it among the finished "
        "(done, or --status) layers, the others among all (or --status)",
    )
    exp.add_argument(
        "--merge",
        choices=MERGE_RULES,
        help="one layer per document merged from its finished (done, or --status) layers: union (spans any "
        "layer has), majority (more than half), intersection (all). Spans match exactly (start, end and label); "
        "attributes take the value most layers give, relations and document labels follow the same rule. "
        "Exported as annotator merged-RULE, status done",
    )
    exp.add_argument(
        "--annotators",
        metavar="NAME,NAME...",
        help="with --merge: the layers to merge (default: every annotator's but gold, reference and model)",
    )
    exp.add_argument("--merge-name", metavar="NAME", help="with --merge: the merged layer's annotator name")
    exp.add_argument("--labels", help="only spans with these labels, comma-separated (e.g. ACTOR,DATE)")
    exp.add_argument(
        "--format",
        dest="format_name",
        default="jsonl",
        type=name_in(WRITABLE, "format"),
        help="output format (default: jsonl, the native form)",
    )
    exp.add_argument(
        "--include-suggestions",
        action="store_true",
        help="add the documents' suggestions, less those the exported layer rejected: jsonl as each record's "
        "suggestions and suggested_relations, label-studio as predictions (model_version: the source), every "
        "other format as spans beside the layer's (silver data; one overlapping a span of its label is left out)",
    )
    exp.add_argument("--split", help="train/dev/test ratios by document, e.g. 0.8,0.1,0.1; -o is then a folder")
    exp.add_argument("--seed", type=int, default=0, help="seed of the split (default 0)")
    exp.add_argument(
        "--force",
        action="store_true",
        help="replace an earlier export's folder even if its files changed since (never a folder with other files)",
    )
    exp.add_argument("--tokenizer", choices=("spacy", "whitespace"), default="spacy", help="for token formats")
    exp.add_argument(
        "--misaligned",
        choices=("expand", "contract", "skip"),
        default="expand",
        help="a span not on token boundaries (default: expand to whole tokens)",
    )
    exp.add_argument(
        "--overlaps",
        choices=("longest", "first", "skip"),
        default="longest",
        help="overlapping spans in a format that cannot hold them (default: keep the longest)",
    )
    _add_offsets_option(exp)
    exp.set_defaults(run=cmd_export)

    stats = commands.add_parser(
        "stats", help="documents per status, spans per label; per annotator: done, time, agreement with gold"
    )
    stats.add_argument("project", type=Path)
    stats.add_argument("--gold", default="gold", metavar="NAME", help="the layer to compare with (default: gold)")
    stats.add_argument("--json", action="store_true", help="print the dashboard as JSON (its form: README)")
    stats.set_defaults(run=cmd_stats)
    add_agreement_command(commands)
    add_disagreements_command(commands)
    add_suggest_command(commands)
    add_train_command(commands)
    add_team_command(commands)  # team init | add | list | remove (cli_team.py)
    add_assign_command(commands)

    schema = commands.add_parser("schema", help="work with label schemas")
    schema_commands = schema.add_subparsers(dest="schema_command", metavar="SUBCOMMAND", required=True)
    check = schema_commands.add_parser("check", help="validate a schema file and list every problem")
    check.add_argument("file", type=Path)
    check.set_defaults(run=cmd_schema_check)
    migrate = schema_commands.add_parser(
        "migrate", help="open a project with its changed schema, moving spans from old labels to new ones"
    )
    migrate.add_argument("project", type=Path)
    migrate.add_argument("--rename", action="append", default=[], metavar="OLD=NEW", help="repeatable")
    migrate.set_defaults(run=cmd_schema_migrate)

    gui = commands.add_parser("gui", help="open the annotation window (needs the gui extra)")
    gui.add_argument(
        "project",
        type=Path,
        nargs="?",
        default=None,
        help="project folder (default: the example project, copied to $XDG_DATA_HOME/annotator/example)",
    )
    gui.set_defaults(run=None)
    return parser


def cmd_init(args: argparse.Namespace) -> int:
    from annotator.example_project import default_schema
    from annotator.new_project import create_project

    root: Path = args.project
    with default_schema() as news:
        name, schema = create_project(root, args.schema or news, args.name)
    out.print(f"created project {name!r} in {root} (schema {schema.name} v{schema.version})")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from annotator.importers import LabelMapping, import_paths, input_size
    from annotator.project import Project

    mapping = LabelMapping(rename=dict(_pair(item) for item in args.map), drop=frozenset(args.drop))
    with Project.open(args.project) as project, progress_bar("importing", input_size(args.paths)) as advance:
        report = import_paths(
            project,
            args.paths,
            annotator=args.annotator,
            skip_invalid=args.skip_invalid,
            progress=advance,
            format_name=args.format_name,
            mapping=mapping,
            offsets=args.offsets,
            replace=args.replace,
        )
    out.print(
        f"imported {report.documents_added} document(s), {report.spans_added} span(s), "
        f"{report.relations_added} relation(s) in {report.layers_added} layer(s); "
        f"skipped {report.documents_skipped} document(s) already in the project"
        + (f" and {report.layers_skipped} layer(s) already there" if report.layers_skipped else "")
    )
    if report.layers_replaced:
        out.print(f"replaced {report.layers_replaced} layer(s)")
    if report.suggestions_added:
        out.print(f"added {report.suggestions_added} suggestion(s) (proposals, in no layer)")
    out.print(f"event {report.event_id} (annotator undo-import {args.project} {report.event_id} takes it back)")
    for reason, number in sorted(report.set_aside.items()):
        out.print(f"{number} record(s) with {reason}: text imported, annotations not")
    if report.spans_dropped or report.relations_dropped:
        out.print(f"dropped {report.spans_dropped} span(s) and {report.relations_dropped} relation(s) (--drop)")
    for problem in report.invalid:
        err.print(f"skipped {problem}")
    return 0


def _add_offsets_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--offsets",
        choices=OFFSET_UNITS,
        help="doccano offsets: utf16 (doccano's default), graphemes (its grapheme mode) or codepoints",
    )


def cmd_undo_import(args: argparse.Namespace) -> int:
    from annotator.importers.import_log import undo_import
    from annotator.project import Project

    with Project.open(args.project) as project:
        report = undo_import(project, args.event)
    out.print(
        f"undid import event {args.event}: removed {report.documents_removed} document(s) and "
        f"{report.layers_removed} layer(s), restored {report.layers_restored} replaced layer(s) "
        f"(event {report.event_id})"
    )
    return 0


def _pair(item: str, flag: str = "--map") -> tuple[str, str]:
    old, sep, new = item.partition("=")
    if not sep or not old or not new:
        raise AnnotatorError(f"{flag} {item!r}: write it as OLD=NEW, e.g. {flag} PER=ACTOR")
    return old, new


def cmd_stats(args: argparse.Namespace) -> int:
    from annotator.dashboard import dashboard
    from annotator.project import Project

    with Project.open(args.project) as project:
        board = dashboard(project, gold=args.gold)
    if args.json:
        import orjson

        out.file.write(orjson.dumps(board.report, option=orjson.OPT_INDENT_2).decode() + "\n")
        return 0
    from annotator.dashboard_text import print_dashboard

    schema = board.report["schema"]
    out.print(
        f"{board.report['project']}: {board.stats.documents} document(s), schema "
        f"{schema['name']} v{schema['version']} ({schema['sha256'][:12]})"
    )
    print_stats_tables(board.stats)
    print_dashboard(board.report)
    return 0


def cmd_schema_check(args: argparse.Namespace) -> int:
    from annotator.schema import load_schema
    from annotator.suggest.pattern_files import schema_entries

    schema = load_schema(args.file)
    schema_entries(schema)  # spaCy checks the labels' token patterns (imported only if there are any)
    out.print(
        f"{args.file}: ok — schema {schema.name} v{schema.version}, {len(schema.labels)} label(s), "
        f"{len(schema.relations)} relation(s), sha256 {schema.sha256[:12]}"
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
