"""The dates each kind of date field accepts (`ctr_portal/limits.py`), at their edges, and the
messages a person sees outside them. The pages that use them are tested in
tests/reviews/test_limits_on_pages.py."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from ctr_portal import limits
from ctr_portal.nhsuk import SplitDateField

TODAY = date(2026, 3, 2)


def problem(bounds, day, today=TODAY):
    message = bounds.problem(day, today=today)
    return message % {"label": "Date"} if message else None


@pytest.mark.parametrize(
    ("bounds", "day", "expected"),
    [
        # A date of birth: in the past, after 1 January 1900.
        (limits.BIRTH, date(2026, 3, 1), None),
        (limits.BIRTH, TODAY, "Date must be in the past"),
        (limits.BIRTH, date(2026, 3, 3), "Date must be in the past"),
        (limits.BIRTH, date(1900, 1, 2), None),
        (limits.BIRTH, date(1900, 1, 1), "Date must be after 1 January 1900"),
        (limits.BIRTH, date(1066, 10, 14), "Date must be after 1 January 1900"),
        # Admissions, discharges and moves: today or in the past, after 1 January 1950.
        (limits.CARE_HISTORY, TODAY, None),
        (limits.CARE_HISTORY, date(2026, 3, 3), "Date must be today or in the past"),
        (limits.CARE_HISTORY, date(1950, 1, 2), None),
        (limits.CARE_HISTORY, date(1926, 3, 2), "Date must be after 1 January 1950"),
        # Recent events: today or in the past, within the last 2 years.
        (limits.RECENT_EVENT, TODAY, None),
        (limits.RECENT_EVENT, date(2024, 3, 2), None),
        (limits.RECENT_EVENT, date(2024, 3, 1), "Date must be within the last 2 years"),
        (limits.RECENT_EVENT, date(2126, 3, 1), "Date must be today or in the past"),
        # A planned review: today or in the future, within the next 2 years.
        (limits.PLANNED, TODAY, None),
        (limits.PLANNED, date(2028, 3, 2), None),
        (limits.PLANNED, date(2028, 3, 3), "Date must be within the next 2 years"),
        (limits.PLANNED, date(2126, 3, 1), "Date must be within the next 2 years"),
        (limits.PLANNED, date(2026, 3, 1), "Date must be today or in the future"),
    ],
)
def test_each_kind_of_date_accepts_its_range_and_names_the_bound_it_breaks(bounds, day, expected):
    assert problem(bounds, day) == expected


def test_a_year_from_29_february_ends_on_28_february():
    leap_day = date(2028, 2, 29)

    assert problem(limits.PLANNED, date(2030, 2, 28), today=leap_day) is None
    assert problem(limits.PLANNED, date(2030, 3, 1), today=leap_day) == (
        "Date must be within the next 2 years"
    )


def test_one_year_reads_as_a_year():
    bounds = limits.DateBounds(limits.TODAY_OR_PAST, years=1)

    assert problem(bounds, date(2025, 3, 1)) == "Date must be within the last year"


def test_a_date_field_reports_its_bounds_by_its_subject_and_marks_every_box():
    field = SplitDateField(
        label="Date of the review", subject="The date of the review", bounds=limits.PLANNED
    )

    with pytest.raises(ValidationError) as caught:
        field.clean(["1", "3", "2126"])

    assert caught.value.messages == ["The date of the review must be within the next 2 years"]
    assert caught.value.error_list[0].params["fields"] == ("day", "month", "year")


@pytest.mark.parametrize("year", ["9" * 5000, "²⁰²⁶", "20266"])
def test_a_date_box_of_too_many_or_unreadable_digits_is_not_a_real_date(year):
    field = SplitDateField(label="Date of birth", bounds=limits.BIRTH)

    with pytest.raises(ValidationError) as caught:
        field.clean(["1", "3", year])

    assert caught.value.messages == ["Date of birth must be a real date"]


def test_text_limits_are_worded_the_nhs_way():
    assert limits.too_long_message("Reason", limits.NOTE) == (
        "Reason must be 2,000 characters or fewer"
    )
