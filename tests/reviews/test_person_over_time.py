"""The person over time on their page: how long they have been in hospital against the planned
discharge date, restraint and segregation recorded, and their held reviews side by side."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ctr_portal.formatting import nhs_duration
from panels.models import Rating
from reviews.models import RestrictivePractice
from reviews.presenters import hospital_stay
from tests.panels.factories import ConsolidatedKloeFactory, PanelFactory, kloe_of
from tests.reviews.factories import PersonFactory, RestrictivePracticeFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def split_date(name, day: date) -> dict:
    return {
        f"{name}[day]": str(day.day),
        f"{name}[month]": str(day.month),
        f"{name}[year]": str(day.year),
    }


def page_of(client, person) -> str:
    return client.get(reverse("reviews:person_detail", args=[person.pk])).content.decode()


# --- How long in hospital ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (date(2025, 9, 1), date(2026, 12, 7), "1 year 3 months"),
        (date(2024, 12, 7), date(2026, 12, 7), "2 years"),
        (date(2026, 9, 7), date(2026, 12, 7), "3 months"),
        (date(2026, 11, 16), date(2026, 12, 7), "3 weeks"),
        (date(2026, 12, 6), date(2026, 12, 7), "1 day"),
        (date(2026, 12, 7), date(2026, 12, 7), "less than a day"),
    ],
)
def test_a_duration_reads_in_years_months_weeks_or_days(start, end, words):
    assert nhs_duration(start, end) == words
    assert nhs_duration(end, start) == words


def test_time_in_hospital_is_set_against_the_planned_discharge_date():
    today = date(2026, 12, 7)
    person = PersonFactory.build(
        in_hospital=True, admission_date=date(2025, 9, 1), planned_discharge_date=date(2027, 3, 5)
    )
    assert hospital_stay(person, today) == (
        "In hospital 1 year 3 months; planned discharge 5 March 2027 (in 2 months)"
    )
    person.planned_discharge_date = date(2026, 11, 16)
    assert hospital_stay(person, today) == (
        "In hospital 1 year 3 months; planned discharge 16 November 2026, "
        "past its planned date by 3 weeks"
    )
    person.planned_discharge_date = None
    assert hospital_stay(person, today) == (
        "In hospital 1 year 3 months; no planned discharge date"
    )
    assert hospital_stay(PersonFactory.build(), today) == ""


def test_the_persons_page_says_how_long_they_have_been_in_hospital(client_for, review_world):
    person = review_world["person"]
    person.admission_date = timezone.localdate() - timedelta(days=100)
    person.planned_discharge_date = timezone.localdate() - timedelta(days=14)
    person.save()

    page = page_of(client_for("commissioner"), person)

    assert "In hospital 3 months; planned discharge" in page
    assert "past its planned date by 2 weeks" in page


# --- Restraint, seclusion and segregation ---------------------------------------------------


def test_the_commissioner_records_restraint_and_sees_it_on_the_persons_page(
    client_for, review_world, users
):
    person = review_world["person"]
    client = client_for("commissioner")
    first = timezone.localdate() - timedelta(days=20)
    last = timezone.localdate() - timedelta(days=6)

    response = client.post(
        reverse("reviews:person_restrictive_practice", args=[person.pk]),
        {
            "kind": "prone",
            **split_date("occurred_on", first),
            **split_date("ended_on", last),
            "count": "3",
            "note": "  After distress at mealtimes  ",
        },
    )

    record = person.restrictive_practices.get()
    assert (record.kind, record.occurred_on, record.ended_on, record.count, record.note) == (
        RestrictivePractice.Kind.PRONE,
        first,
        last,
        3,
        "After distress at mealtimes",
    )
    assert record.recorded_by == users["commissioner"]
    page = client.get(response.url).content.decode()
    assert "Prone restraint recorded." in page
    section = page.split('id="restrictive-practice"')[1].split("</section>")[0]
    assert f"{first:%-d %B %Y} to {last:%-d %B %Y}" in section
    text = " ".join(re.sub(r"<[^>]+>", " ", section).split())
    assert "Prone restraint How many times 3" in text
    assert "After distress at mealtimes" in section


def test_restraint_with_mistakes_is_refused_beside_each_field_and_in_the_summary(
    client_for, review_world
):
    person = review_world["person"]
    first = timezone.localdate() - timedelta(days=5)

    response = client_for("commissioner").post(
        reverse("reviews:person_restrictive_practice", args=[person.pk]),
        {
            "kind": "",
            **split_date("occurred_on", first),
            **split_date("ended_on", first - timedelta(days=2)),
            "count": "0",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    summary = page.split("nhsuk-error-summary__list")[1].split("</ul>")[0]
    for message in (
        "Select what was used",
        "The last day must be the same as or after the first day",
        "How many times must be 1 or more",
    ):
        assert message in summary
        assert page.count(message) >= 2  # in the summary and beside the field
    assert "<title>Error: " in page
    assert not person.restrictive_practices.exists()


def test_restraint_cannot_be_recorded_in_the_future(client_for, review_world):
    person = review_world["person"]

    response = client_for("commissioner").post(
        reverse("reviews:person_restrictive_practice", args=[person.pk]),
        {
            "kind": "seclusion",
            **split_date("occurred_on", timezone.localdate() + timedelta(days=1)),
            "count": "1",
        },
    )

    assert response.status_code == 200
    assert "must be today or in the past" in response.content.decode()
    assert not person.restrictive_practices.exists()


def test_another_icbs_commissioner_cannot_record_restraint(client_for, review_world):
    person = review_world["person"]
    url = reverse("reviews:person_restrictive_practice", args=[person.pk])
    client = client_for("commissioner_other_org")

    assert client.get(url).status_code == 404
    data = {"kind": "physical", **split_date("occurred_on", timezone.localdate()), "count": "1"}
    assert client.post(url, data).status_code == 404
    assert not person.restrictive_practices.exists()


# --- Their held reviews side by side --------------------------------------------------------


def held_review(person, held_on, ratings, **kwargs):
    """A review of `person` held on `held_on`, with the chair's rating of each KLOE number."""
    review = ReviewFactory(
        person=person, state="report_issued", held_on=held_on, kind="inpatient_repeat", **kwargs
    )
    panel = PanelFactory(review=review)
    for number, rating in ratings.items():
        ConsolidatedKloeFactory(panel=panel, kloe=kloe_of(panel, number), rating=rating)
    return review


def test_the_persons_page_sets_their_held_reviews_side_by_side(client_for, review_world):
    person = review_world["person"]
    today = timezone.localdate()
    earlier = held_review(
        person,
        today - timedelta(days=200),
        {1: Rating.SERIOUS_CONCERNS, 2: Rating.SOME_CONCERNS},
    )
    later = held_review(person, today - timedelta(days=20), {1: Rating.NO_CONCERNS})

    page = page_of(client_for("commissioner"), person)

    section = page.split('id="over-time"')[1].split("</section>")[0]
    head = section.split("<thead")[1].split("</thead>")[0]
    assert head.index(f"{earlier.held_on:%-d %B %Y}") < head.index(f"{later.held_on:%-d %B %Y}")
    assert "Inpatient (repeat)".lower() in head
    kloe_1 = section.split("KLOE 1:")[1].split("</tr>")[0]
    assert kloe_1.index("Serious concerns") < kloe_1.index("No concerns")
    kloe_2 = section.split("KLOE 2:")[1].split("</tr>")[0]
    assert kloe_2.index("Some concerns") < kloe_2.index("Not rated")
    # Phones: the table stacks its cells, each with its column's header.
    assert "nhsuk-table--responsive" in section
    # The review still being planned is not among them.
    assert f"{review_world['review'].due_date:%-d %B %Y}" not in head


def test_a_person_with_no_held_review_has_nothing_side_by_side(client_for, review_world):
    page = page_of(client_for("commissioner"), review_world["person"])

    assert 'id="over-time"' not in page


def test_the_side_by_side_makes_the_same_queries_for_one_review_as_for_five(
    client_for, review_world, django_assert_num_queries
):
    person = review_world["person"]
    client = client_for("commissioner")
    today = timezone.localdate()
    held_review(person, today - timedelta(days=400), {1: Rating.SOME_CONCERNS})
    RestrictivePracticeFactory(person=person)
    client.get(reverse("reviews:person_detail", args=[person.pk]))  # warm the session

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        page_of(client, person)
    for n in range(4):
        held_review(
            person,
            today - timedelta(days=300 - 60 * n),
            {1: Rating.NO_CONCERNS, 2: Rating.SOME_CONCERNS, 3: Rating.NO_CONCERNS},
        )
        RestrictivePracticeFactory(person=person)

    with django_assert_num_queries(len(one.captured_queries)):
        page = page_of(client, person)
    head = page.split('id="over-time"')[1].split("</thead>")[0]
    assert head.count('role="columnheader"') == 5  # the label and the latest four reviews
    assert len(one.captured_queries) <= 20
