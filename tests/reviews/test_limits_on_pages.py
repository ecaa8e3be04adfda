"""Dates out of their bounds and text over its limit, as a commissioner meets them on the
pages: the message beside the field and in the error summary, what was typed kept, nothing
saved. One test per kind of date (ctr_portal/limits.py) and per kind of free text."""

import html
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ctr_portal import limits
from reviews.models import Person

from .factories import PersonFactory, ReviewFactory

pytestmark = pytest.mark.django_db

TOO_MUCH = "x" * 10


def split_date(name, day: date) -> dict:
    return {f"{name}[day]": day.day, f"{name}[month]": day.month, f"{name}[year]": day.year}


def years_from_today(years: int) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year + years, day=min(today.day, 28))


def refused(response, message: str) -> str:
    """The form came back with `message` in the error summary and beside the field."""
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "<title>Error: " in page
    assert page.count(message) == 2, f"{message!r} should be in the summary and the field"
    return page


def keeps_date(page: str, name: str, day: date) -> bool:
    return all(
        f'name="{name}[{part}]" type="text" value="{value}"' in page
        for part, value in (("day", day.day), ("month", day.month), ("year", day.year))
    )


def keeps_text(page: str, name: str, text: str) -> bool:
    return f'name="{name}"' in page and f"\n{text}</textarea>" in page


@pytest.fixture
def commissioner(client_for):
    return client_for("commissioner")


@pytest.fixture
def person(organisations, users):
    return PersonFactory(
        responsible_commissioner=organisations["icb"], created_by=users["commissioner"]
    )


def register_data(organisations, **changes):
    data = {
        "given_name": "Amira",
        "family_name": "Hussain",
        "nhs_number": "943 476 5919",
        **split_date("date_of_birth", date(1998, 4, 3)),
        "diagnosis": ["autism"],
        "location": "hospital",
        "hospital_setting": "non_secure",
        "provider": str(organisations["provider"].pk),
        **split_date("admission_date", timezone.localdate() - timedelta(days=10)),
        "mha_status": "s3",
        "responsible_commissioner": str(organisations["icb"].pk),
    }
    data.update(changes)
    return data


# --- Dates ------------------------------------------------------------------------------------


def test_a_date_of_birth_must_be_after_1900(commissioner, organisations):
    born = date(1900, 1, 1)

    page = refused(
        commissioner.post(
            reverse("reviews:person_create"),
            register_data(organisations, **split_date("date_of_birth", born)),
        ),
        "Date of birth must be after 1 January 1900",
    )

    assert 'href="#id_date_of_birth-day"' in page
    assert keeps_date(page, "date_of_birth", born)
    assert not Person.objects.exists()


def test_an_admission_date_must_be_after_1950(commissioner, organisations):
    admitted = date(1926, 3, 2)  # 2026 mistyped

    page = refused(
        commissioner.post(
            reverse("reviews:person_create"),
            register_data(organisations, **split_date("admission_date", admitted)),
        ),
        "Date admitted must be after 1 January 1950",
    )

    assert keeps_date(page, "admission_date", admitted)
    assert not Person.objects.exists()


def test_a_discharge_cannot_be_recorded_for_next_year(commissioner, review_world):
    person = review_world["person"]
    discharged = years_from_today(1)

    page = refused(
        commissioner.post(
            reverse("reviews:person_setting", args=[person.pk]),
            {
                "kind": "discharge",
                **split_date("effective_date", discharged),
                "location": "community",
            },
        ),
        "Date it happened must be today or in the past",
    )

    assert keeps_date(page, "effective_date", discharged)
    assert not person.setting_history.exists()


def test_a_blue_light_meeting_must_be_within_the_last_2_years(commissioner, person):
    held = years_from_today(-3)

    page = refused(
        commissioner.post(
            reverse("reviews:person_laep", args=[person.pk]),
            {**split_date("held_on", held), "outcome": "Extra support at home"},
        ),
        "Date of the meeting must be within the last 2 years",
    )

    assert keeps_date(page, "held_on", held)
    assert keeps_text(page, "outcome", "Extra support at home")
    assert not person.laep_meetings.exists()


def test_a_consent_decision_must_be_within_the_last_2_years(commissioner, review_world):
    review = review_world["review"]
    decided = years_from_today(-3)
    before = review.consents.count()

    page = refused(
        commissioner.post(
            reverse("reviews:review_consent", args=[review.pk]),
            {
                "decision": "consented",
                "route": "own",
                "shares_information": "yes",
                "report_format": "standard",
                **split_date("decided_on", decided),
            },
        ),
        "The date of the decision must be within the last 2 years",
    )

    assert keeps_date(page, "decided_on", decided)
    assert review.consents.count() == before


def test_the_event_a_review_answers_must_be_within_the_last_2_years(commissioner, review_world):
    person = review_world["person"]
    happened = years_from_today(-10)

    page = refused(
        commissioner.post(
            reverse("reviews:review_plan", args=[person.pk]),
            {
                "kind": "event_triggered",
                "event_reason": "move_of_hospital",
                **split_date("event_date", happened),
            },
        ),
        "The date of the event must be within the last 2 years",
    )

    assert keeps_date(page, "event_date", happened)
    assert person.reviews.count() == 1


def test_a_review_cannot_be_scheduled_for_2126(commissioner, review_world):
    review = ReviewFactory(
        person=review_world["person"],
        kind="post_admission",
        due_date=timezone.localdate() + timedelta(days=20),
    )
    when = date(2126, 3, 1)

    page = refused(
        commissioner.post(
            reverse("reviews:review_schedule", args=[review.pk]),
            {
                **split_date("date", when),
                "start_time": "10:00",
                "duration_minutes": "480",
                "venue": "Town hall, room 4",
            },
        ),
        "The date must be within the next 2 years",
    )

    assert 'href="#id_date-day"' in page
    assert keeps_date(page, "date", when)
    assert 'value="Town hall, room 4"' in page
    review.refresh_from_db()
    assert review.starts_at is None


# --- Text -------------------------------------------------------------------------------------


def test_how_to_talk_with_me_shows_its_limit_and_refuses_more(commissioner, organisations):
    form_page = html.unescape(commissioner.get(reverse("reviews:person_create")).content.decode())
    assert 'data-maxlength="2000"' in form_page
    assert "You can enter up to 2,000 characters" in form_page
    too_long = "Give me time. " + "x" * limits.NOTE

    page = refused(
        commissioner.post(
            reverse("reviews:person_create"),
            register_data(organisations, communication=too_long),
        ),
        "How to talk with me must be 2,000 characters or fewer",
    )

    assert keeps_text(page, "communication", too_long)
    assert not Person.objects.exists()


def test_what_was_agreed_at_a_blue_light_meeting_is_up_to_5000_characters(commissioner, person):
    url = reverse("reviews:person_laep", args=[person.pk])
    held = split_date("held_on", timezone.localdate())

    page = refused(
        commissioner.post(url, {**held, "outcome": "x" * (limits.LONG_NOTE + 1)}),
        "Outcome must be 5,000 characters or fewer",
    )
    assert not person.laep_meetings.exists()

    commissioner.post(url, {**held, "outcome": "x" * limits.LONG_NOTE})
    assert len(person.laep_meetings.get().outcome) == limits.LONG_NOTE
    assert "You can enter up to 5,000 characters" in page


def test_line_breaks_count_once_as_the_character_count_counts_them(commissioner, person):
    # 50 lines of 99 characters: 4,999 characters on the screen, 5,048 as a browser sends them
    # (a line break as CR LF).
    outcome = "\r\n".join(["x" * 99] * 50)

    commissioner.post(
        reverse("reviews:person_laep", args=[person.pk]),
        {**split_date("held_on", timezone.localdate()), "outcome": outcome},
    )

    assert person.laep_meetings.exists()


def test_why_a_review_is_late_is_up_to_2000_characters(commissioner, review_world):
    review = ReviewFactory(
        person=review_world["person"],
        kind="post_admission",
        due_date=timezone.localdate() + timedelta(days=2),
    )
    late = "x" * (limits.NOTE + 1)

    page = refused(
        commissioner.post(
            reverse("reviews:review_schedule", args=[review.pk]),
            {
                **split_date("date", timezone.localdate() + timedelta(days=30)),
                "start_time": "10:00",
                "duration_minutes": "480",
                "venue": "Town hall, room 4",
                "late_reason": late,
            },
        ),
        "Reason must be 2,000 characters or fewer",
    )

    assert keeps_text(page, "late_reason", late)


def test_who_was_consulted_is_up_to_2000_characters(commissioner, review_world):
    review = review_world["review"]

    refused(
        commissioner.post(
            reverse("reviews:review_consent", args=[review.pk]),
            {
                "decision": "best_interests",
                "route": "best_interests",
                "capacity_assessed_by": "Dr A Khan, responsible clinician",
                "decision_maker": "Sam Whitfield, ward manager",
                "consulted": "x" * (limits.NOTE + 1),
                "shares_information": "yes",
                "report_format": "standard",
                **split_date("decided_on", timezone.localdate()),
            },
        ),
        "Details of who was consulted must be 2,000 characters or fewer",
    )


def test_a_note_on_a_move_is_up_to_2000_characters(commissioner, review_world):
    person = review_world["person"]

    refused(
        commissioner.post(
            reverse("reviews:person_setting", args=[person.pk]),
            {
                "kind": "discharge",
                **split_date("effective_date", timezone.localdate()),
                "location": "community",
                "note": "x" * (limits.NOTE + 1),
            },
        ),
        "Notes must be 2,000 characters or fewer",
    )

    assert not person.setting_history.exists()
