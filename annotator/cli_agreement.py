"""`annotator agreement`: agreement between annotators' finished layers, as tables or --json.

The computation (annotator/agreement/, with numpy and the tokenizer) is imported when the
command runs, as every command's modules are (cli.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from annotator.cli_console import out
from annotator.errors import AnnotatorError
from annotator.models import STATUSES

PAIR_DASH = "–"


def add_comparison_options(parser: Any) -> None:
    """PROJECT and what is compared: the arguments `agreement` and `disagreements` share."""
    parser.add_argument("project", type=Path)
    parser.add_argument(
        "--annotators", metavar="NAME,NAME[,...]", help="whom to compare (default: everyone with a finished layer)"
    )
    parser.add_argument("--labels", help="only spans with these labels, comma-separated (e.g. ACTOR,DATE)")
    parser.add_argument(
        "--status", action="append", choices=STATUSES, help="what counts as finished (repeatable; default: done)"
    )


def add_agreement_command(commands: Any) -> None:
    """The `agreement` sub-command, on the parser's sub-commands."""
    agreement = commands.add_parser(
        "agreement",
        help="agreement between annotators on the documents they all finished: span F1, kappa, alpha",
    )
    add_comparison_options(agreement)
    agreement.add_argument("--tokenizer", choices=("spacy", "whitespace"), default="spacy", help="tokens of the kappas")
    agreement.add_argument(
        "--bootstrap",
        type=int,
        default=1000,
        metavar="N",
        help="replicates of the 95%% intervals (default 1000; 0: none)",
    )
    agreement.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    agreement.add_argument("--json", action="store_true", help="print the report as JSON (its form: README)")
    agreement.set_defaults(run=cmd_agreement)


def cmd_agreement(args: argparse.Namespace) -> int:
    try:
        from annotator.agreement import AgreementOptions, measure_agreement
    except ImportError as missing:
        if missing.name != "numpy":
            raise
        raise AnnotatorError("agreement needs numpy, which the spacy extra brings: pip install '.[spacy]'") from None
    from annotator.project import Project

    options = AgreementOptions(
        annotators=_names(args.annotators),
        labels=_names(args.labels),
        statuses=tuple(args.status or ("done",)),
        tokenizer=args.tokenizer,
        samples=args.bootstrap,
        seed=args.seed,
    )
    with Project.open(args.project) as project:
        report = measure_agreement(project, options)
    if args.json:
        import orjson

        out.file.write(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        print_agreement(report)
    return 0


def _names(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [name.strip() for name in value.split(",") if name.strip()]


Estimate = dict[str, float | None]


def value_text(estimate: Estimate) -> str:
    """0.873; '-' where the figure is undefined."""
    return "-" if estimate["value"] is None else f"{estimate['value']:.3f}"


def interval_text(estimate: Estimate) -> str:
    """0.851-0.894; empty without an interval."""
    if estimate["low"] is None or estimate["high"] is None:
        return ""
    return f"{estimate['low']:.3f}-{estimate['high']:.3f}"


def table(title: str, names: tuple[str, ...], figures: tuple[str, ...]) -> Any:
    """A rich Table with light borders: name columns left, figure columns right and never wrapped
    (the widest, the spans', fits the 80 columns of a pipe; long names wrap instead)."""
    from rich import box
    from rich.table import Table

    made = Table(
        title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False, show_edge=False, collapse_padding=True
    )
    for column in names:
        made.add_column(column)
    for column in figures:
        made.add_column(column, justify="right", no_wrap=True)
    return made


def pair_name(pair: dict[str, Any]) -> str:
    return f"{pair['first']}{PAIR_DASH}{pair['second']}"


def matched_text(counts: dict[str, Any]) -> str:
    return f"{counts['matched']} of {counts['first']}/{counts['second']}"


def print_agreement(report: dict[str, Any]) -> None:
    """The report as rich tables: spans, tokens, relations, attributes."""
    documents = report["documents"]
    finished = ", ".join(f"{name} {count}" for name, count in documents["finished"].items())
    tokens = report["tokens"]
    out.print(
        f"agreement of {', '.join(report['annotators'])} on {documents['compared']} document(s) "
        f"{'/'.join(report['statuses'])} in every layer (finished: {finished}); "
        f"{tokens['count']:,} {tokens['tokenizer']} tokens"
    )
    left_out = tokens["overlaps_left_out"]
    if any(left_out.values()):
        counts = ", ".join(f"{name} {count}" for name, count in left_out.items())
        out.print(f"spans in or across a longer one, left out of the token tags (IOB holds one per token): {counts}")
    samples = report["bootstrap"]["samples"]
    if samples:
        out.print(f"95%: bootstrap interval, {samples} resamples of the documents (seed {report['bootstrap']['seed']})")
    interval = ("95%",) if samples else ()
    spans = table(
        "Spans (P and R: the first of a pair as reference)",
        ("pair", "label", "match"),
        ("matched", "P", "R", "F1", *interval),
    )
    for pair in report["pairs"]:
        name = pair_name(pair)
        for label, exact in pair["spans"]["exact"].items():
            for kind, counts in (("exact", exact), ("overlap", pair["spans"]["overlap"][label])):
                figures = (value_text(counts["precision"]), value_text(counts["recall"]), value_text(counts["f1"]))
                spans.add_row(
                    name,
                    label if kind == "exact" else "",
                    kind,
                    matched_text(counts),
                    *figures,
                    *(interval_text(counts["f1"]),) * bool(samples),
                )
                name = ""
    out.print(spans)
    kappas = table(
        f"Tokens: IOB2 tags on {tokens['tokenizer']} tokens, as the hf export tags them",
        ("annotators", "coefficient"),
        ("value", *interval),
    )
    everyone = f"all {len(report['annotators'])}"
    rows = [(pair_name(pair), "Cohen's kappa", pair["cohen_kappa"]) for pair in report["pairs"]]
    rows.append((everyone, "Fleiss' kappa", report["all"]["fleiss_kappa"]))
    rows.append((everyone, "Krippendorff's alpha (nominal)", report["all"]["krippendorff_alpha"]))
    for who, coefficient, estimate in rows:
        kappas.add_row(who, coefficient, value_text(estimate), *(interval_text(estimate),) * bool(samples))
    out.print(kappas)
    _print_relations_and_attributes(report, interval)


def _print_relations_and_attributes(report: dict[str, Any], interval: tuple[str, ...]) -> None:
    relations = table(
        "Relations (same label, both ends matched by overlap)",
        ("pair", "relation"),
        ("matched", "P", "R", "F1", *interval),
    )
    attributes = table("Attributes of overlap-matched spans", ("pair", "attribute"), ("compared", "agreed", *interval))
    for pair in report["pairs"]:
        name = pair_name(pair)
        for label, counts in pair["relations"].items():
            figures = (value_text(counts["precision"]), value_text(counts["recall"]), value_text(counts["f1"]))
            relations.add_row(
                name, label, matched_text(counts), *figures, *(interval_text(counts["f1"]),) * bool(interval)
            )
            name = ""
        name = pair_name(pair)
        for attribute, counts in pair["attributes"].items():
            agreement = counts["agreement"]
            attributes.add_row(
                name,
                attribute,
                str(counts["compared"]),
                value_text(agreement),
                *(interval_text(agreement),) * bool(interval),
            )
            name = ""
    first = report["pairs"][0]
    if len(first["relations"]) > 1:  # a relation besides "all": some relation's ends are among the labels
        out.print(relations)
    if first["attributes"]:
        out.print(attributes)
