"""Local choices (ADR 0016): an administrator sees each one with the value in force, its default
and where that comes from, and a value they set is the one the due dates follow."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ctr_portal.models import AuditEvent, LocalPolicySetting
from ctr_portal.policy import LOCAL_CHOICES, policy_value, policy_values_changed
from reports import policy as report_policy
from reports.services import report_due_date
from reviews import policy
from reviews.models import ReviewKind
from reviews.services import review_plan
from tests.reviews.factories import PersonFactory, ReviewFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:ctr_portal_localpolicysetting_changelist"


def change_url(choice):
    row = LocalPolicySetting.objects.get(key=choice.key)
    return reverse("admin:ctr_portal_localpolicysetting_change", args=[row.pk])


def test_every_local_choice_has_its_row_after_migrate():
    assert set(LocalPolicySetting.objects.values_list("key", flat=True)) == set(LOCAL_CHOICES)
    assert {"reviews.community_days", "reviews.requested_days", "reports.due_days"} <= set(
        LOCAL_CHOICES
    )


def test_the_admin_lists_each_local_choice_with_the_value_in_force_its_default_and_source(
    client_for, set_local_choice
):
    set_local_choice(policy.REQUESTED_DAYS, 21)

    page = client_for("administrator").get(reverse(CHANGELIST)).content.decode()

    assert "Community (pre-admission) review: days from being planned" in page
    assert "14 days (default)" in page
    assert "the policy sets no timescale, only that it must not delay an admission" in page
    assert "Requested review: days from the request" in page
    assert "21 days" in page and "21 days (default)" not in page
    assert "Care and Treatment Reviews: Policy and Guidance (2017)" in page


def test_an_administrator_changes_the_community_review_interval_and_due_dates_follow(
    client_for, users
):
    today = timezone.localdate()
    person = PersonFactory()
    before = review_plan(actor=users["commissioner"], person=person, kind=ReviewKind.COMMUNITY)
    assert before.due_date == today + timedelta(days=14)
    admin = client_for("administrator")
    url = change_url(policy.COMMUNITY_DAYS)
    assert "Local choice, not NHS policy" in admin.get(url).content.decode()

    response = admin.post(url, {"value": "10"})

    assert response.status_code == 302
    after = review_plan(actor=users["commissioner"], person=person, kind=ReviewKind.COMMUNITY)
    assert after.due_date == today + timedelta(days=10)
    assert policy.rule("community").description.startswith(
        "Community (pre-admission) review: within 10 days"
    )
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.UPDATE,
        object_type="ctr_portal.localpolicysetting",
        actor=users["administrator"],
    ).exists()


def test_emptying_the_value_goes_back_to_the_default(client_for, set_local_choice):
    set_local_choice(policy.COMMUNITY_DAYS, 10)

    client_for("administrator").post(change_url(policy.COMMUNITY_DAYS), {"value": ""})

    assert policy_value("reviews.community_days") == 14


def test_a_value_below_the_choices_minimum_is_refused(client_for):
    response = client_for("administrator").post(change_url(policy.COMMUNITY_DAYS), {"value": "0"})

    assert response.status_code == 200
    assert "Enter 1 or more." in response.content.decode()
    assert policy_value("reviews.community_days") == 14


def test_local_choices_are_neither_added_nor_deleted_in_the_admin(client_for):
    admin = client_for("administrator")
    row = LocalPolicySetting.objects.get(key=policy.COMMUNITY_DAYS.key)

    assert admin.get(reverse("admin:ctr_portal_localpolicysetting_add")).status_code == 403
    delete = reverse("admin:ctr_portal_localpolicysetting_delete", args=[row.pk])
    assert admin.get(delete).status_code == 403


def test_the_report_is_due_when_the_local_choice_says(set_local_choice):
    review = ReviewFactory(held_on=date(2027, 3, 1))
    assert report_due_date(review) == date(2027, 3, 15)

    set_local_choice(report_policy.DUE_DAYS, 10)

    assert report_due_date(review) == date(2027, 3, 11)


def test_the_values_are_read_once_however_many_times_they_are_asked_for(
    django_assert_num_queries, set_local_choice
):
    set_local_choice(policy.COMMUNITY_DAYS, 9)
    policy_values_changed()

    with django_assert_num_queries(1):
        values = [policy_value(key) for key in LOCAL_CHOICES for _ in range(50)]
        table = [policy.rules() for _ in range(50)]

    assert 9 in values and table[-1]["community"].days == 9
