"""The streamed DocBin is the message spaCy's DocBin.to_bytes() writes, loaded alike."""

from __future__ import annotations

import io
import zlib
from pathlib import Path
from typing import Any

import pytest

from annotator.errors import ValidationError
from annotator.exporters.docbin_stream import DocBinStream, _bin_header, open_docbin
from annotator.exporters.spacy_docbin import DOCBIN_ATTRS
from tests.conftest import EXAMPLE, TRICKY_TEXT

spacy = pytest.importorskip("spacy")
srsly = pytest.importorskip("srsly")
from spacy.tokens import DocBin  # noqa: E402


def sample_docs() -> list[Any]:
    nlp = spacy.blank("en")
    texts = [TRICKY_TEXT, (EXAMPLE / "north-korea-russia-ties.txt").read_text(encoding="utf-8"), " ", "Kim"]
    docs = [nlp.make_doc(text) for text in texts]
    first = docs[0]
    kim = first.char_span(0, 11, label="ACTOR")
    kim.id_ = "s1"
    outer = first[0:4]
    outer.label_ = "CLAIM"
    first.spans["sc"] = [kim, outer]
    first.ents = [kim]
    first.user_data["annotator"] = {"id": "d1", "spans": [{"id": "s1", "attributes": {"kind": "person"}}]}
    docs[3].ents = [docs[3].char_span(0, 3, label="ACTOR")]
    return docs


def message(data: bytes) -> dict[str, Any]:
    return srsly.msgpack_loads(zlib.decompress(data))


def test_stream_writes_what_docbin_writes(tmp_path: Path) -> None:
    docs = sample_docs()
    reference = DocBin(attrs=DOCBIN_ATTRS, store_user_data=True)
    stream = open_docbin(DOCBIN_ATTRS, tmp_path)
    assert isinstance(stream, DocBinStream)
    for doc in docs:
        reference.add(doc)
        stream.add(doc)
    out = io.BytesIO()
    stream.write(out)
    stream.close()
    ours, theirs = message(out.getvalue()), message(reference.to_bytes())
    assert list(ours) == list(theirs)
    for key in theirs:
        if key != "strings":
            assert ours[key] == theirs[key], key
    # DocBin also stores empty tags, lemmas and the lower-case norms; get_docs needs only these:
    assert set(ours["strings"]) <= set(theirs["strings"])
    assert {"ACTOR", "CLAIM", "s1", "Kim", "平壤", "\r\n"} <= set(ours["strings"])
    loaded = list(DocBin().from_bytes(out.getvalue()).get_docs(spacy.blank("en").vocab))
    assert [d.text for d in loaded] == [d.text for d in docs]
    assert [(s.text, s.label_, s.id_) for s in loaded[0].spans["sc"]] == [
        ("Kim Jong Un", "ACTOR", "s1"),
        ("Kim Jong Un 😀", "CLAIM", ""),
    ]
    assert [e.text for d in loaded for e in d.ents] == ["Kim Jong Un", "Kim"]
    assert loaded[0].user_data == {
        "annotator": {"id": "d1", "spans": ({"id": "s1", "attributes": {"kind": "person"}},)}
    }
    assert not list(tmp_path.iterdir())  # the spools are unnamed temporary files


def test_an_empty_stream_is_an_empty_docbin(tmp_path: Path) -> None:
    stream = open_docbin(DOCBIN_ATTRS, tmp_path)
    out = io.BytesIO()
    stream.write(out)
    assert message(out.getvalue()) == message(DocBin(attrs=DOCBIN_ATTRS, store_user_data=True).to_bytes())
    assert len(DocBin().from_bytes(out.getvalue())) == 0


def test_bin_headers_are_msgpacks() -> None:
    for size in (0, 255, 256, 65535, 65536, 70000):
        packed = srsly.msgpack_dumps(b"x" * size)
        assert _bin_header(size, "tokens") == packed[: len(packed) - size]
    assert _bin_header(2**32 - 1, "tokens") == b"\xc6\xff\xff\xff\xff"
    with pytest.raises(ValidationError, match=r"more than one \.spacy file can hold"):
        _bin_header(2**32, "tokens")
