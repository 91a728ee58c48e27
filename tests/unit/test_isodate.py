"""ISO 8601 date checks used by ``date`` attributes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.isodate import check_iso_date, is_iso_date

ACCEPTED = [
    "2014",
    "2014-11",
    "2014-11-14",
    "2014-W47",
    "2014-W47-5",
    "2014-11-14T09:30",
    "2014-11-14T09:30:00",
    "2014-11-14T09:30:00Z",
    "2014-11-14T09:30+09:00",
    "2014-11-14T23:59:59.123-05:30",
    "2014-W47-5T09:30Z",
    "2016-02-29",  # leap year
    "2000-02-29",  # divisible by 400: leap
    "2015-W53",  # 2015 has 53 ISO weeks
    "2020-W53-7",
    "0001-01-01",
    "9999-12-31",
    "0001-W01-1",
]

REJECTED = [
    "",
    "14",
    "214",
    "20141",
    "0000",
    "2014-13",
    "2014-00",
    "2014-1",
    "2014-02-30",
    "1900-02-29",  # divisible by 100, not by 400: no leap day
    "2015-02-29",
    "2014-11-31",
    "2014-11-00",
    "2014-W54",
    "2014-W53",  # 2014 has only 52 ISO weeks
    "2014-W00",
    "2014-W47-0",
    "2014-W47-8",
    "2014W47",
    "20141114",  # basic format: not accepted
    "2014-11-14T24:00",
    "2014-11-14T09:60",
    "2014-11-14T09:30:61",
    "2014-11-14T09",
    "2014-11T09:30",  # a time needs a full date
    "2014T09:30",
    "2014-11-14 09:30",
    "2014-11-14t09:30",
    "2014-11-14T09:30+24:00",
    "2014-11-14T09:30+09:60",
    "2014-11-14Z",
    "2014-11-14\n",
    " 2014-11-14",
    "14/11/2014",
    "Nov 14 2014",
    "yesterday",
    "٢٠١٤-١١-١٤",  # Arabic-Indic digits match \d, not an ISO date
    "９９９９",  # fullwidth digits
    "9999-W52-7",  # falls on 10000-01-02, past what a date can hold
]


@pytest.mark.parametrize("value", ACCEPTED)
def test_accepts(value: str) -> None:
    assert is_iso_date(value)
    assert check_iso_date(value) is None


@pytest.mark.parametrize("value", REJECTED)
def test_rejects_with_a_message(value: str) -> None:
    assert not is_iso_date(value)
    message = check_iso_date(value)
    assert isinstance(message, str) and message


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("2014-02-30", "no day 30"),
        ("2014-13", "month 13"),
        ("2014-W53", "week"),
        ("0000", "year"),
        ("2014-11T09:30", "full date"),
        ("2014-11-14T25:00", "time of day"),
        ("soon", "not an ISO 8601 date"),
    ],
)
def test_messages_say_what_is_wrong(value: str, fragment: str) -> None:
    assert fragment in (check_iso_date(value) or "")


@pytest.mark.parametrize("value", [None, 2014, dt.date(2014, 11, 14), b"2014"])
def test_non_strings_are_rejected_not_raised(value: object) -> None:
    assert check_iso_date(value) is not None  # type: ignore[arg-type]
    assert not is_iso_date(value)  # type: ignore[arg-type]


@given(st.dates())
def test_every_date_and_its_reduced_forms_are_accepted(day: dt.date) -> None:
    text = day.isoformat()
    assert is_iso_date(text)
    assert is_iso_date(text[:7])  # YYYY-MM
    assert is_iso_date(text[:4])  # YYYY


@given(st.dates())
def test_every_week_date_is_accepted(day: dt.date) -> None:
    year, week, weekday = day.isocalendar()
    # ISO year 0001 week 1 starts on 0001-01-01, so every representable date has an
    # ISO year within 0001-9999.
    assert is_iso_date(f"{year:04d}-W{week:02d}-{weekday}")
    assert is_iso_date(f"{year:04d}-W{week:02d}")


@given(st.datetimes(), st.sampled_from(["minutes", "seconds", "milliseconds"]))
def test_every_naive_datetime_is_accepted(moment: dt.datetime, timespec: str) -> None:
    assert is_iso_date(moment.isoformat(timespec=timespec))


@given(st.integers(1, 9999), st.integers(0, 99), st.integers(0, 99))
def test_calendar_dates_agree_with_datetime(year: int, month: int, day: int) -> None:
    text = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        dt.date.fromisoformat(text)
        real = True
    except ValueError:
        real = False
    assert is_iso_date(text) == real


@given(st.integers(1, 9999), st.integers(0, 99), st.integers(0, 9))
def test_week_dates_agree_with_datetime(year: int, week: int, weekday: int) -> None:
    text = f"{year:04d}-W{week:02d}-{weekday}"
    try:
        dt.date.fromisocalendar(year, week, weekday)
        real = True
    except ValueError:
        real = False
    assert is_iso_date(text) == real
