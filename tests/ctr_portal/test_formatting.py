"""Dates and times the NHS way, one format per test (ctr_portal/formatting.py)."""

from datetime import UTC, date, datetime, time

import pytest
from django.template import Context, Template
from django.utils import timezone

from ctr_portal.formatting import (
    DAY_AND_DATE,
    nhs_date,
    nhs_datetime,
    nhs_moment,
    nhs_period,
    nhs_time,
    unquoted,
)


def london(*args):
    return timezone.make_aware(datetime(*args))


def test_a_date_is_day_month_in_words_and_year():
    assert nhs_date(date(2026, 3, 3)) == "3 March 2026"


def test_a_date_with_its_day_names_the_weekday():
    assert nhs_date(date(2026, 3, 3), DAY_AND_DATE) == "Tuesday 3 March 2026"


def test_the_date_of_a_datetime_is_the_date_in_london():
    # 11:30pm on 30 June in UTC is already 1 July in London (BST).
    assert nhs_date(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == "1 July 2026"


def test_no_date_is_an_empty_string():
    assert nhs_date(None) == "" and nhs_time(None) == "" and nhs_datetime(None) == ""


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        (time(9, 0), "9am"),
        (time(9, 30), "9:30am"),
        (time(14, 5), "2:05pm"),
        (time(0, 30), "12:30am"),
        (time(12, 45), "12:45pm"),
    ],
)
def test_a_time_has_am_or_pm_and_no_minutes_on_the_hour(clock, expected):
    assert nhs_time(clock) == expected


def test_twelve_oclock_is_midday_or_midnight():
    assert nhs_time(time(12, 0)) == "midday"
    assert nhs_time(time(0, 0)) == "midnight"


def test_the_time_of_a_datetime_is_the_time_in_london():
    assert nhs_time(datetime(2026, 7, 1, 8, 30, tzinfo=UTC)) == "9:30am"


def test_a_date_and_time_are_joined_by_at():
    assert nhs_datetime(london(2026, 3, 3, 9, 30)) == "3 March 2026 at 9:30am"
    assert nhs_datetime(london(2026, 3, 3, 12, 0)) == "3 March 2026 at midday"


def test_a_moment_today_is_only_its_time():
    today = date(2026, 3, 3)
    assert nhs_moment(london(2026, 3, 3, 14, 32), today=today) == "2:32pm"
    assert nhs_moment(london(2026, 3, 2, 14, 32), today=today) == "2 March 2026 at 2:32pm"


def test_a_period_on_one_day_gives_the_day_once():
    period = nhs_period(london(2026, 12, 14, 9, 0), london(2026, 12, 14, 17, 0))
    assert period == "Monday 14 December 2026, 9am to 5pm"


def test_a_period_over_two_days_gives_the_end_date_too():
    period = nhs_period(london(2026, 12, 14, 21, 0), london(2026, 12, 15, 1, 0))
    assert period == "Monday 14 December 2026, 9pm to 15 December 2026, 1am"
    assert nhs_period(london(2026, 12, 14, 9, 0)) == "Monday 14 December 2026, 9am"
    assert nhs_period(None) == ""


def test_templates_use_the_same_formats_through_the_nhsuk_filters():
    template = Template(
        "{% load nhsuk %}{{ day|nhs_date }}; {{ when|nhs_date:'j M Y' }}; {{ when|nhs_time }}; "
        "{{ when|nhs_datetime }}"
    )
    html = template.render(Context({"day": date(2026, 3, 3), "when": london(2026, 3, 3, 12, 0)}))
    assert html == "3 March 2026; 3 Mar 2026; midday; 3 March 2026 at midday"


def test_a_quote_loses_the_quotation_marks_it_was_typed_with_but_keeps_those_inside():
    assert unquoted('"I want my own front door."') == "I want my own front door."
    assert unquoted("“ ‘Mum’s house’ ”") == "Mum’s house"
    assert unquoted('He said "no" to it') == 'He said "no" to it'
    assert unquoted("") == ""
