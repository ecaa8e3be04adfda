"""The review clock follows the person (issue 10): admission with or after a community review,
discharge, a removed diagnosis, a child's admission without a community C(E)TR, the next review
planning itself, and the dashboard's count of people in hospital whose review is overdue."""

from datetime import date, datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ctr_portal.models import Organisation
from reviews import queries, services
from reviews.models import (
    AdmissionRootCause,
    DsrRating,
    ReviewEventReason,
    ReviewKind,
    ReviewState,
    Setting,
    SettingChange,
)
from tests.factories import OrganisationFactory, UserFactory

from .factories import (
    AdmissionRootCauseFactory,
    ConsentRecordFactory,
    PersonFactory,
    ReviewFactory,
    SettingChangeFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2027, 3, 10)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.combine(TODAY, time(12, 0)))


@pytest.fixture
def actor():
    return UserFactory()


@pytest.fixture
def hospital():
    return OrganisationFactory(kind=Organisation.Kind.PROVIDER, name="Riverside Hospital")


def split_date(name, day: date) -> dict:
    return {f"{name}[day]": day.day, f"{name}[month]": day.month, f"{name}[year]": day.year}


def admit(person, actor, hospital, on=TODAY, **kwargs):
    return services.person_change_setting(
        actor=actor,
        person=person,
        kind=SettingChange.Kind.ADMISSION,
        effective_date=on,
        setting=Setting.NON_SECURE,
        provider=hospital,
        ward="Willow ward",
        **kwargs,
    )


def discharge(person, actor, on=TODAY):
    return services.person_change_setting(
        actor=actor,
        person=person,
        kind=SettingChange.Kind.DISCHARGE,
        effective_date=on,
        setting=Setting.COMMUNITY,
    )


def hold(review, actor, on=TODAY):
    """Hold a review that is ready, with the person's consent (checked again when held)."""
    ConsentRecordFactory(review=review, recorded_by=actor, decided_on=on)
    review.state = ReviewState.READY
    review.starts_at = timezone.make_aware(datetime.combine(on, time(9, 0)))
    review.save()
    return services.review_transition(actor=actor, review=review, to=ReviewState.HELD)


def open_reviews(person):
    return list(person.reviews.filter(state__in=["planned", "scheduled", "preparing", "ready"]))


# --- Point 2: admission while a community review is open ----------------------------------


def test_admission_closes_an_open_community_review_as_overtaken_and_starts_the_clock(
    actor, hospital
):
    person = PersonFactory(dsr_rating=DsrRating.RED)
    community = services.review_plan(actor=actor, person=person, kind=ReviewKind.COMMUNITY)

    admit(person, actor, hospital, on=date(2027, 3, 8))

    community.refresh_from_db()
    assert community.state == ReviewState.CANCELLED
    assert community.state_reason == "Overtaken by events: admitted to hospital on 8 March 2027"
    assert community.events.filter(reason__startswith="Overtaken by events").exists()
    (post,) = open_reviews(person)
    assert (post.kind, post.setting, post.provider) == (
        ReviewKind.POST_ADMISSION,
        Setting.NON_SECURE,
        hospital,
    )
    assert post.due_date == date(2027, 4, 5)  # 28 days from the admission, not from today


def test_the_commissioner_may_make_the_open_community_review_the_post_admission_review(
    actor, hospital
):
    person = PersonFactory(dsr_rating=DsrRating.RED)
    community = services.review_plan(actor=actor, person=person, kind=ReviewKind.COMMUNITY)

    admit(person, actor, hospital, on=date(2027, 3, 8), community_review="convert")

    community.refresh_from_db()
    assert (community.kind, community.state) == (ReviewKind.POST_ADMISSION, ReviewState.PLANNED)
    assert (community.setting, community.provider) == (Setting.NON_SECURE, hospital)
    assert (community.due_date, community.due_rule) == (date(2027, 4, 5), "post_admission_adult")
    assert open_reviews(person) == [community]
    assert community.events.filter(summary="Now the post-admission review").exists()


# --- Point 3: admission after a community review was held ---------------------------------


def test_admission_after_a_community_review_was_held_plans_no_post_admission_review(
    actor, hospital
):
    person = PersonFactory(dsr_rating=DsrRating.RED)
    community = services.review_plan(actor=actor, person=person, kind=ReviewKind.COMMUNITY)
    hold(community, actor, on=date(2027, 3, 1))

    admit(person, actor, hospital, on=date(2027, 3, 8))

    assert open_reviews(person) == []
    person.refresh_from_db()
    reason = queries.no_post_admission_reason(person)
    assert reason.startswith("No post-admission review is planned: a community CTR was held on")
    assert not person.setting_history.filter(needs_root_cause=True).exists()


def test_the_person_page_says_why_no_post_admission_review_is_planned(
    client_for, organisations, hospital, actor
):
    person = PersonFactory(responsible_commissioner=organisations["icb"])
    hold(services.review_plan(actor=actor, person=person, kind=ReviewKind.COMMUNITY), actor)
    admit(person, actor, hospital)

    page = client_for("commissioner").get(reverse("reviews:person_detail", args=[person.pk]))

    assert "No post-admission review is planned" in page.content.decode()


# --- Point 8: diagnosis removed -----------------------------------------------------------


def test_a_removed_diagnosis_is_recorded_and_triggers_a_review_keeping_them_on_the_register(
    actor,
):
    person = PersonFactory(has_learning_disability=False, has_autism=True)

    review = services.person_record_diagnosis_removed(
        actor=actor, person=person, removed_on=date(2027, 3, 1)
    )

    person.refresh_from_db()
    assert (person.diagnosis_removed_on, person.diagnosis_removed_by) == (date(2027, 3, 1), actor)
    assert person.has_autism  # the register's rule of at least one diagnosis still holds
    assert (review.kind, review.event_reason) == (
        ReviewKind.EVENT_TRIGGERED,
        ReviewEventReason.DIAGNOSIS_REMOVED,
    )
    assert review.due_date == date(2027, 3, 29)
    assert "stay on the register until" in queries.diagnosis_removal_status(person)
    entries = [e.heading for e in queries.person_timeline(person)]
    assert "Learning disability or autism diagnosis removed" in entries

    hold(review, actor)
    assert "was held on 10 March 2027" in queries.diagnosis_removal_status(person)


def test_a_diagnosis_removed_in_the_future_is_refused(actor):
    person = PersonFactory()
    with pytest.raises(ValidationError):
        services.person_record_diagnosis_removed(
            actor=actor, person=person, removed_on=date(2027, 3, 11)
        )
    assert person.reviews.count() == 0


# --- Point 9: a child's admission without a community C(E)TR ------------------------------


def test_a_childs_admission_without_a_community_cetr_asks_for_a_root_cause_analysis(
    actor, hospital
):
    person = PersonFactory(date_of_birth=date(2012, 5, 1))

    change = admit(person, actor, hospital, on=date(2027, 3, 22 - 14))

    assert queries.admission_awaiting_root_cause(person) == change
    (post,) = open_reviews(person)
    assert post.due_rule == "post_admission_child"
    assert post.due_date == date(2027, 3, 22)  # 10 working days from Monday 8 March

    services.admission_root_cause_record(
        actor=actor,
        admission=change,
        why_no_community_review="Crisis out of hours; no panel could be found in time",
        on_register=AdmissionRootCause.OnRegister.NO,
    )
    assert queries.admission_awaiting_root_cause(person) is None
    headings = [e.heading for e in queries.person_timeline(person)]
    assert "Root cause analysis of the admission recorded" in headings


def test_an_adults_admission_needs_no_root_cause_analysis(actor, hospital):
    person = PersonFactory()
    admit(person, actor, hospital)
    assert queries.admission_awaiting_root_cause(person) is None


# --- Point 11: the next review plans itself -----------------------------------------------


def test_holding_a_review_in_hospital_plans_the_next_repeat_review(actor):
    person = PersonFactory(in_hospital=True, date_of_birth=date(2011, 1, 1))
    review = ReviewFactory(person=person, kind=ReviewKind.POST_ADMISSION)

    hold(review, actor)

    (repeat,) = open_reviews(person)
    assert (repeat.kind, repeat.due_rule, repeat.due_date) == (
        ReviewKind.INPATIENT_REPEAT,
        "repeat_child",
        date(2027, 6, 10),
    )


def test_holding_a_review_in_a_secure_hospital_plans_the_next_one_in_12_months(actor):
    person = PersonFactory(secure=True)
    hold(ReviewFactory(person=person, kind=ReviewKind.INPATIENT_REPEAT), actor)

    (repeat,) = open_reviews(person)
    assert (repeat.due_rule, repeat.due_date) == ("repeat_adult_secure", date(2028, 3, 10))


def test_holding_a_community_review_plans_no_repeat_review(actor):
    person = PersonFactory()
    hold(ReviewFactory(person=person, kind=ReviewKind.COMMUNITY), actor)
    assert open_reviews(person) == []


def test_an_inpatient_with_no_review_row_is_counted_as_overdue(client_for, organisations):
    icb = organisations["icb"]
    person = PersonFactory(
        responsible_commissioner=icb,
        in_hospital=True,
        admission_date=date(2026, 6, 1),
        family_name="Nobodyplanned",
    )
    assert person.reviews.count() == 0
    PersonFactory(responsible_commissioner=icb, in_hospital=True, admission_date=TODAY)

    page = client_for("commissioner").get(reverse("dashboard"))

    assert page.context["cards"][0].context["data"].counts["overdue"] == 1
    assert "Nobodyplanned" in page.content.decode()


def test_an_inpatient_whose_last_review_is_older_than_their_interval_is_overdue(
    users, organisations
):
    icb = organisations["icb"]
    late = PersonFactory(responsible_commissioner=icb, in_hospital=True)
    ReviewFactory(person=late, kind="inpatient_repeat", state="closed", held_on=date(2026, 8, 1))
    in_time = PersonFactory(responsible_commissioner=icb, in_hospital=True)
    ReviewFactory(
        person=in_time, kind="inpatient_repeat", state="closed", held_on=date(2026, 11, 1)
    )

    data = queries.commissioner_dashboard(users["commissioner"], queries.ReviewFilter())

    assert data.missed == [late]
    assert data.counts["overdue"] == 1


# --- Point 12: discharge ------------------------------------------------------------------


def test_discharge_ends_inpatient_and_event_reviews_takes_them_off_blue_and_asks_for_a_rating(
    actor,
):
    person = PersonFactory(in_hospital=True)
    post = ReviewFactory(person=person, kind=ReviewKind.POST_ADMISSION)
    event = ReviewFactory(
        person=person, kind=ReviewKind.EVENT_TRIGGERED, event_reason="move_of_hospital"
    )
    requested = ReviewFactory(person=person, kind=ReviewKind.REQUESTED, requested_by="Mum")

    discharge(person, actor)

    for review in (post, event):
        review.refresh_from_db()
        assert review.state == ReviewState.CANCELLED
        assert review.state_reason.startswith("Discharged from hospital on 10 March 2027")
    requested.refresh_from_db()
    assert (requested.state, requested.setting) == (ReviewState.PLANNED, Setting.COMMUNITY)
    person.refresh_from_db()
    assert person.dsr_rating == ""
    assert person.dsr_rerate_reason.startswith("Discharged from hospital on 10 March 2027")

    services.person_rate_dsr(actor=actor, person=person, rating="amber", reason="Fragile")
    person.refresh_from_db()
    assert person.dsr_rerate_reason == ""


def test_every_held_review_asks_for_the_rating_to_be_looked_at_again(actor):
    person = PersonFactory()
    hold(ReviewFactory(person=person, kind=ReviewKind.COMMUNITY), actor)
    person.refresh_from_db()
    assert person.dsr_rerate_reason == "CTR held on 10 March 2027: look at their rating again"


def test_the_dashboard_lists_ratings_to_record_and_root_cause_analyses_missing(
    users, organisations, hospital
):
    commissioner, icb = users["commissioner"], organisations["icb"]
    child = PersonFactory(responsible_commissioner=icb, date_of_birth=date(2012, 5, 1))
    admit(child, commissioner, hospital)
    adult = PersonFactory(responsible_commissioner=icb, in_hospital=True)
    discharge(adult, commissioner)

    data = queries.commissioner_dashboard(commissioner, queries.ReviewFilter())

    assert [c.person for c in data.missing_rca] == [child]
    assert data.rerate == [adult]
    assert (data.counts["missing_rca"], data.counts["rerate"]) == (1, 1)


# --- The pages ----------------------------------------------------------------------------


def test_the_admission_form_asks_what_becomes_of_an_open_community_review(
    client_for, organisations, actor
):
    person = PersonFactory(responsible_commissioner=organisations["icb"], dsr_rating="red")
    community = services.review_plan(actor=actor, person=person, kind=ReviewKind.COMMUNITY)
    client = client_for("commissioner")
    url = reverse("reviews:person_setting", args=[person.pk])
    assert (
        "What happens to the community review that is planned?" in client.get(url).content.decode()
    )

    response = client.post(
        url,
        {
            "kind": "admission",
            "community_review": "convert",
            **split_date("effective_date", date(2027, 3, 8)),
            "location": "hospital",
            "hospital_setting": "non_secure",
            "provider": organisations["provider"].pk,
            "ward": "Willow ward",
        },
        follow=True,
    )

    community.refresh_from_db()
    assert community.kind == ReviewKind.POST_ADMISSION
    assert "post-admission review is now due by 5 April 2027" in response.content.decode()


def test_the_form_asks_nothing_of_a_community_review_when_there_is_none(client_for, organisations):
    person = PersonFactory(responsible_commissioner=organisations["icb"])
    page = client_for("commissioner").get(reverse("reviews:person_setting", args=[person.pk]))
    assert "What happens to the community review" not in page.content.decode()


def test_the_person_page_links_to_recording_a_removed_diagnosis_and_the_form_records_it(
    client_for, organisations
):
    person = PersonFactory(responsible_commissioner=organisations["icb"])
    client = client_for("commissioner")
    detail = reverse("reviews:person_detail", args=[person.pk])
    url = reverse("reviews:person_diagnosis_removed", args=[person.pk])
    assert url in client.get(detail).content.decode()

    bad = client.post(url, split_date("removed_on", date(2027, 4, 1)))
    assert bad.status_code == 200 and "Error: " in bad.content.decode()
    assert person.reviews.count() == 0

    client.post(url, split_date("removed_on", date(2027, 3, 1)))
    page = client.get(detail).content.decode()
    assert "They stay on the register until the review this triggered is held" in page
    assert person.reviews.get().event_reason == ReviewEventReason.DIAGNOSIS_REMOVED


def test_the_person_page_asks_for_a_root_cause_analysis_and_the_form_records_it(
    client_for, organisations, actor
):
    person = PersonFactory(
        responsible_commissioner=organisations["icb"], date_of_birth=date(2012, 5, 1)
    )
    admit(person, actor, organisations["provider"])
    client = client_for("commissioner")
    detail = reverse("reviews:person_detail", args=[person.pk])
    url = reverse("reviews:person_root_cause", args=[person.pk])
    assert url in client.get(detail).content.decode()

    bad = client.post(url, {"why_no_community_review": " ", "on_register": "no"})
    assert "Enter why there was no community C(E)TR" in bad.content.decode()

    client.post(url, {"why_no_community_review": "Out of hours crisis", "on_register": "no"})
    page = client.get(detail).content.decode()
    assert url not in page
    assert "Root cause analysis of the admission recorded" in page
    assert "Out of hours crisis" in page


def test_the_person_page_asks_for_a_new_rating_after_discharge(client_for, organisations, actor):
    person = PersonFactory(responsible_commissioner=organisations["icb"], in_hospital=True)
    discharge(person, actor)

    page = client_for("commissioner").get(reverse("reviews:person_detail", args=[person.pk]))

    text = page.content.decode()
    assert "Discharged from hospital on 10 March 2027: record their new rating" in text
    assert reverse("reviews:person_dsr", args=[person.pk]) in text


def test_the_review_page_says_a_local_setting_is_not_nhs_policy(client_for, organisations, actor):
    person = PersonFactory(responsible_commissioner=organisations["icb"])
    review = services.review_plan(actor=actor, person=person, kind=ReviewKind.COMMUNITY)

    page = client_for("commissioner").get(reverse("reviews:review_detail", args=[review.pk]))

    assert "Source: Local setting (product choice), not NHS policy" in page.content.decode()


def test_the_dashboards_upcoming_list_shows_the_next_review_planned_when_one_is_held(
    users, organisations, actor, time_machine
):
    person = PersonFactory(
        responsible_commissioner=organisations["icb"],
        in_hospital=True,
        date_of_birth=date(2011, 1, 1),
        family_name="Nextinline",
    )
    hold(ReviewFactory(person=person, kind=ReviewKind.POST_ADMISSION), actor)

    time_machine.move_to(datetime.combine(date(2027, 5, 1), time(12, 0)))
    data = queries.commissioner_dashboard(users["commissioner"], queries.ReviewFilter())

    assert [r.person for r in data.upcoming] == [person]


def test_the_dashboards_new_lists_make_the_same_queries_for_1_row_as_for_25(
    client_for, organisations
):
    icb = organisations["icb"]

    def make(n):
        for _ in range(n):
            PersonFactory(
                responsible_commissioner=icb, in_hospital=True, admission_date=date(2026, 1, 5)
            )
            PersonFactory(responsible_commissioner=icb, dsr_rerate_reason="Discharged: rate them")
            SettingChangeFactory(
                person=PersonFactory(responsible_commissioner=icb), needs_root_cause=True
            )
            AdmissionRootCauseFactory(admission__person=PersonFactory(responsible_commissioner=icb))

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("dashboard"))
        return len(captured), response.context["cards"][0].context["data"].counts

    client = client_for("commissioner")
    make(1)
    one, counts = count()
    assert (counts["missed"], counts["rerate"], counts["missing_rca"]) == (1, 1, 1)
    make(24)
    many, counts = count()
    assert many == one
    assert (counts["missed"], counts["rerate"], counts["missing_rca"]) == (25, 25, 25)


def test_a_child_registered_in_hospital_asks_for_a_root_cause_analysis(organisations, actor):
    person = services.person_register(
        actor=actor,
        given_name="Mia",
        family_name="Jones",
        nhs_number="9434765919",
        date_of_birth=date(2012, 5, 1),
        has_autism=True,
        setting=Setting.NON_SECURE,
        provider=organisations["provider"],
        admission_date=date(2027, 3, 1),
        responsible_commissioner=organisations["icb"],
    )

    change = queries.admission_awaiting_root_cause(person)
    assert change is not None and change.kind == SettingChange.Kind.REGISTERED
