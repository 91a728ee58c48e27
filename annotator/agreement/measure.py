"""`annotator agreement`: how far annotators agree, on the documents they all finished.

The report is a plain dict, the same that `--json` prints (its form is documented in
__init__.py). It reads one snapshot of the database (read.py), counts per document
(tally.py), sums the counts and evaluates every figure on the sums (figures.py), then on
bootstrap replicates of the sums for the 95% intervals (bootstrap.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy

from annotator.agreement.bootstrap import interval, replicate_sums
from annotator.agreement.figures import ALL, MATCH_FIGURES, SPAN_KINDS, Key, as_number, evaluate
from annotator.agreement.read import (
    checked_labels,
    choose_annotators,
    group_attribute_names,
    read_documents,
    shared_documents,
)
from annotator.agreement.tally import DocumentTally, Layout
from annotator.db.engine import read_snapshot
from annotator.errors import ValidationError
from annotator.exporters.base import ExportOptions
from annotator.exporters.tokens import make_tokenizer
from annotator.gcpause import collector_paused
from annotator.models import STATUSES
from annotator.project import Project

CONFIDENCE = 0.95
OVERLAP_MATCHING = "one-to-one, same label, greedy by largest overlap"


@dataclass(frozen=True)
class AgreementOptions:
    annotators: Sequence[str] | None = None  # None: every annotator with a finished layer
    labels: Sequence[str] | None = None  # None: every label of the schema
    statuses: Sequence[str] = ("done",)  # a layer counts as finished with one of these
    tokenizer: Literal["spacy", "whitespace"] = "spacy"
    samples: int = 1000  # bootstrap replicates; 0: no intervals
    seed: int = 0


def measure_agreement(project: Project, options: AgreementOptions = AgreementOptions()) -> dict[str, Any]:
    """The agreement report (its form: the package's doc)."""
    schema = project.schema
    labels = checked_labels(project, options.labels)
    for status in options.statuses:
        if status not in STATUSES:
            raise ValidationError(f"unknown status {status!r} (use one of {', '.join(STATUSES)})")
    if options.samples < 0:
        raise ValidationError(f"--bootstrap {options.samples}: give a number of replicates, 0 or more")
    tokenize = make_tokenizer(ExportOptions(tokenizer=options.tokenizer, language=project.config.language))
    attributes = tuple(
        (label.name, attribute.name)
        for label in schema.labels
        if label.name in labels
        for attribute in label.attributes
    )
    with collector_paused(), read_snapshot(project.engine) as connection:
        chosen = choose_annotators(connection, project.id, options.annotators, options.statuses)
        documents = shared_documents(connection, project.id, chosen.ids, options.statuses)
        if not documents:
            finished = ", ".join(f"{name} {count}" for name, count in chosen.finished.items())
            raise ValidationError(
                f"no document is {'/'.join(options.statuses)} in every layer of {', '.join(chosen.names)} "
                f"(each finished: {finished}); choose others with --annotators or --status"
            )
        relations = tuple(
            relation.name
            for relation in schema.relations
            if set(relation.head) & set(labels) and set(relation.tail) & set(labels)
        )
        layout = Layout(chosen.names, labels, relations, attributes)
        tally = DocumentTally(layout, tokenize, group_attribute_names(attributes))
        rows = numpy.empty((len(documents), layout.width), dtype=numpy.int64)
        for index, document in enumerate(read_documents(connection, documents, chosen.ids, labels)):
            rows[index] = tally.row(document)
    sums = rows.sum(axis=0)
    point = evaluate(layout, sums)
    replicated = evaluate(layout, replicate_sums(rows, options.samples, options.seed)) if options.samples else None

    def estimate(key: Key) -> dict[str, float | None]:
        low, high = interval(replicated[key], CONFIDENCE) if replicated is not None else (None, None)
        return {"value": as_number(point[key]), "low": low, "high": high}

    return {
        "annotators": list(chosen.names),
        "statuses": list(options.statuses),
        "labels": list(labels),
        "documents": {"compared": len(documents), "finished": chosen.finished},
        "tokens": {
            "count": int(layout.block(sums, "tokens")),
            "tokenizer": options.tokenizer,
            # Spans off token boundaries, tagged as the whole tokens they touch; spans inside or across
            # a longer one, which IOB cannot hold: left out of the tags (as in the hf export).
            "misaligned": dict(zip(chosen.names, tally.misaligned, strict=True)),
            "overlaps_left_out": dict(zip(chosen.names, tally.overlaps_left_out, strict=True)),
        },
        "matching": {"exact": "same start, end and label", "overlap": OVERLAP_MATCHING},
        "bootstrap": {
            "samples": options.samples,
            "seed": options.seed,
            "confidence": CONFIDENCE,
            "resampled": "documents",
        },
        "pairs": [_pair(layout, sums, pair, estimate) for pair in range(len(layout.pairs))],
        "all": {"fleiss_kappa": estimate(("fleiss_kappa",)), "krippendorff_alpha": estimate(("krippendorff_alpha",))},
    }


def _pair(layout: Layout, sums: Any, pair: int, estimate: Callable[[Key], dict[str, float | None]]) -> dict[str, Any]:
    first, second = layout.pairs[pair]
    spans = layout.block(sums, "spans")

    def matched_counts(prefix: Key, names: tuple[str, ...], matched: Any, counts: Any) -> dict[str, Any]:
        table: dict[str, Any] = {}
        for index, name in enumerate((*names, ALL)):
            pick = (slice(None),) if name == ALL else (index,)
            table[name] = {
                "first": int(counts[first][pick].sum()),
                "second": int(counts[second][pick].sum()),
                "matched": int(matched[pick].sum()),
                **{figure: estimate((*prefix, name, figure)) for figure in MATCH_FIGURES},
            }
        return table

    compared = layout.block(sums, "attributes_compared")[pair]
    agreed = layout.block(sums, "attributes_agreed")[pair]
    return {
        "first": layout.annotators[first],
        "second": layout.annotators[second],
        "spans": {
            kind: matched_counts(("spans", pair, kind), layout.labels, layout.block(sums, kind)[pair], spans)
            for kind in SPAN_KINDS
        },
        "tokens_agreed": int(layout.block(sums, "agreed")[pair]),
        "cohen_kappa": estimate(("cohen_kappa", pair)),
        "relations": matched_counts(
            ("relations", pair),
            layout.relations,
            layout.block(sums, "relations_matched")[pair],
            layout.block(sums, "relations"),
        ),
        "attributes": {
            f"{label}.{name}": {
                "compared": int(compared[index]),
                "agreed": int(agreed[index]),
                "agreement": estimate(("attributes", pair, (label, name))),
            }
            for index, (label, name) in enumerate(layout.attributes)
        },
    }
