"""The import's checks of spans (annotation_checks.py) test the common case inline: they must
accept exactly what validation.py's checks accept, for every kind of span a file may hold."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.errors import ValidationError
from annotator.importers.annotation_checks import AnnotationChecks
from annotator.importers.records import DocumentRecord, SpanRecord
from annotator.schema import Schema, load_schema, parse_schema
from annotator.validation import check_label, check_offsets, check_overlaps
from tests.conftest import NEWS_SCHEMA

TEXT = "Kim said  on\tMonday: talks resume.\n北京 👍🏽 ok"
NEWS = load_schema(NEWS_SCHEMA)
LABELS = ["ACTOR", "CLAIM", "DATE", "UNKNOWN"]


def schema_with(overlap: str) -> Schema:
    return parse_schema(
        f"name: s\nversion: 1\noverlap: {overlap}\nlabels:\n"
        "  - {name: ACTOR, color: '#112233', hotkey: a}\n  - {name: CLAIM, color: '#223344', hotkey: c}\n"
        "  - {name: DATE, color: '#334455', hotkey: d}\n"
    )


SCHEMAS = [NEWS, schema_with("allow"), schema_with("forbid")]

offsets = st.one_of(
    st.integers(-2, len(TEXT) + 2),
    st.integers(-2, len(TEXT) + 2),  # integers most of the time
    st.booleans(),
    st.floats(0, len(TEXT)),
    st.just("3"),
    st.none(),
)
spans = st.lists(st.tuples(offsets, offsets, st.sampled_from(LABELS)), max_size=5)


def reference_accepts(schema: Schema, given_spans: list[tuple[Any, Any, str]]) -> bool:
    """validation.py's checks, each span in turn and then the overlap rule over all of them."""
    try:
        for start, end, label in given_spans:
            check_offsets(TEXT, start, end)
            check_label(schema, label)
        check_overlaps(schema, given_spans)
    except ValidationError:
        return False
    return True


def checks_accept(schema: Schema, given_spans: list[tuple[Any, Any, str]]) -> bool:
    record = DocumentRecord("f", 1, TEXT, spans=[SpanRecord(None, s, e, label) for s, e, label in given_spans])
    try:
        AnnotationChecks(schema).annotations(record)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("schema", SCHEMAS, ids=["nested", "allow", "forbid"])
@settings(max_examples=400, deadline=None)
@given(given_spans=spans)
def test_the_import_accepts_exactly_the_spans_the_checks_accept(schema: Schema, given_spans: list[Any]) -> None:
    assert checks_accept(schema, given_spans) == reference_accepts(schema, given_spans)


@pytest.mark.parametrize(
    ("given_spans", "accepted"),
    [
        ([(0, 3, "ACTOR"), (4, 8, "CLAIM")], True),  # apart, in order
        ([(4, 8, "CLAIM"), (0, 3, "ACTOR")], True),  # apart, out of order
        ([(8, 12, "CLAIM")], True),  # starts on a space, holds a word
        ([(8, 10, "DATE")], False),  # only spaces
        ([(0, 8, "CLAIM"), (0, 3, "ACTOR")], True),  # nested (news allows nesting)
        ([(0, 8, "CLAIM"), (4, 12, "ACTOR")], False),  # crossing
        ([(0, 3, "ACTOR"), (0, 3, "ACTOR")], False),  # the same span twice
        ([(True, 3, "ACTOR")], False),  # true is not the offset 1
        ([(0, len(TEXT) + 1, "ACTOR")], False),
        ([(0, 3, "ACTOR"), (2, 2, "DATE")], False),  # empty
    ],
)
def test_spans_in_and_out_of_order(given_spans: list[Any], accepted: bool) -> None:
    assert checks_accept(NEWS, given_spans) is accepted
    assert reference_accepts(NEWS, given_spans) is accepted
