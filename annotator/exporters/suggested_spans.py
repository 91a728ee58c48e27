"""`--include-suggestions` in formats with no place for a proposal apart from a layer's spans.

Label Studio has one (`predictions`, label_studio.py) and the native JSONL keeps them apart
(native_suggestions.py). Every other format (spacy, hf, conll, prodigy, doccano, brat) holds
spans only, so there the suggestions become spans of the record, beside the layer's: what an ML
engineer asks for with this flag in a training format is silver data, the layer's reviewed spans
plus the proposals for the rest (pre-annotations to train or bootstrap from, or to review in
another tool). The layer's spans win: a suggestion that overlaps a span of its own label (another
boundary for the same mention) is left out and reported, as is one overlapping a higher-scoring
suggestion of its label; one with the offsets and label of a span already there is that span.
Spans of different labels overlap as any spans do, and the format's own policy
(--overlaps, --misaligned) applies to them. Suggested relations are not written: their ends
may be left out, and no format here can say a relation is only proposed. The layer's rejections
were taken out when the records were read.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from annotator.exporters.base import ExportProblem, FormatReport

OWN_PLACE = ("jsonl", "label-studio")  # formats that keep suggestions apart from the layer's spans


def suggestions_as_spans(record: dict[str, Any], report: FormatReport) -> dict[str, Any]:
    """The record with its suggestions among its spans (and without the suggestion keys)."""
    suggestions = record.pop("suggestions", None) or ()
    record.pop("suggested_relations", None)
    if not suggestions:
        return record
    spans = list(record["spans"])
    taken: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)
    for span in spans:
        taken[span["label"]].append((span["start"], span["end"]))
    used = {span["id"] for span in spans}
    number = len(spans)
    for suggestion in sorted(suggestions, key=lambda s: (-s["score"], s["start"], s["end"], s["label"], s["source"])):
        start, end, label = suggestion["start"], suggestion["end"], suggestion["label"]
        same_label = taken[label]
        if (start, end) in same_label:
            continue  # the layer has it (accepted), or another source proposed it too
        if any(start < other_end and other_start < end for other_start, other_end in same_label):
            report.problems.append(
                ExportProblem(
                    record["id"],
                    f"{label} [{start}, {end}) of {suggestion['source']}",
                    suggestion["text"],
                    "suggestion overlapping a span of its label",
                    "left out",
                )
            )
            continue
        number += 1
        while f"s{number}" in used:
            number += 1
        same_label.append((start, end))
        spans.append(
            {
                "id": f"s{number}",
                "start": start,
                "end": end,
                "label": label,
                "text": suggestion["text"],
                "attributes": suggestion["attributes"],
            }
        )
        report.suggestions += 1
    spans.sort(key=lambda span: (span["start"], span["end"], span["label"]))
    record["spans"] = spans
    return record
