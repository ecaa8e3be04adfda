"""Working days in England: Monday to Friday, less England's bank holidays.

The bank holidays come from the `holidays` library (kept up to date upstream, substitute days
included), never from a list written here. Used by the review clock (children's post-admission
reviews, reviews/policy.py) and the document pack's deadlines (documents/policy.py).
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.UK(subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def _step(day: date, count: int, direction: int) -> date:
    while count > 0:
        day += timedelta(days=direction)
        if is_working_day(day):
            count -= 1
    return day


def working_days_after(day: date, count: int) -> date:
    """The `count`th working day after `day` (day itself not counted)."""
    return _step(day, count, 1)


def working_days_before(day: date, count: int) -> date:
    """The `count`th working day before `day` (day itself not counted)."""
    return _step(day, count, -1)


def bank_holiday_name(day: date) -> str:
    """The name of England's bank holiday on `day` ("Christmas Day"), or "" if there is none."""
    return holidays.UK(subdiv="ENG", years=day.year).get(day, "")
