"""The dashboard's "past their interval" list and the due date the review page shows agree: for
someone near their 18th birthday (the day before, of and after it), born on 29 February, and
at month ends. The list is one query over everyone; the due date is `policy.due_date_for`."""

from datetime import date, timedelta

import pytest

from reviews import policy, queries
from reviews.models import Person, ReviewKind, Setting

from .factories import PersonFactory, ReviewFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
BIRTHDAY = date(2027, 3, 10)  # the 18th birthday of someone born on 10 March 2009


def in_hospital(date_of_birth, *, held_on=None, admitted=None, secure=False):
    person = PersonFactory(
        date_of_birth=date_of_birth,
        in_hospital=True,
        setting=Setting.LOW_SECURE if secure else Setting.NON_SECURE,
        admission_date=admitted or date(2020, 1, 1),
    )
    if held_on:
        ReviewFactory(
            person=person, kind=ReviewKind.INPATIENT_REPEAT, state="closed", held_on=held_on
        )
    return person


def page_says_overdue(person, today, held_on=None) -> bool:
    due = policy.due_date_for(
        person=person, kind=ReviewKind.INPATIENT_REPEAT, today=today, last_held=held_on
    )
    return due.date < today


def listed(today) -> set[int]:
    return {p.pk for p in queries.inpatients_past_interval(Person.objects.all(), today)}


@pytest.mark.parametrize("today", [BIRTHDAY - DAY, BIRTHDAY, BIRTHDAY + DAY])
def test_a_childs_repeat_review_due_before_they_turn_18_stays_overdue_after(today):
    # Held 3 months and 10 days before the birthday: the child's rule made it due on 28 February.
    held_on = date(2026, 11, 28)
    person = in_hospital(date(2009, 3, 10), held_on=held_on)

    assert page_says_overdue(person, today, held_on)
    assert person.pk in listed(today)


@pytest.mark.parametrize("today", [BIRTHDAY - DAY, BIRTHDAY, BIRTHDAY + DAY])
def test_a_child_admitted_before_they_turn_18_keeps_the_childs_post_admission_timescale(today):
    # Admitted 20 days before the birthday: 10 working days make it due before the birthday.
    person = in_hospital(date(2009, 3, 10), admitted=BIRTHDAY - 20 * DAY)

    assert page_says_overdue(person, today)
    assert person.pk in listed(today)


@pytest.mark.parametrize(
    ("date_of_birth", "secure"),
    [(date(2009, 3, 10), False), (date(2008, 2, 29), True), (date(2009, 5, 31), False)],
)
def test_the_list_and_the_page_agree_for_every_last_review_around_the_18th_birthday(
    date_of_birth, secure
):
    birthday = Person(date_of_birth=date_of_birth).eighteenth_birthday
    helds = [birthday - 215 * DAY + n * 2 * DAY for n in range(80)]  # 7 months to 2 months before
    people = {
        held_on: in_hospital(date_of_birth, held_on=held_on, secure=secure) for held_on in helds
    }
    admitted = [birthday - 45 * DAY + n * 3 * DAY for n in range(20)]
    not_held = {day: in_hospital(date_of_birth, admitted=day, secure=secure) for day in admitted}

    for today in [birthday - DAY, birthday, birthday + DAY, date(2027, 5, 30), date(2027, 5, 31)]:
        on_list = listed(today)
        for held_on, person in people.items():
            expected = page_says_overdue(person, today, held_on)
            assert (person.pk in on_list) == expected, (today, held_on)
        for day, person in not_held.items():
            if day <= today:
                expected = page_says_overdue(person, today)
                assert (person.pk in on_list) == expected, (today, day)


RULE_CODES = [
    "post_admission_adult",
    "post_admission_child",
    "repeat_adult_non_secure",
    "repeat_adult_secure",
    "repeat_child",
    "event_adult",
    "event_child",
    "community",
    "requested",
    "independent",
]


@pytest.mark.parametrize("code", RULE_CODES)
def test_each_rules_cut_off_is_exactly_where_its_due_date_passes(code):
    rule = policy.rule(code)
    for today in [date(2027, 1, 1) + n * DAY for n in range(0, 800, 3)]:
        cutoff = rule.overdue_if_started_before(today)
        assert rule.due_from(cutoff) >= today > rule.due_from(cutoff - DAY), (code, today)
