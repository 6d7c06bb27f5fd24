"""Belgian legal holidays and working days, for Ger.W. art. 53 (an expiry day on a Saturday, Sunday or legal
holiday moves to the next working day).

The holidays come only from the `holidays` package's Belgian PUBLIC category: the ten federal legal holidays
plus Easter Sunday and Whit Sunday (Sundays anyway). Never the BANK or SCHOOL categories: 11 July,
2 November and 26 December are not legal holidays and must not move a deadline.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Final

import holidays
import numpy as np

from deadlines.vocabulary import LANGUAGES

DEFAULT_FIRST_YEAR: Final = 1990
DEFAULT_LAST_YEAR: Final = 2100
# The `holidays` package's code of each of LANGUAGES (tests/test_vocabulary.py: one for each).
_PACKAGE_LANGUAGE: Final = {"nl": "nl", "fr": "fr", "de": "de", "en": "en_US"}
WEEKMASK: Final = "1111100"  # Monday to Friday are working days


@cache
def _holidays(first_year: int, last_year: int, language: str = "en") -> dict[date, str]:
    table = holidays.country_holidays(
        "BE",
        categories=("public",),
        years=range(first_year, last_year + 1),
        language=_PACKAGE_LANGUAGE[language],
    )
    return dict(sorted(table.items()))


def _span(first_year: int, last_year: int) -> tuple[int, int]:
    """Widen a requested span to the default one, so the cache holds a handful of calendars at most."""
    return min(first_year, DEFAULT_FIRST_YEAR), max(last_year, DEFAULT_LAST_YEAR)


def legal_holidays(
    first_year: int = DEFAULT_FIRST_YEAR, last_year: int = DEFAULT_LAST_YEAR
) -> dict[date, str]:
    """Day -> English name of every Belgian legal holiday in the (widened) span of years."""
    return _holidays(*_span(first_year, last_year))


@cache
def busday_calendar(
    first_year: int = DEFAULT_FIRST_YEAR, last_year: int = DEFAULT_LAST_YEAR
) -> np.busdaycalendar:
    """A numpy business-day calendar: Monday to Friday, minus the legal holidays of the span."""
    first, last = _span(first_year, last_year)
    days = np.array(sorted(_holidays(first, last)), dtype="datetime64[D]")
    return np.busdaycalendar(weekmask=WEEKMASK, holidays=days)


def calendar_for(days: np.ndarray) -> np.busdaycalendar:
    """The calendar covering every non-NaT day in `days` (datetime64[D]), one year of margin each side."""
    present = days[~np.isnat(days)]
    if present.size == 0:
        return busday_calendar()
    years = present.astype("datetime64[Y]").astype(np.int64) + 1970
    return busday_calendar(*_span(int(years.min()) - 1, int(years.max()) + 1))


def roll_forward(days: np.ndarray) -> np.ndarray:
    """Move each day that is a Saturday, Sunday or legal holiday to the next working day (NaT stays NaT)."""
    days = np.asarray(days, dtype="datetime64[D]")
    return np.busday_offset(days, 0, roll="forward", busdaycal=calendar_for(days))


def is_working_day(day: date) -> bool:
    """Not a Saturday, Sunday or legal holiday."""
    return day.weekday() < 5 and holiday_name(day) is None


def next_working_day(day: date) -> date:
    """The day itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date) -> date:
    """The last working day before `day` (never `day` itself): the day to post or hand in an appeal whose
    deadline falls on a Saturday, Sunday or legal holiday."""
    day -= timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def holiday_name(day: date, lang: str = "en") -> str | None:
    """The legal holiday's name in nl, fr, de or en, or None when `day` is not a legal holiday."""
    if lang not in _PACKAGE_LANGUAGE:
        raise ValueError(f"unsupported language {lang!r}; use one of {LANGUAGES}")
    # Whether it is one: the calendar of the whole span, which the working days use anyway. Its name in
    # another language: from that year's table alone (a night names a few years' holidays, not 111 years'
    # in each language; tests/test_rules.py holds every day of the span to the span's own tables).
    if day not in _holidays(*_span(day.year, day.year)):
        return None
    return _holidays(day.year, day.year, lang).get(day)


def holiday_names(day: date) -> dict[str, str] | None:
    """The legal holiday's name in every language of LANGUAGES, or None."""
    if holiday_name(day) is None:
        return None
    return {lang: holiday_name(day, lang) or "" for lang in LANGUAGES}


@cache
def longest_non_working_run(first_year: int = DEFAULT_FIRST_YEAR, last_year: int = DEFAULT_LAST_YEAR) -> int:
    """The longest run of consecutive non-working days in the span (3 in Belgium: a weekend plus a Friday or
    Monday holiday). It bounds how far art. 53 can move an expiry day: at most this many days."""
    first, last = _span(first_year, last_year)
    days = np.arange(
        np.datetime64(f"{first}-01-01"), np.datetime64(f"{last + 1}-01-01"), dtype="datetime64[D]"
    )
    working = np.is_busday(days, busdaycal=busday_calendar(first, last))
    longest = run = 0
    # One pass over ~40,000 days, once per process (cached): clearer than a vectorised run-length trick.
    for is_work in working:
        run = 0 if is_work else run + 1
        longest = max(longest, run)
    return longest
