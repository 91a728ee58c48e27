"""The spaCy Matcher patterns of the dates source: which token sequences are time expressions.

Why token patterns rather than dateparser's search_dates: search_dates reads any number, "may",
"now", "second" or "March" (the verb) as a date, and gives no offsets into the text, while the
guidelines (news.yaml, DATE) want calendar expressions only, without their prepositions, durations
("for a week") or vague adverbs ("soon", "later"). Each pattern key is a kind, which says how the
expression is normalised (date_values.py) and how sure a hit is (its score).

Month and weekday names must be capitalised (ORTH), so that "may", "march" or "sun" in running
text are not dates; relative words match in any case (LOWER).
"""

from __future__ import annotations

from typing import Any

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip
# A month on its own, without a day or year beside it: not "May", more often a name (Theresa May) or a verb.
MONTHS_ALONE = tuple(name for name in MONTHS if name != "May")
MONTH_ABBREVIATIONS = ("Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.", "Sept.", "Oct.", "Nov.", "Dec.")
RELATIVE_WORDS = ("yesterday", "today", "tomorrow", "tonight")
# "day" is left out after last/next/this: "the next day" is relative to the story, not to the article's date.
UNITS = ("week", "weekend", "month", "year", "decade", "century")
PARTS_OF_DAY = ("morning", "afternoon", "evening", "night")
SEASONS = ("spring", "summer", "autumn", "fall", "winter")
COUNTED_UNITS = ("day", "days", "week", "weeks", "month", "months", "year", "years", "decade", "decades")
NUMBER_WORDS = ("a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "several")
DEICTICS = ("last", "next", "this", "past", "coming", "previous")

# Numbers as sets of strings, not REGEX predicates: a set lookup per token is cheap, a regex run
# on every token of every document made the matcher ten times slower.
YEARS = [str(year) for year in range(1500, 2100)]
DECADES = [f"{decade}s" for decade in range(1500, 2100, 10)]
_DAYS = range(1, 32)
_ORDINALS = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}
DAYS_OF_MONTH = [str(day) for day in _DAYS] + [f"{day}{_ORDINALS.get(day, 'th')}" for day in _DAYS]
TWO_DIGITS = [f"{number:02d}" for number in range(1, 32)]
SLASHED_SHAPES = ["d/d/dddd", "dd/d/dddd", "d/dd/dddd", "dd/dd/dddd"]

# How sure a hit of each kind is. A bare year may be a count ("2014 people"); a weekday's
# direction (this Monday or last?) is guessed from the sentence's tense.
KIND_SCORES = {
    "calendar": 0.95,  # 14 November 2014, November 2014, 2014-11-13, Nov. 14
    "relative": 0.9,  # yesterday, next week, last year, three days ago
    "weekday": 0.85,  # Monday, last Friday
    "month": 0.85,  # November (the year from the article's date)
    "year": 0.75,  # 2014
    "period": 0.6,  # Soviet times, the 1990s, recent years: a date without an ISO value
}


def _title(names: tuple[str, ...]) -> dict[str, Any]:
    return {"ORTH": {"IN": list(names)}}


def _lower(words: tuple[str, ...]) -> dict[str, Any]:
    return {"LOWER": {"IN": list(words)}}


def date_patterns() -> dict[str, list[list[dict[str, Any]]]]:
    """Pattern lists by kind, for Matcher.add(kind, patterns)."""
    month = _title(MONTHS + MONTH_ABBREVIATIONS)
    day, year = {"ORTH": {"IN": DAYS_OF_MONTH}}, {"ORTH": {"IN": YEARS}}
    optional_of = {"LOWER": "of", "OP": "?"}
    optional_comma = {"ORTH": ",", "OP": "?"}
    optional_year = {**year, "OP": "?"}
    return {
        "calendar": [
            # 14 November (2014), 14th of November; November 14(, 2014), Nov. 14. The Matcher's cost
            # grows with the number of patterns, so optional parts rather than one pattern each.
            [day, optional_of, month, optional_year],
            [month, day, optional_comma, optional_year],
            [month, year],  # November 2014
            # 2014-11-13 (five tokens for spaCy; a hit with spaces inside is dropped by the source)
            [year, {"ORTH": "-"}, {"ORTH": {"IN": TWO_DIGITS[:12]}}, {"ORTH": "-"}, {"ORTH": {"IN": TWO_DIGITS}}],
            [{"SHAPE": {"IN": SLASHED_SHAPES}}],  # 13/11/2014
        ],
        "relative": [
            [_lower(RELATIVE_WORDS)],
            [
                {"LOWER": "the", "OP": "?"},
                {"LOWER": "day"},
                _lower(("before", "after")),
                _lower(("yesterday", "tomorrow")),
            ],
            [_lower(DEICTICS), _lower(UNITS + PARTS_OF_DAY + SEASONS)],  # next week, last year, this morning
            [{"LIKE_NUM": True}, _lower(COUNTED_UNITS), {"LOWER": "ago"}],  # 3 days ago
            [_lower(NUMBER_WORDS), _lower(COUNTED_UNITS), {"LOWER": "ago"}],  # two weeks ago, a year ago
        ],
        "weekday": [[{"LOWER": {"IN": ["last", "next", "this"]}, "OP": "?"}, _title(WEEKDAYS)]],
        "month": [[{"LOWER": {"IN": ["last", "next", "this"]}, "OP": "?"}, _title(MONTHS_ALONE)]],
        "year": [[year]],
        "period": [
            [{"ORTH": {"IN": DECADES}}],  # 1990s
            [_lower(("recent", "coming")), _lower(("days", "weeks", "months", "years", "decades"))],
            # named historical periods: Soviet times, Meiji era (a capitalised word that is no stop word)
            [{"IS_TITLE": True, "IS_STOP": False}, {"ORTH": {"IN": ["times", "era"]}}],
        ],
    }
