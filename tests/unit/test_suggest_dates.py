"""The dates source: which expressions it finds, and the ISO value each gets against a fixed
article date (Friday 2014-11-14, in 2014-W46, as in the example), without one, and with odd ones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.exporters.tokens import blank_pipeline
from annotator.project import Project
from annotator.suggest.base import DocumentInput, SuggestionError
from annotator.suggest.date_values import article_date, date_value
from annotator.suggest.dates import DatesSource
from tests.conftest import ProjectMaker
from tests.suggest_helpers import built

BASE = {"date": "2014-11-14"}


@pytest.fixture(scope="module")
def source() -> DatesSource:
    return DatesSource(blank_pipeline("en"), "DATE", "value")


def found(source: DatesSource, text: str, meta: dict[str, Any] | None = None) -> list[tuple[str, str | None]]:
    (proposals,) = source.propose([DocumentInput(1, "d", text, BASE if meta is None else meta)])
    return [(text[s.start : s.end], s.attributes.get("value")) for s in proposals.spans]


@pytest.mark.parametrize(
    ("sentence", "expression", "value"),
    [
        ("The agency said yesterday that talks resume.", "yesterday", "2014-11-13"),
        ("Talks are held today.", "today", "2014-11-14"),
        ("He arrives tomorrow.", "tomorrow", "2014-11-15"),
        ("An envoy goes to Russia next week.", "next week", "2014-W47"),
        ("He noted this week’s announcement.", "this week", "2014-W46"),
        ("Prices fell last week.", "last week", "2014-W45"),
        ("He visited Beijing last year.", "last year", "2013"),
        ("Elections are due next year.", "next year", "2015"),
        ("Exports rose last month.", "last month", "2014-10"),
        ("Two detainees were released last weekend.", "last weekend", "2014-W45"),
        ("Talks resume next weekend.", "next weekend", "2014-W47"),
        ("Talks resume the coming week.", "coming week", "2014-W47"),
        ("He left three days ago.", "three days ago", "2014-11-11"),
        ("He left 3 days ago.", "3 days ago", "2014-11-11"),
        ("It began two weeks ago.", "two weeks ago", "2014-W44"),
        ("Mr Choe would visit from Monday for a week.", "Monday", "2014-11-17"),  # future: forward
        ("Mr Choe arrived on Monday.", "Monday", "2014-11-10"),  # past: back
        ("They met last Friday.", "last Friday", "2014-11-07"),
        ("They meet next Monday.", "next Monday", "2014-11-17"),
        ("Prices rose in March.", "March", "2014-03"),
        ("A vote will follow in March.", "March", "2015-03"),
        ("Talks began in November 2014.", "November 2014", "2014-11"),
        ("Talks began in 2014.", "2014", "2014"),
        ("It was signed on 14 November 2014.", "14 November 2014", "2014-11-14"),
        ("It was signed on November 3, 2014.", "November 3, 2014", "2014-11-03"),
        ("It was signed on Nov. 3.", "Nov. 3", "2014-11-03"),
        ("It was signed on 2014-11-03.", "2014-11-03", "2014-11-03"),
        ("It was signed on 13/11/2014.", "13/11/2014", "2014-11-13"),
        ("He spoke this morning.", "this morning", "2014-11-14"),
    ],
)
def test_each_expression_gets_its_value_against_the_article_date(
    source: DatesSource, sentence: str, expression: str, value: str
) -> None:
    assert found(source, sentence) == [(expression, value)]


@pytest.mark.parametrize(
    ("sentence", "expression"),
    [
        ("They are not as close as during Soviet times.", "Soviet times"),
        ("Ties have grown in recent years.", "recent years"),
        ("Trade boomed in the 1990s.", "1990s"),
        ("It was signed on 11/12/2014.", "11/12/2014"),  # 11 December or November 12: no guess
        ("They met this summer.", "this summer"),
    ],
)
def test_a_vague_expression_is_found_without_a_value(source: DatesSource, sentence: str, expression: str) -> None:
    assert found(source, sentence) == [(expression, None)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Mr Choe will visit Russia soon.",  # a vague adverb: not a date (news.yaml)
        "He stayed for a week.",  # a duration
        "Theresa May said it may rain; troops march on.",  # May alone is a name, march a verb
        "The New York Times reported it later.",
        "The next day he left.",  # relative to the story, not to the article's date
    ],
)
def test_no_date_where_the_guidelines_see_none(source: DatesSource, sentence: str) -> None:
    assert found(source, sentence) == []


def test_without_a_meta_date_only_absolute_dates_get_values(source: DatesSource) -> None:
    text = "Yesterday he recalled 14 November 2014 and November 2014, not Monday or 2013."
    expected = [
        ("Yesterday", None),
        ("14 November 2014", "2014-11-14"),
        ("November 2014", "2014-11"),
        ("Monday", None),
        ("2013", "2013"),
    ]
    assert found(source, text, {}) == expected
    assert found(source, text, {"date": "not a date"}) == expected
    assert found(source, text, {"date": 20141114}) == expected


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2014-11-14", dt.date(2014, 11, 14)),
        (" 2014-11-14 ", dt.date(2014, 11, 14)),
        ("2014-11-14T23:30:00-05:00", dt.date(2014, 11, 14)),  # the day as written, not in UTC
        ("2014-11-14T09:30:00Z", dt.date(2014, 11, 14)),
        ("2014-11-14 09:30", dt.date(2014, 11, 14)),
        ("20141114", dt.date(2014, 11, 14)),
        ("14 November 2014", dt.date(2014, 11, 14)),
        ("Nov 14, 2014", dt.date(2014, 11, 14)),
        ("2014-11", None),  # a month is no base for "yesterday"
        ("2014", None),
        ("yesterday", None),  # relative to the day it was read: no date
        ("", None),
        (None, None),
        ("2014-13-45", None),
    ],
)
def test_meta_dates_in_odd_forms(value: object, day: dt.date | None) -> None:
    assert article_date({"date": value}) == day


def test_a_relative_value_follows_each_document_date(source: DatesSource) -> None:
    (first, second) = source.propose(
        [
            DocumentInput(1, "a", "Yesterday.", {"date": "2014-11-14"}),
            DocumentInput(2, "b", "Yesterday.", {"date": "2020-03-01"}),
        ]
    )
    assert [s.attributes["value"] for s in (*first.spans, *second.spans)] == ["2014-11-13", "2020-02-29"]
    assert date_value("next week", dt.date(2014, 12, 31), future=False) == "2015-W02"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    before=st.text(max_size=30),
    after=st.text(max_size=30),
    expression=st.sampled_from(["yesterday", "next week", "14 November 2014", "Soviet times", "Monday"]),
)
def test_offsets_are_code_points_into_any_text(
    make_project: ProjectMaker, before: str, after: str, expression: str
) -> None:
    source = _registry_source(make_project)
    text = f"{before}é\u0301👩‍💻 {expression} 🇰🇷{after}"
    (proposals,) = source.propose([DocumentInput(1, "d", text, BASE)])
    for s in proposals.spans:
        assert 0 <= s.start < s.end <= len(text)
        assert s.label == "DATE" and s.source == "dates" and 0 < s.score <= 1
    assert expression in [text[s.start : s.end] for s in proposals.spans]


_SOURCES: dict[str, Any] = {}


def _registry_source(make_project: ProjectMaker) -> Any:
    if "dates" not in _SOURCES:
        with Project.open(make_project()) as project:
            _SOURCES["dates"] = built(project, "dates")
    return _SOURCES["dates"]


def test_the_label_and_its_value_come_from_the_schema(make_project: ProjectMaker, tmp_path: Path) -> None:
    schema = "name: s\nversion: 1\nlabels:\n  - name: WHEN\n    color: '#eeeeee'\n    hotkey: w\n"
    with Project.open(make_project(schema)) as project:
        with pytest.raises(SuggestionError, match=r"no label 'DATE'.*suggestions\.dates_label"):
            built(project, "dates")
        source = built(project, "dates", dates_label="WHEN")
    (proposals,) = source.propose([DocumentInput(1, "d", "See you tomorrow.", BASE)])
    assert [(s.label, dict(s.attributes)) for s in proposals.spans] == [("WHEN", {})]  # no value attribute to fill


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    day=st.one_of(st.dates(), st.sampled_from([dt.date.min, dt.date.max])),
    expression=st.sampled_from(
        [
            "yesterday",
            "tomorrow",
            "Monday",
            "last Friday",
            "next Monday",
            "next week",
            "last weekend",
            "next weekend",
            "last year",
            "next year",
            "three days ago",
            "March",
            "this morning",
        ]
    ),
    future=st.booleans(),
)
def test_any_meta_date_in_the_calendar_gives_a_value_or_none(day: dt.date, expression: str, future: bool) -> None:
    # meta.date at the calendar's ends: "next Monday" after 9999-12-31 has no day, never an OverflowError
    value = date_value(expression, day, future)
    assert value is None or (isinstance(value, str) and value[:4].isdigit())


def test_documents_dated_at_the_calendar_ends_do_not_stop_the_source(source: DatesSource) -> None:
    text = "Mr Choe arrived on Monday and leaves next weekend."
    for day in ("0001-01-01", "9999-12-31"):
        assert [expression for expression, _ in found(source, text, {"date": day})] == ["Monday", "next weekend"]


def test_a_one_megabyte_paragraph_gets_every_date_with_its_value(source: DatesSource) -> None:
    # the text is read once per document, not once per hit (which made this minutes long)
    sentence = "Kim Jong Un met Putin in Moscow yesterday. "
    text = sentence * 25_000
    (proposals,) = source.propose([DocumentInput(1, "d", text, BASE)])
    assert len(proposals.spans) == 25_000
    assert {(text[s.start : s.end], s.attributes.get("value")) for s in proposals.spans} == {
        ("yesterday", "2014-11-13")
    }
