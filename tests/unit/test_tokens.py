"""Tokenisers, span-to-token alignment and overlap resolution shared by the token formats."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.errors import ValidationError
from annotator.exporters.base import ExportOptions, FormatReport
from annotator.exporters.iob import tag_names, tag_record
from annotator.exporters.tokens import align, blank_pipeline, choose, doc_tokens, make_tokenizer, whitespace_tokens
from tests.conftest import TRICKY_TEXT

TEXT = "North Korean leader KimJong  met\r\nChoe\u00a0Ryong Hae. Picture: Getty"


def words(text: str, tokenizer: str = "spacy") -> list[str]:
    starts, ends = make_tokenizer(ExportOptions(tokenizer=tokenizer))(text).offsets  # type: ignore[arg-type]
    return [text[s:e] for s, e in zip(starts, ends, strict=True)]


@pytest.mark.parametrize("tokenizer", ["spacy", "whitespace"])
@pytest.mark.parametrize("text", [TEXT, TRICKY_TEXT, "", "   \n\t ", "one"])
def test_tokens_never_hold_whitespace_and_keep_their_offsets(tokenizer: str, text: str) -> None:
    starts, ends = make_tokenizer(ExportOptions(tokenizer=tokenizer))(text).offsets  # type: ignore[arg-type]
    assert starts == sorted(starts) and ends == sorted(ends)
    for start, end in zip(starts, ends, strict=True):
        token = text[start:end]
        assert token and not any(character.isspace() for character in token)
    # Nothing but whitespace is left between the tokens.
    gaps = [text[e:s] for e, s in zip([0, *ends], [*starts, len(text)], strict=True)]
    assert all(not gap.strip() for gap in gaps)


def test_spacy_and_whitespace_tokenizers_differ_on_punctuation() -> None:
    assert words("Hae. Picture: Getty") == ["Hae", ".", "Picture", ":", "Getty"]
    assert words("Hae. Picture: Getty", "whitespace") == ["Hae.", "Picture:", "Getty"]


@given(st.text(alphabet=st.sampled_from("ab .\n\u00a0\t"), max_size=30))
def test_whitespace_tokens_are_the_runs_between_whitespace(text: str) -> None:
    starts, ends = whitespace_tokens(text)
    assert [text[s:e] for s, e in zip(starts, ends, strict=True)] == text.split()


def test_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(ValidationError, match="no language 'zz-unknown'"):
        make_tokenizer(ExportOptions(language="zz-unknown"))


def test_align_strict_expand_contract_skip() -> None:
    text = "leader KimJong met  Choe"
    offsets = make_tokenizer(ExportOptions())(text).offsets  # leader KimJong met Choe
    kim = text.index("KimJong")
    assert align(text, offsets, kim, kim + 7, "skip") == (1, 2, None)  # on tokens: no policy applies
    assert align(text, offsets, kim, kim + 3, "expand") == (1, 2, "expanded")  # "Kim" -> "KimJong"
    assert align(text, offsets, kim, kim + 3, "contract") is None  # nothing left
    assert align(text, offsets, kim, kim + 3, "skip") is None
    assert align(text, offsets, 0, kim + 3, "contract") == (0, 1, "contracted")  # "leader Kim" -> "leader"
    assert align(text, offsets, 0, kim + 3, "expand") == (0, 2, "expanded")
    choe = text.index("Choe")
    for policy in ("expand", "contract"):  # off only by whitespace at the edges: trimmed, not moved
        assert align(text, offsets, choe - 2, choe + 4, policy) == (3, 4, "trimmed")  # type: ignore[arg-type]
    assert align(text, offsets, choe - 2, choe + 4, "skip") is None
    assert align(text, offsets, choe - 2, choe - 1, "expand") is None  # whitespace only


@given(
    text=st.text(alphabet=st.sampled_from("ab .,\n\t"), min_size=1, max_size=24),
    cut=st.tuples(st.integers(0, 24), st.integers(0, 24)),
    policy=st.sampled_from(["expand", "contract", "skip"]),
)
def test_align_on_a_doc_places_spans_as_spacy_char_span_then_trimming_would(
    text: str, cut: tuple[int, int], policy: str
) -> None:
    """spaCy's own char_span (strict, else the policy's mode; whitespace tokens at the edges
    trimmed) is the oracle for align over a Doc's tokens, which the spaCy export uses."""
    start, end = sorted(min(bound, len(text)) for bound in cut)
    if start == end:
        return
    doc = blank_pipeline("en").make_doc(text)
    tokens = doc_tokens(doc)
    offsets, in_doc = tokens.offsets, tokens.in_doc
    assert in_doc is not None
    found = align(text, offsets, start, end, policy)  # type: ignore[arg-type]
    placed = None if found is None else (in_doc[found[0]], in_doc[found[1] - 1] + 1)

    span = doc.char_span(start, end, alignment_mode="strict")
    if span is None or span[0].is_space or span[-1].is_space:
        span = None if policy == "skip" else doc.char_span(start, end, alignment_mode=policy)
    kept = [token.i for token in span or () if not token.is_space]
    assert placed == ((kept[0], kept[-1] + 1) if kept else None)
    assert offsets == make_tokenizer(ExportOptions())(text).offsets


def test_choose_policies() -> None:
    # A = tokens 0-3, B = 2-7 (longest), C = 6-8: a chain where only B overlaps both.
    chain = [(0, 3), (2, 7), (6, 8)]
    assert choose(chain, "longest") == [False, True, False]
    assert choose(chain, "first") == [True, False, True]
    assert choose(chain, "skip") == [False, False, False]
    nested = [(0, 5), (0, 2), (3, 4), (6, 7)]  # a CLAIM with two spans inside, and one apart
    assert choose(nested, "longest") == [True, False, False, True]
    assert choose(nested, "first") == [True, False, False, True]  # same start: the longer first
    assert choose(nested, "skip") == [False, False, False, True]
    assert choose([(1, 2), (1, 2)], "longest") == [True, False]  # two spans made equal by alignment
    assert choose([], "skip") == [] and choose([(0, 1)], "skip") == [True]


def test_tag_record_reports_every_span_it_moves_or_leaves_out() -> None:
    text = "Kim met KimJong. Mr  Choe said Kim Jong Un will visit Moscow next week."
    spans = [
        ("s1", text.index("KimJong"), text.index("KimJong") + 3, "ACTOR"),  # inside a token
        ("s2", text.index(" Choe"), text.index(" Choe") + 5, "ACTOR"),  # leading space
        ("s3", text.index("Kim Jong Un"), text.index("next week") + 9, "CLAIM"),
        ("s4", text.index("Kim Jong Un"), text.index("Kim Jong Un") + 11, "ACTOR"),  # nested
        ("s5", text.index("next week"), text.index("next week") + 9, "DATE"),  # nested
    ]
    record = {
        "id": "d1",
        "text": text,
        "spans": [{"id": i, "start": s, "end": e, "label": label, "text": text[s:e]} for i, s, e, label in spans],
    }
    report = FormatReport()
    tagged = tag_record(record, make_tokenizer(ExportOptions())(text), ExportOptions(), report)
    assert [str(p) for p in report.problems] == [
        "d1 s1 'Kim': misaligned, expanded",
        "d1 s2 ' Choe': misaligned, trimmed",
        "d1 s4 'Kim Jong Un': overlap, skipped",
        "d1 s5 'next week': overlap, skipped",
    ]
    tags = dict(zip(tagged.words, tagged.tags, strict=False))
    assert tags["KimJong"] == "B-ACTOR" and tags["Choe"] == "B-ACTOR" and tags["Mr"] == "O"
    claim = tagged.tags[tagged.words.index("Kim", 1) :][:9]  # Kim Jong Un will visit Moscow next week .
    assert claim == ["B-CLAIM"] + ["I-CLAIM"] * 7 + ["O"]
    assert set(tagged.tags) <= set(tag_names_for("ACTOR", "CLAIM", "DATE"))

    report = FormatReport()
    skip = ExportOptions(misaligned="skip", overlaps="skip")
    tagged = tag_record(record, make_tokenizer(skip)(text), skip, report)
    assert report.counts() == {"misaligned skipped": 2, "overlap skipped": 3}
    assert set(tagged.tags) == {"O"}


def tag_names_for(*labels: str) -> list[str]:
    class Schema:
        label_names = labels

    return tag_names(Schema())  # type: ignore[arg-type]
