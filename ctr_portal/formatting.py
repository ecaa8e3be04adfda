"""Dates and times the NHS way, for pages and emails alike: "3 March 2026", "9:30am", "midday",
"3 March 2026 at 9:30am", "Monday 14 December 2026, 9am to 5pm": one style everywhere, in
tables, hints, the agenda, emails, PDFs and watermarks alike (no "3 Mar 2026", no "09:30").

This is the only place that formats them (the NHS digital service manual's content style:
"am" and "pm" without a space or full stops, no ":00" on the hour, "midday" and "midnight"
rather than 12pm and 12am, "to" in a range). Templates reach these through the `nhsuk` template
library's `nhs_date`, `nhs_time` and `nhs_datetime` filters. An aware datetime is shown in the
local time zone (settings.TIME_ZONE).
"""

from datetime import date, datetime, time

from django.utils import dateformat, timezone

DATE = "j F Y"  # 3 March 2026
DAY_AND_DATE = "l j F Y"  # Tuesday 3 March 2026


def _local(value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def nhs_date(value: date | datetime | None, style: str = DATE) -> str:
    """ "3 March 2026" (or "Tuesday 3 March 2026" with DAY_AND_DATE); "" for none."""
    if not value:
        return ""
    return dateformat.format(_local(value), style)


def nhs_time(value: time | datetime | None) -> str:
    """ "9am", "9:30am", "2:05pm", "midday" or "midnight"; a datetime gives its local time."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = _local(value).time()
    if value.minute == 0 and value.hour in (0, 12):
        return "midnight" if value.hour == 0 else "midday"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


def nhs_datetime(value: datetime | None, style: str = DATE) -> str:
    """ "3 March 2026 at 9:30am" (the date in `style`); "" for none."""
    if not value:
        return ""
    value = _local(value)
    return f"{nhs_date(value, style)} at {nhs_time(value.time())}"


def nhs_moment(value: datetime | None, today: date | None = None) -> str:
    """ "2:32pm" for a time today, "21 November 2026 at 2:32pm" on another day."""
    if not value:
        return ""
    local = _local(value)
    if local.date() == (today or timezone.localdate()):
        return nhs_time(local.time())
    return nhs_datetime(local)


def nhs_period(start: datetime | None, end: datetime | None = None) -> str:
    """ "Monday 14 December 2026, 9am to 5pm"; an end on another day gives its date too:
    "Monday 14 December 2026, 9am to 15 December 2026, 1pm". "" when there is no start."""
    if not start:
        return ""
    start = _local(start)
    text = f"{nhs_date(start, DAY_AND_DATE)}, {nhs_time(start.time())}"
    if end:
        end = _local(end)
        text += (
            f" to {nhs_time(end.time())}"
            if end.date() == start.date()
            else f" to {nhs_date(end)}, {nhs_time(end.time())}"
        )
    return text


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def nhs_duration(start: date, end: date) -> str:
    """How long from `start` to `end`, in words: "1 year 3 months", "5 months", "3 weeks",
    "1 day"; "less than a day" when they are the same day. The order of the two does not
    matter."""
    from dateutil.relativedelta import relativedelta

    if end < start:
        start, end = end, start
    gap = relativedelta(end, start)
    if gap.years:
        return " ".join(
            [_plural(gap.years, "year"), *([_plural(gap.months, "month")] if gap.months else [])]
        )
    if gap.months:
        return _plural(gap.months, "month")
    days = (end - start).days
    if days >= 7:
        return _plural(days // 7, "week")
    return _plural(days, "day") if days else "less than a day"


_QUOTES = "\"'“”‘’„«»"


def unquoted(text: str) -> str:
    """What someone said, without the quotation marks it was typed with, so that the page's own
    marks ("“…”") are not doubled: '"I want my own front door."' gives 'I want my own front
    door.'. Marks inside the words are kept."""
    text = " ".join((text or "").split())
    while len(text) > 1 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    return text
