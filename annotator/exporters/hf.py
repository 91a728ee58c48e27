"""Hugging Face token classification: JSONL of {"id", "tokens", "ner_tags"} and a labels.json.

ner_tags are IOB2 strings. labels.json lists every tag in a fixed order ("O", then B-
and I- of each schema label in schema order), so the ids are the same in every export of
a schema, whatever the filters; it also holds the schema's name, version and sha256
(the records stay three plain columns, which `datasets` loads without a schema):

    names = json.load(open("labels.json"))["labels"]
    ds = load_dataset("json", data_files="ner.jsonl")
    ds = ds.cast_column("ner_tags", Sequence(ClassLabel(names=names)))  # List(...) in datasets >= 4

Where labels.json goes: a split export writes train/dev/test.jsonl into a folder, and
the three share one labels.json there; so does any single file named train/dev/test.jsonl.
Any other file OUT.jsonl gets OUT.labels.json beside it. It is written like the data
file (a partial renamed when the export finishes, with the same mode), right after it. Beside
a special file (a FIFO, /dev/null) it is left out, with a warning.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from annotator.exporters.base import ExportOptions, FormatReport, FormatWriter
from annotator.exporters.iob import tag_names, tag_record
from annotator.exporters.tokens import make_tokenizer
from annotator.project import Project
from annotator.splits import SPLIT_NAMES


def labels_path(target: Path) -> Path:
    if target.stem in SPLIT_NAMES:
        return target.with_name("labels.json")
    return target.with_name(f"{target.stem}.labels.json")


def labels_document(project: Project, options: ExportOptions) -> dict[str, Any]:
    schema = project.schema
    return {
        "labels": tag_names(schema),
        "tagging": "IOB2",
        "tokenizer": options.tokenizer,
        "language": options.language,
        "schema": {"name": schema.name, "version": schema.version, "sha256": schema.sha256},
    }


class HuggingFaceWriter(FormatWriter):
    suffix = ".jsonl"

    def __init__(self, target: Path, project: Project, options: ExportOptions, report: FormatReport) -> None:
        self.tokenize = make_tokenizer(options)  # first: an unknown language fails before any file exists
        super().__init__(target, project, options, report)
        self.labels = self.side_file(labels_path(target), is_labels_document)

    def add(self, record: dict[str, Any]) -> None:
        tagged = tag_record(record, self.tokenize(record["text"]), self.options, self.report)
        self.stream.write(orjson.dumps({"id": record["id"], "tokens": tagged.words, "ner_tags": tagged.tags}) + b"\n")

    def close_output(self) -> None:
        body = orjson.dumps(labels_document(self.project, self.options), option=orjson.OPT_INDENT_2) + b"\n"
        self.labels.write(body)


def is_labels_document(data: bytes) -> bool:
    """A labels.json an earlier hf export wrote: its tag list and the schema it was made with."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        return False
    return isinstance(document, dict) and isinstance(document.get("labels"), list) and "schema" in document
