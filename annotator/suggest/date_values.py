"""ISO values of time expressions, normalised against the article's date (meta.date) with dateparser.

Why dateparser: it is the well-kept library that reads relative expressions ("yesterday", "next
week", "three days ago", "last year") against a base date and says at what granularity it read
them (its period: day, week, month, year), which is exactly the ISO unit the guidelines want
(news.yaml, DATE: 2014-11-13, 2014-W47, 2014-11, 2014).

Rules, so that a value is never wrong rather than sometimes missing:
- An expression whose value does not depend on the base date (read the same against two far-apart
  bases: "November 2014", "14 November 2014", "2014") is absolute: its value needs no meta.date.
  Every other one gets a value only when the document has a readable meta.date.
- Only periods with an ISO form give a value: a time of day gives its day, and anything dateparser
  reads as a bare time ("the 1990s" comes back as a time) gives none.
- "last/this/next weekend" is the ISO week of that weekend (a Saturday and Sunday share their ISO
  week): dateparser has no weekends.
- A slashed date that reads both ways (11/12/2014) gets none.
- A weekday or month without "last/next" points back from the article's date in past contexts and
  forward in future ones (the caller says which: dateparser's PREFER_DATES_FROM).

dateparser takes about a millisecond a call, so each reading is cached: absolute ones by their
text, relative ones by (text, base date, direction).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from annotator.isodate import check_iso_date

# Two bases far apart, on different weekdays and in different months and halves of the year.
_PROBE_BASES = (dt.datetime(1990, 3, 7), dt.datetime(2031, 8, 23))
_WEEKEND_OFFSETS = {"last": -1, "previous": -1, "this": 0, "next": 1, "coming": 1}
# Synonyms dateparser does not know, said the way it does.
_REWRITES = (("coming ", "next "), ("previous ", "last "))
_AMBIGUOUS_SLASH = re.compile(r"^(0?[1-9]|1[0-2])/(0?[1-9]|1[0-2])/[0-9]{4}$")


def iso_value(moment: dt.datetime, period: str) -> str | None:
    """The ISO 8601 form of dateparser's reading at its granularity, or None."""
    if period in ("day", "part_of_day"):
        value = moment.date().isoformat()
    elif period == "week":
        year, week, _ = moment.isocalendar()
        value = f"{year:04d}-W{week:02d}"
    elif period == "month":
        value = f"{moment.year:04d}-{moment.month:02d}"
    elif period == "year":
        value = f"{moment.year:04d}"
    else:  # "time" and anything newer: no ISO value the schema takes
        return None
    return value if check_iso_date(value) is None else None


def article_date(meta: Mapping[str, Any]) -> dt.date | None:
    """The document's date (meta.date) as a day, or None when it is missing or unreadable.
    Reads ISO forms with or without a time or zone (the day as written, not moved to UTC) and
    spelled-out days ("14 November 2014"); a month or year alone is not a base."""
    value = meta.get("date") if isinstance(meta, Mapping) else None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        return _read_article_date(value.strip())
    return None


@lru_cache(maxsize=4096)
def _read_article_date(text: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    readings = [_parser(base, "past").get_date_data(text) for base in _PROBE_BASES]
    if any(r.date_obj is None or r.period != "day" for r in readings) or readings[0].date_obj != readings[1].date_obj:
        return None
    moment = readings[0].date_obj
    return moment.date() if moment is not None else None


@lru_cache(maxsize=256)
def _parser(base: dt.datetime, prefer: str) -> Any:
    from dateparser.date import DateDataParser  # imported with the first date, not with the registry

    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": prefer, "RETURN_TIME_AS_PERIOD": True}
    return DateDataParser(languages=["en"], settings=settings)


def _read(text: str, base: dt.datetime, prefer: str) -> str | None:
    data = _parser(base, prefer).get_date_data(text)
    return iso_value(data.date_obj, data.period) if data.date_obj is not None else None


@lru_cache(maxsize=65536)
def absolute_value(text: str) -> str | None:
    """The value of an expression that reads the same against any base, else None."""
    values = {_read(text, base, "past") for base in _PROBE_BASES}
    return values.pop() if len(values) == 1 else None


@lru_cache(maxsize=65536)
def relative_value(text: str, base: dt.date, future: bool) -> str | None:
    words = text.lower().split()
    if words[-1] == "weekend":
        offset = _WEEKEND_OFFSETS.get(words[0]) if len(words) == 2 else None
        if offset is None:
            return None
        year, week, _ = (base + dt.timedelta(weeks=offset)).isocalendar()
        return f"{year:04d}-W{week:02d}"
    return _read(text, dt.datetime.combine(base, dt.time()), "future" if future else "past")


def date_value(text: str, base: dt.date | None, future: bool) -> str | None:
    """The ISO value of a time expression found in a document whose date is base (None: no
    readable meta.date), or None when there is none or it cannot be known."""
    if _AMBIGUOUS_SLASH.match(text):
        return None
    spoken = text
    for synonym, known in _REWRITES:
        if spoken.lower().startswith(synonym):
            spoken = known + spoken[len(synonym) :]
    absolute = absolute_value(spoken)
    if absolute is not None or base is None:
        return absolute
    try:
        return relative_value(spoken, base, future)
    except OverflowError:  # meta.date at the calendar's ends (0001-01-01, 9999-12-31): "last Monday" has no day
        return None
