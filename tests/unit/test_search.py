"""Find in a document and 'label all occurrences'."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.errors import ValidationError
from annotator.search import find_all
from tests.conftest import ProjectMaker
from tests.unit.test_service import open_with_document

TEXT = "Russia’s ministry said Russia hopes; RUSSIA and Russians 😀 russia."


def test_find_all_is_case_insensitive_by_default_and_offsets_are_code_points() -> None:
    hits = find_all(TEXT, "russia")
    assert [TEXT[s:e] for s, e in hits] == ["Russia", "Russia", "RUSSIA", "Russia", "russia"]
    assert hits[-1] == (TEXT.rindex("russia"), TEXT.rindex("russia") + 6)  # after the emoji


def test_find_all_whole_words_and_case() -> None:
    assert [TEXT[s:e] for s, e in find_all(TEXT, "Russia", case_sensitive=True, whole_words=True)] == [
        "Russia",
        "Russia",
    ]
    assert find_all(TEXT, "") == []


@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=3))
def test_every_hit_is_the_needle_up_to_case(text: str, needle: str) -> None:
    for start, end in find_all(text, needle):
        assert text[start:end].lower() == needle.lower() or text[start:end].casefold() == needle.casefold()


def test_label_all_occurrences_is_one_step_and_skips_what_cannot_be_labelled(make_project: ProjectMaker) -> None:
    svc, doc_id = open_with_document(make_project(), text=TEXT)
    first = TEXT.index("Russia hopes")
    svc.add_span(doc_id, 0, 6, "ACTOR")  # the first occurrence is labelled already
    outcome = svc.label_all_occurrences(doc_id, first, first + 6, "ACTOR")
    # Case-sensitive, whole words: not RUSSIA, not Russians, not russia; not the one already there.
    assert [(s.start, s.text) for s in outcome.value] == [(first, "Russia")]
    assert svc.undo_description == "label 1 × 'Russia' as ACTOR"
    svc.undo()
    assert [s.start for s in svc.document(doc_id).spans] == [0]
    svc.redo()
    with pytest.raises(ValidationError, match="labelled ACTOR already"):
        svc.label_all_occurrences(doc_id, first, first + 6, "ACTOR")
    svc.close()
