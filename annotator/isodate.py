"""Strict ISO 8601 date checks for ``date`` attributes.

Why not ``dateutil``: its parser guesses. It reads "14/11/2014" or "Nov 14", fills missing
parts from today, and has no notion of a reduced-precision value (``2014-11``) or a week
date (``2014-W47``) standing for itself. An annotated value must mean exactly what was typed,
so a regex fixes the allowed shapes and :mod:`datetime` decides whether the numbers name a
real day, week and time.

Accepted: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, ``YYYY-Www``, ``YYYY-Www-D``, and after a
full date an optional ``Thh:mm[:ss[.fff]]`` with an optional ``Z`` or ``±hh:mm`` offset.
Years run from 0001 to 9999 (what :class:`datetime.date` can hold).
"""

from __future__ import annotations

import datetime as dt
import re

# [0-9] rather than \d: \d also matches non-ASCII digits such as "٢٠١٤".
_PATTERN = re.compile(
    r"""
    (?P<year>[0-9]{4})
    (?: -(?P<month>[0-9]{2}) (?: -(?P<day>[0-9]{2}) )?
      | -W(?P<week>[0-9]{2}) (?: -(?P<weekday>[0-9]) )?
    )?
    (?: T(?P<hour>[0-9]{2}) :(?P<minute>[0-9]{2}) (?: :(?P<second>[0-9]{2}) (?: \.[0-9]+ )? )?
        (?P<zone> Z | [+-][0-9]{2}:[0-9]{2} )?
    )?
    """,
    re.VERBOSE,
)

_EXAMPLES = "e.g. 2014, 2014-11, 2014-11-14, 2014-W47, 2014-W47-5 or 2014-11-14T09:30"


def is_iso_date(value: str) -> bool:
    """True if ``value`` is an ISO 8601 date (possibly reduced, week-based or with a time)."""
    return check_iso_date(value) is None


def check_iso_date(value: str) -> str | None:
    """None if ``value`` is an ISO 8601 date, else a short message saying what is wrong."""
    if not isinstance(value, str):
        return f"expected an ISO 8601 date string, got {type(value).__name__}"
    match = _PATTERN.fullmatch(value)
    if match is None:
        return f"{value!r} is not an ISO 8601 date ({_EXAMPLES})"
    parts = match.groupdict()
    if parts["hour"] is not None and parts["day"] is None and parts["weekday"] is None:
        return f"{value!r}: a time of day needs a full date before it"
    return _check_day(parts) or _check_time(parts)


def _check_day(parts: dict[str, str | None]) -> str | None:
    year = int(parts["year"] or 0)
    if year == 0:
        return "year 0000 does not exist (years run from 0001 to 9999)"
    if parts["week"] is not None:
        return _check_week(year, int(parts["week"]), parts["weekday"])
    if parts["month"] is None:
        return None
    month = int(parts["month"])
    if not 1 <= month <= 12:
        return f"month {parts['month']} does not exist"
    if parts["day"] is None:
        return None
    try:
        dt.date(year, month, int(parts["day"]))
    except ValueError:
        return f"{year:04d}-{month:02d} has no day {parts['day']}"
    return None


def _check_week(year: int, week: int, weekday: str | None) -> str | None:
    day = 1 if weekday is None else int(weekday)
    if not 1 <= day <= 7:
        return f"weekday {day} does not exist (1 is Monday, 7 is Sunday)"
    # fromisocalendar knows which years have a week 53; it also refuses week days that
    # fall past 9999-12-31.
    try:
        dt.date.fromisocalendar(year, week, day)
    except ValueError:
        return f"{year:04d}-W{week:02d}-{day} is not a real week date"
    return None


def _check_time(parts: dict[str, str | None]) -> str | None:
    hour, minute, second = parts["hour"], parts["minute"], parts["second"] or "00"
    if hour is None or minute is None:
        return None
    try:
        dt.time(int(hour), int(minute), int(second))
    except ValueError:
        return f"{hour}:{minute}:{second} is not a time of day"
    zone = parts["zone"]
    if zone and zone != "Z" and (int(zone[1:3]) > 23 or int(zone[4:6]) > 59):
        return f"offset {zone} is out of range"
    return None
