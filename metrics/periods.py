"""The period a page shows: the last 12 months (the default), a calendar month ("2026-10") or a
quarter ("2026-Q3"), named by a token in the query string."""

import calendar
from dataclasses import dataclass
from datetime import date

from ctr_portal import dashboard
from reviews.policy import add_months

DEFAULT = "12m"
MONTHS_OFFERED = 12
QUARTERS_OFFERED = 8


@dataclass(frozen=True)
class Period:
    token: str
    start: date
    end: date
    label: str

    def months(self) -> list[date]:
        """The first day of each month the period touches, in order."""
        first, found = self.start.replace(day=1), []
        while first <= self.end:
            found.append(first)
            first = add_months(first, 1)
        return found


def _month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def last_12_months(today: date) -> Period:
    """The default period, the one the dashboard's cards count over."""
    start, end = dashboard.last_12_months(today)
    return Period(DEFAULT, start, end, dashboard.PERIOD_LABEL)


def month(first: date) -> Period:
    return Period(f"{first:%Y-%m}", first, _month_end(first), f"{first:%B %Y}")


def quarter(year: int, number: int) -> Period:
    first = date(year, 3 * number - 2, 1)
    end = _month_end(add_months(first, 2))
    return Period(f"{year}-Q{number}", first, end, f"{first:%B} to {end:%B %Y}")


def parse(token: str, today: date) -> Period:
    """The period a token names, or the last 12 months for none or a token not offered."""
    return next((p for p in choices(today) if p.token == token), last_12_months(today))


def choices(today: date) -> list[Period]:
    """What the period list offers: the last 12 months, each of the last 12 calendar months
    (this one first), and each of the last 8 quarters."""
    this_month = today.replace(day=1)
    months = [month(add_months(this_month, -i)) for i in range(MONTHS_OFFERED)]
    q = (today.month - 1) // 3 + 1
    quarters = []
    year = today.year
    for _ in range(QUARTERS_OFFERED):
        quarters.append(quarter(year, q))
        q, year = (q - 1, year) if q > 1 else (4, year - 1)
    return [last_12_months(today), *months, *quarters]


def date_range(start: date, end: date) -> Period:
    from ctr_portal.formatting import nhs_date

    return Period("range", start, end, f"{nhs_date(start)} to {nhs_date(end)}")
