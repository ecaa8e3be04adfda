"""The rule table that sets due dates (reviews/policy.py, domain.md §3): one test per rule, the
events that re-compute a due date, the local choices and month arithmetic."""

from datetime import date

import pytest

from ctr_portal.models import Organisation
from reviews import policy, services
from reviews.models import ReviewEvent, ReviewKind, ReviewState, Setting, SettingChange
from tests.factories import OrganisationFactory, UserFactory

from .factories import PersonFactory, ReviewFactory

pytestmark = pytest.mark.django_db

TODAY = date(2027, 3, 10)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(TODAY)


def adult(**fields):
    return PersonFactory(date_of_birth=date(1990, 5, 1), **fields)


def child(**fields):
    return PersonFactory(date_of_birth=date(2012, 5, 1), **fields)


def held_review(person, held_on):
    return ReviewFactory(
        person=person, kind=ReviewKind.INPATIENT_REPEAT, state=ReviewState.HELD, held_on=held_on
    )


def due(person, kind, **kwargs):
    return policy.due_date_for(person=person, kind=kind, today=TODAY, **kwargs)


def test_post_admission_review_for_an_adult_is_due_within_28_days_of_admission():
    person = adult(in_hospital=True, admission_date=date(2027, 3, 1))

    result = due(person, ReviewKind.POST_ADMISSION)

    assert (result.date, result.rule.code) == (date(2027, 3, 29), "post_admission_adult")
    assert result.basis == "28 days from admission on 1 March 2027"


def test_post_admission_review_for_a_child_is_due_within_10_working_days_of_admission():
    # Admitted on Monday 22 March 2027: Good Friday (26th) and Easter Monday (29th) don't count.
    person = child(in_hospital=True, admission_date=date(2027, 3, 22))

    result = due(person, ReviewKind.POST_ADMISSION)

    assert (result.date, result.rule.code) == (date(2027, 4, 7), "post_admission_child")
    assert result.basis == "10 working days from admission on 22 March 2027"
    assert result.rule.source == policy.POLICY_2017


def test_nhs_englands_interim_measure_of_5_working_days_for_children_is_a_local_choice(
    set_local_choice,
):
    set_local_choice(policy.CHILD_POST_ADMISSION_WORKING_DAYS, 5)
    person = child(in_hospital=True, admission_date=date(2027, 3, 22))

    result = due(person, ReviewKind.POST_ADMISSION)

    assert result.date == date(2027, 3, 31)
    assert result.rule.source == policy.UPDATE_2021
    assert "interim measure" in result.rule.description


def test_each_rule_says_where_it_comes_from():
    sources = {code: r.source for code, r in policy.rules().items()}

    assert sources == {
        "post_admission_adult": "2017 policy",
        "post_admission_child": "2017 policy",
        "repeat_adult_non_secure": "2017 policy",
        "repeat_adult_secure": "2017 policy",
        "repeat_child": "2017 policy",
        "event_adult": "Product choice",
        "event_child": "Product choice",
        "community": "Product choice",
        "requested": "Product choice",
        "independent": "Product choice",
    }
    assert policy.rule("repeat_child").source_label == "NHS England 2017 policy"


def test_durations_with_no_nhs_source_are_local_choices(set_local_choice):
    set_local_choice(policy.EVENT_DAYS_ADULT, 21)
    set_local_choice(policy.EVENT_DAYS_CHILD, 10)
    set_local_choice(policy.COMMUNITY_DAYS, 7)
    set_local_choice(policy.REQUESTED_DAYS, 20)

    assert due(adult(), ReviewKind.EVENT_TRIGGERED, event_date=TODAY).date == date(2027, 3, 31)
    assert due(child(), ReviewKind.EVENT_TRIGGERED, event_date=TODAY).date == date(2027, 3, 20)
    assert due(adult(), ReviewKind.COMMUNITY).date == date(2027, 3, 17)
    assert due(adult(), ReviewKind.REQUESTED).date == date(2027, 3, 30)
    assert policy.rule("event_adult").description == (
        "Event-triggered review for an adult: within 21 days of the event"
    )


def test_repeat_review_for_an_adult_in_a_non_secure_hospital_is_due_6_months_after_the_last():
    person = adult(in_hospital=True)

    result = due(person, ReviewKind.INPATIENT_REPEAT, last_held=date(2026, 11, 20))

    assert (result.date, result.rule.code) == (date(2027, 5, 20), "repeat_adult_non_secure")
    assert result.basis == "6 months from last review held on 20 November 2026"


def test_repeat_review_for_an_adult_in_a_secure_hospital_is_due_12_months_after_the_last():
    person = adult(secure=True)

    result = due(person, ReviewKind.INPATIENT_REPEAT, last_held=date(2026, 11, 20))

    assert (result.date, result.rule.code) == (date(2027, 11, 20), "repeat_adult_secure")


def test_repeat_review_for_a_child_in_hospital_is_due_3_months_after_the_last():
    person = child(secure=True)

    result = due(person, ReviewKind.INPATIENT_REPEAT, last_held=date(2027, 1, 5))

    assert (result.date, result.rule.code) == (date(2027, 4, 5), "repeat_child")


def test_repeat_review_with_none_held_yet_falls_back_to_the_post_admission_rule():
    person = adult(in_hospital=True, admission_date=date(2027, 3, 1))

    result = due(person, ReviewKind.INPATIENT_REPEAT, last_held=None)

    assert (result.date, result.rule.code) == (date(2027, 3, 29), "post_admission_adult")


def test_event_triggered_review_for_an_adult_is_due_within_28_days_of_the_event():
    person = adult(in_hospital=True)

    result = due(person, ReviewKind.EVENT_TRIGGERED, event_date=date(2027, 3, 2))

    assert (result.date, result.rule.code) == (date(2027, 3, 30), "event_adult")


def test_event_triggered_review_for_a_child_is_due_within_14_days_of_the_event():
    person = child(in_hospital=True)

    result = due(person, ReviewKind.EVENT_TRIGGERED, event_date=date(2027, 3, 2))

    assert (result.date, result.rule.code) == (date(2027, 3, 16), "event_child")


def test_community_review_is_due_within_14_days_of_being_planned():
    result = due(adult(), ReviewKind.COMMUNITY)

    assert (result.date, result.rule.code) == (date(2027, 3, 24), "community")


def test_requested_review_is_due_within_28_days_of_the_request():
    result = due(adult(), ReviewKind.REQUESTED)

    assert (result.date, result.rule.code) == (date(2027, 4, 7), "requested")


def test_planning_a_review_stores_its_due_date_rule_and_basis_and_says_so_on_the_timeline():
    person = adult(in_hospital=True, admission_date=date(2027, 3, 1))

    review = services.review_plan(
        actor=UserFactory(), person=person, kind=ReviewKind.POST_ADMISSION
    )

    assert (review.due_date, review.due_rule) == (date(2027, 3, 29), "post_admission_adult")
    assert review.due_basis == "28 days from admission on 1 March 2027"
    event = review.events.get(kind=ReviewEvent.Kind.DUE_DATE)
    assert event.summary == "Due by 29 March 2027"
    assert event.reason == policy.rule("post_admission_adult").description


@pytest.mark.parametrize("secure", [False, True])
def test_an_overdue_child_review_stays_due_on_its_date_after_the_18th_birthday(
    time_machine, secure
):
    # Due on 10 February 2027 under the child rule; 18 on 20 March; 2 months overdue in April.
    person = PersonFactory(date_of_birth=date(2009, 3, 20), in_hospital=True, secure=secure)
    held_review(person, date(2026, 11, 10))
    time_machine.move_to(date(2027, 1, 5))
    review = services.review_plan(
        actor=UserFactory(), person=person, kind=ReviewKind.INPATIENT_REPEAT
    )
    assert (review.due_date, review.due_rule) == (date(2027, 2, 10), "repeat_child")

    time_machine.move_to(date(2027, 3, 20))
    services.reviews_recompute_for_birthdays(today=date(2027, 3, 20))
    time_machine.move_to(date(2027, 4, 10))
    services.review_recompute_due(review=review, why="Checked again")

    review.refresh_from_db()
    assert (review.due_date, review.due_rule) == (date(2027, 2, 10), "repeat_child")
    assert not review.events.filter(summary__startswith="Due date now").exists()


def test_after_the_18th_birthday_the_next_repeat_review_follows_the_adult_rule():
    person = PersonFactory(date_of_birth=date(2009, 1, 20), in_hospital=True)
    held_review(person, date(2027, 3, 1))  # held at 18

    result = due(person, ReviewKind.INPATIENT_REPEAT, last_held=date(2027, 3, 1))

    assert (result.date, result.rule.code) == (date(2027, 9, 1), "repeat_adult_non_secure")


def test_a_child_review_that_would_fall_due_after_the_18th_birthday_is_a_ctr_on_the_adult_rule():
    # Under the child rule it would be due on 10 April, after the birthday on 20 March.
    person = PersonFactory(date_of_birth=date(2009, 3, 20), in_hospital=True)
    held_review(person, date(2027, 1, 10))

    review = services.review_plan(
        actor=UserFactory(), person=person, kind=ReviewKind.INPATIENT_REPEAT
    )

    assert (review.due_date, review.due_rule) == (date(2027, 7, 10), "repeat_adult_non_secure")
    assert review.type_label == "CTR"
    assert services.reviews_recompute_for_birthdays(today=date(2027, 3, 20)) == 1
    review.refresh_from_db()
    assert review.due_date == date(2027, 7, 10)


def test_the_birthday_job_leaves_people_who_are_not_turning_18_today_alone():
    person = PersonFactory(date_of_birth=date(2009, 3, 21), in_hospital=True)
    held_review(person, date(2026, 12, 10))
    review = services.review_plan(
        actor=UserFactory(), person=person, kind=ReviewKind.INPATIENT_REPEAT
    )

    assert services.reviews_recompute_for_birthdays(today=TODAY) == 0

    review.refresh_from_db()
    assert review.due_rule == "repeat_child"


def test_moving_to_a_secure_hospital_turns_6_months_into_12():
    person = adult(in_hospital=True)
    held_review(person, date(2026, 12, 1))
    review = services.review_plan(
        actor=UserFactory(), person=person, kind=ReviewKind.INPATIENT_REPEAT
    )
    assert (review.due_date, review.due_rule) == (date(2027, 6, 1), "repeat_adult_non_secure")

    services.person_change_setting(
        actor=UserFactory(),
        person=person,
        kind=SettingChange.Kind.SECURITY,
        effective_date=TODAY,
        setting=Setting.MEDIUM_SECURE,
        provider=OrganisationFactory(kind=Organisation.Kind.PROVIDER),
        ward="Oak ward",
    )

    review.refresh_from_db()
    assert (review.due_date, review.due_rule) == (date(2027, 12, 1), "repeat_adult_secure")
    event = review.events.filter(kind=ReviewEvent.Kind.DUE_DATE).first()
    assert event.reason.startswith("Security level changed.")


def test_recomputing_a_community_review_keeps_counting_from_the_day_it_was_planned(time_machine):
    person = adult()
    review = services.review_plan(actor=UserFactory(), person=person, kind=ReviewKind.COMMUNITY)
    assert review.due_date == date(2027, 3, 24)

    time_machine.move_to(date(2027, 3, 20))
    services.person_update(actor=UserFactory(), person=person, date_of_birth=date(1990, 6, 1))
    services.review_recompute_due(review=review, why="Checked again")

    review.refresh_from_db()
    assert (review.due_date, review.clock_start) == (date(2027, 3, 24), TODAY)
    assert review.due_basis == "14 days from planned on 10 March 2027"


def test_recomputing_a_requested_review_keeps_counting_from_the_request(time_machine):
    person = adult()
    review = services.review_plan(
        actor=UserFactory(), person=person, kind=ReviewKind.REQUESTED, requested_by="Her mother"
    )

    time_machine.move_to(date(2027, 4, 1))
    services.review_recompute_due(review=review, why="Checked again")

    review.refresh_from_db()
    assert review.due_date == date(2027, 4, 7)
    assert review.due_basis == "28 days from requested on 10 March 2027"


def test_recomputing_an_event_review_counts_from_the_event_not_from_when_it_was_planned():
    person = adult(in_hospital=True)
    review = services.review_plan(
        actor=UserFactory(),
        person=person,
        kind=ReviewKind.EVENT_TRIGGERED,
        event_reason="move_of_hospital",
        event_date=date(2027, 3, 2),
    )
    assert review.due_date == date(2027, 3, 30)

    services.person_change_setting(
        actor=UserFactory(),
        person=person,
        kind=SettingChange.Kind.SECURITY,
        effective_date=TODAY,
        setting=Setting.LOW_SECURE,
        provider=person.provider,
    )

    review.refresh_from_db()
    assert (review.due_date, review.setting) == (date(2027, 3, 30), Setting.LOW_SECURE)


def test_a_childs_post_admission_timescale_other_than_the_policys_is_a_local_setting(
    set_local_choice,
):
    set_local_choice(policy.CHILD_POST_ADMISSION_WORKING_DAYS, 7)
    person = child(in_hospital=True, admission_date=date(2027, 3, 1))

    result = due(person, ReviewKind.POST_ADMISSION)

    assert (result.date, result.rule.code) == (date(2027, 3, 10), "post_admission_child")
    assert result.rule.source_label == "Local setting (product choice), not NHS policy"
    assert policy.rule("post_admission_adult").days == 28  # the NHS timescales are as they were


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2027, 11, 15), 3, date(2028, 2, 15)),
        (date(2027, 5, 31), 0, date(2027, 5, 31)),
        (date(2028, 3, 31), -1, date(2028, 2, 29)),
        (date(2028, 2, 29), -12, date(2027, 2, 28)),
        (date(2027, 1, 15), -18 * 12, date(2009, 1, 15)),
    ],
)
def test_adding_months_keeps_the_day_or_the_last_day_of_a_shorter_month(start, months, expected):
    assert policy.add_months(start, months) == expected
