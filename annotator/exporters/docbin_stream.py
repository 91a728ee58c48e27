"""A spaCy DocBin written as the Docs come, so that memory does not grow with the corpus.

spaCy's DocBin keeps every Doc's arrays, span groups and user data in lists until
to_bytes(), which stacks them, packs them into one msgpack map and compresses it: at
100,000 news articles that is several GB held at once. The file is that one zlib stream
of a msgpack map, so it can be written piece by piece instead: each Doc's parts go to
temporary spool files as it is added, and close() writes the map, copying the spools
through one zlib compressor. The result is what DocBin.from_disk() reads (the tests
compare it with DocBin.to_bytes(), field by field).

The strings table is the one part kept in memory: the hashes of the token texts and
labels seen (one int per distinct string), turned into strings at the end.

Only DocBin message version "0.1" (spaCy 2.2 to 3.8 at least) is written this way;
another version falls back to spaCy's own DocBin, in memory (see open_docbin).
"""

from __future__ import annotations

import struct
import tempfile
import zlib
from array import array
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any, BinaryIO, Protocol

from annotator.errors import ValidationError

VERSION = "0.1"
MAX_BIN = 2**32 - 1  # a msgpack bin holds at most 4 GiB
COPY_CHUNK = 1 << 20
SPAN_STRUCT = struct.Struct(">QQQllll")  # SpanGroup.to_bytes()'s record of one span


class DocSink(Protocol):
    def add(self, doc: Any) -> None: ...

    def write(self, out: BinaryIO) -> None: ...

    def close(self) -> None: ...


def open_docbin(attrs: list[str], folder: Path) -> DocSink:
    """A DocBin with user data that writes itself to a stream; spools go into `folder`."""
    from spacy.tokens import DocBin

    template = DocBin(attrs=attrs, store_user_data=True)
    if template.version == VERSION:
        # DocBin.attrs holds attribute ids (ints); spaCy's annotation says str, from the names it was given.
        return DocBinStream(template.attrs, folder)  # type: ignore[arg-type]
    return _MemoryDocBin(template)


class _MemoryDocBin:
    """spaCy's own DocBin, for a message version this module does not know."""

    def __init__(self, docbin: Any) -> None:
        self.docbin = docbin

    def add(self, doc: Any) -> None:
        self.docbin.add(doc)

    def write(self, out: BinaryIO) -> None:
        out.write(self.docbin.to_bytes())

    def close(self) -> None:
        self.docbin = None


class DocBinStream:
    def __init__(self, attrs: list[int], folder: Path) -> None:
        import numpy
        import srsly
        from spacy.attrs import ENT_TYPE, ORTH, SPACY

        self.numpy, self.spacy_attr = numpy, SPACY

        self.attrs = list(attrs)  # ORTH first, as DocBin orders them
        # One packer for every record: srsly's Packer() scans the entry points on each creation.
        self.packer = srsly.msgpack.Packer(use_bin_type=True)
        self.string_columns = [i for i, attr in enumerate(self.attrs) if attr in (ORTH, ENT_TYPE)]
        self.hashes: set[int] = set()
        self.strings: set[str] = set()
        self.lengths = array("i")
        self.spools: dict[str, IO[bytes]] = {
            name: tempfile.TemporaryFile(dir=folder, prefix=f".annotator-docbin-{name}-")  # noqa: SIM115 - see close()
            for name in ("tokens", "spaces", "cats", "flags", "span_groups", "user_data")
        }
        self.vocab: Any = None

    def add(self, doc: Any) -> None:
        """A Doc as DocBin.add() takes it (what spaCy would write for it)."""
        strings: set[str] = set()
        for group in doc.spans.values():  # the strings DocBin.add collects for span groups
            for span in group:
                strings.add(span.label_)
                if span.kb_id in doc.vocab.strings:
                    strings.add(span.kb_id_)
                if span.id in doc.vocab.strings:
                    strings.add(span.id_)
        self.add_parts(
            doc.vocab,
            doc.to_array(self.attrs),
            doc.to_array(self.spacy_attr),
            doc.spans.to_bytes(),
            doc.user_data,
            strings,
            doc.cats,
            doc.has_unknown_spaces,
        )

    def add_parts(
        self,
        vocab: Any,
        tokens: Any,
        spaces: Any,
        span_groups: bytes,
        user_data: dict[Any, Any],
        strings: Iterable[str],
        cats: dict[str, float] | None = None,
        has_unknown_spaces: bool = False,
    ) -> None:
        """One Doc from the parts DocBin.add() takes from it, for a writer that has them without building them
        on a Doc: the token array (one column per attrs, uint64), the SPACY column, the span groups' bytes
        (span_group_bytes), the user data, and the strings its span groups name (labels, span ids)."""
        self.vocab = vocab
        self.strings.add("")  # DocBin.add adds the empty tag, lemma, etc. of any token
        self.strings.update(strings)
        self.spools["tokens"].write(tokens.tobytes("C"))
        self.spools["spaces"].write(self.numpy.asarray(spaces, dtype=bool).tobytes("C"))
        self.lengths.append(len(tokens))
        for column in self.string_columns:
            self.hashes.update(tokens[:, column].tolist())
        pack = self.packer.pack
        self.spools["cats"].write(pack(cats or {}))
        self.spools["flags"].write(pack({"has_unknown_spaces": has_unknown_spaces}))
        self.spools["span_groups"].write(pack(span_groups))
        self.spools["user_data"].write(pack(pack(user_data)))

    def span_group_bytes(self, name: str, spans: Iterable[tuple[int, int, int, int, int, int, int]]) -> bytes:
        """What Doc.spans.to_bytes() gives for one span group `name` (no attrs) of these spans,
        each (id, kb_id, label, start, end, start_char, end_char) with strings as hashes.

        spaCy packs each group with srsly.msgpack_dumps, whose new Packer scans every installed
        package's entry points (catalogue): ~2 ms a document, more than tokenizing it. This
        packs the same message with the one packer.
        """
        pack = self.packer.pack
        group = pack({"name": name, "attrs": {}, "spans": [SPAN_STRUCT.pack(*span) for span in spans]})
        return pack({group: [name]})

    def write(self, out: BinaryIO) -> None:
        """The compressed message, in DocBin.to_bytes()'s key order."""
        compressor = zlib.compressobj()
        pack = self.packer.pack

        def emit(data: bytes) -> None:
            out.write(compressor.compress(data))

        strings = set(self.strings)
        if self.vocab is not None:
            strings.update(self.vocab.strings[h] for h in self.hashes if h)
        count = len(self.lengths)
        emit(self.packer.pack_map_header(10))
        emit(pack("version") + pack(VERSION) + pack("attrs") + pack(self.attrs))
        for name in ("tokens", "spaces"):
            emit(pack(name) + _bin_header(self.spools[name].tell(), name))
            self._copy(name, emit)
        emit(pack("lengths") + pack(self.lengths.tobytes()))
        emit(pack("strings") + pack(sorted(strings)))
        for name in ("cats", "flags", "span_groups", "user_data"):
            emit(pack(name) + self.packer.pack_array_header(count))
            self._copy(name, emit)
        out.write(compressor.flush())

    def close(self) -> None:
        for spool in self.spools.values():
            spool.close()

    def _copy(self, name: str, emit: Any) -> None:
        spool = self.spools[name]
        spool.seek(0)
        while chunk := spool.read(COPY_CHUNK):
            emit(chunk)
        spool.seek(0, 2)


def _bin_header(size: int, name: str) -> bytes:
    if size > MAX_BIN:
        raise ValidationError(
            f"the DocBin's {name} would take {size / 2**30:.1f} GiB, more than one .spacy file can hold (4 GiB); "
            "export it in parts (--split, or filter with --status/--annotator/--labels)"
        )
    if size < 2**8:
        return struct.pack(">BB", 0xC4, size)
    if size < 2**16:
        return struct.pack(">BH", 0xC5, size)
    return struct.pack(">BI", 0xC6, size)
