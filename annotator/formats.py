"""Every format Annotator reads or writes, in one literal table.

The CLI's --format choices and help, the detection of a file's format, the folder import and
export_format all read FORMATS; adding a format is adding a row here (and its reader/writer
module). Readers, writers and sniffers are named as "module:attribute" and imported on first
use, so importing this table loads neither spaCy nor any format's module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

if TYPE_CHECKING:
    from annotator.exporters.base import FormatWriter
    from annotator.importers.native import Item
    from annotator.schema import Schema

Sniffer = Callable[[Path], bool]


@dataclass(frozen=True)
class Format:
    name: str  # what --format takes
    title: str  # how help texts name it
    # The files a folder import reads as this format; a format without a sniffer is also
    # recognised by them. A folder format's first suffix is the file a pair is read through.
    suffixes: tuple[str, ...] = ()
    sniff: str | None = None  # "module:function" telling from a file's content whether it is this format
    reader: str | None = None  # "module:function" yielding DocumentRecords and ImportProblems
    writer: str | None = None  # "module:FormatWriter subclass"
    needs_schema: bool = False  # the reader checks what it reads against the project's schema (schema=...)
    takes_offsets: bool = False  # its files count offsets in a unit the user names (--offsets)
    needs_spacy: bool = False  # the writer loads spaCy (the [spacy] extra) with the default --tokenizer
    training: bool = False  # a training set: one layer per document (exporters/training.py)
    folder: bool = False  # a folder of annotation/text file pairs (export writes a folder)
    plain_text: bool = False  # the whole file is one document's text, its id the file's path in the folder

    def load_reader(self) -> Callable[..., Iterator[Item]]:
        return cast("Callable[..., Iterator[Item]]", _resolve(_required(self.reader, self.name, "reader")))

    def load_writer(self) -> type[FormatWriter]:
        return cast("type[FormatWriter]", _resolve(_required(self.writer, self.name, "writer")))

    def load_sniffer(self) -> Sniffer:
        return cast(Sniffer, _resolve(_required(self.sniff, self.name, "sniffer")))

    def read(self, path: Path, document_id: str, schema: Schema, offsets: str | None = None) -> Iterator[Item]:
        """Read one file of this format: the arguments its reader takes, from the table."""
        reader = self.load_reader()
        if self.plain_text:
            return reader(path, document_id)
        options: dict[str, Any] = {}
        if self.needs_schema:
            options["schema"] = schema
        if self.takes_offsets and offsets is not None:
            options["offsets"] = offsets
        return reader(path, **options)

    def read_through_pair(self, path: Path) -> bool:
        """Whether `path` is the text half of a pair, read once through its annotation file."""
        return self.folder and path.suffix.lower() in self.suffixes[1:] and path.with_suffix(self.suffixes[0]).is_file()


# The order is the one help texts list them in.
FORMATS: tuple[Format, ...] = (
    Format(
        "txt",
        ".txt",
        suffixes=(".txt",),
        reader="annotator.importers.native:read_text_file",
        plain_text=True,
    ),
    Format(
        "jsonl",
        "native .jsonl",
        suffixes=(".jsonl",),
        reader="annotator.importers.native:read_jsonl",
        writer="annotator.exporters.native:NativeWriter",
    ),
    Format(
        "spacy",
        "spaCy DocBin",
        writer="annotator.exporters.spacy_docbin:SpacyWriter",
        needs_spacy=True,
        training=True,
    ),
    Format(
        "hf",
        "Hugging Face token classification",
        writer="annotator.exporters.hf:HuggingFaceWriter",
        needs_spacy=True,
        training=True,
    ),
    Format(
        "conll",
        "CoNLL",
        suffixes=(".conll", ".iob"),
        sniff="annotator.importers.conll:looks_like_conll",
        reader="annotator.importers.conll:read_conll",
        writer="annotator.exporters.conll:ConllWriter",
        needs_spacy=True,
        training=True,
    ),
    Format(
        "prodigy",
        "Prodigy",
        suffixes=(".jsonl",),
        sniff="annotator.importers.prodigy:sniff_prodigy",
        reader="annotator.importers.prodigy:read_prodigy",
        writer="annotator.exporters.prodigy:ProdigyWriter",
    ),
    Format(
        "doccano",
        "doccano",
        suffixes=(".jsonl", ".json"),
        sniff="annotator.importers.doccano:sniff_doccano",
        reader="annotator.importers.doccano:read_doccano",
        writer="annotator.exporters.doccano:DoccanoWriter",
        takes_offsets=True,
    ),
    Format(
        "label-studio",
        "Label Studio",
        suffixes=(".json", ".jsonl"),
        sniff="annotator.importers.label_studio:sniff_label_studio",
        reader="annotator.importers.label_studio:read_label_studio",
        writer="annotator.exporters.label_studio:LabelStudioWriter",
    ),
    Format(
        "brat",
        "brat",
        suffixes=(".ann", ".txt"),
        sniff="annotator.importers.brat:sniff_brat",
        reader="annotator.importers.brat:read_brat",
        writer="annotator.exporters.brat:BratWriter",
        needs_schema=True,
        folder=True,
    ),
)

BY_NAME: dict[str, Format] = {format_.name: format_ for format_ in FORMATS}
READABLE: tuple[str, ...] = tuple(format_.name for format_ in FORMATS if format_.reader is not None)
WRITABLE: tuple[str, ...] = tuple(format_.name for format_ in FORMATS if format_.writer is not None)
TRAINING: tuple[str, ...] = tuple(format_.name for format_ in FORMATS if format_.training)
WITH_OFFSETS: tuple[str, ...] = tuple(format_.name for format_ in FORMATS if format_.takes_offsets)
# The units a takes_offsets format's files may count in (--offsets; doccano's reader and writer).
OffsetUnit = Literal["codepoints", "utf16", "graphemes"]
OFFSET_UNITS: tuple[OffsetUnit, ...] = ("utf16", "graphemes", "codepoints")
# What a folder import picks up; each file's format is then given or detected.
FOLDER_SUFFIXES: frozenset[str] = frozenset(
    suffix for format_ in FORMATS if format_.reader for suffix in format_.suffixes
)
# A format that cannot be told from content is told by its file's suffix.
BY_SUFFIX: dict[str, str] = {
    suffix: format_.name
    for format_ in FORMATS
    if format_.reader and format_.sniff is None
    for suffix in format_.suffixes
}


def _required(reference: str | None, name: str, what: str) -> str:
    if reference is None:
        raise LookupError(f"the format {name} has no {what}")  # a caller that skipped the table's names
    return reference


@cache
def _resolve(reference: str) -> object:
    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)
