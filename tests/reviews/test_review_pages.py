"""The review pages: plan, list, the review itself (and its consent gate), schedule, agenda,
lifecycle and the calendar file. Assertions are on what a person would see."""

import html
import re
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ctr_portal.formatting import nhs_time
from reviews import services
from reviews.models import Review, ReviewEvent, ReviewState

from .factories import (
    AgendaItemFactory,
    ConsentInviteeFactory,
    ConsentRecordFactory,
    ContactFactory,
    ParticipantFactory,
    PersonFactory,
    ReviewEventFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


def main(response) -> str:
    """The text of the page's main content, tags stripped and spaces squeezed."""
    page = response.content.decode()
    body = page[page.index("<main") : page.index("</main>")]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def title(response) -> str:
    page = response.content.decode()
    return html.unescape(re.search(r"<title>(.*?)</title>", page, re.S)[1]).strip()


def day(value) -> dict:
    return {"day": value.day, "month": value.month, "year": value.year}


def detail_url(review):
    return reverse("reviews:review_detail", args=[review.pk])


# What the consent gate keeps from those it does not let in (the review_world person).
PRIVATE = [
    "15 June 1995",  # date of birth
    "NHS number",
    "Riverside",  # the hospital, the setting and the venue
    "Willow ward",
    "Speak slowly",  # how to talk with me
    "The person consented",
    "Care and Treatment Review",  # says whether the person is an adult
    "Post-admission",
    "Timeline",
    "Scheduled",
]


# --- Plan a review ----------------------------------------------------------------------------


def test_commissioner_plans_a_community_review_and_is_told_when_it_is_due(
    client_for, users, organisations
):
    person = PersonFactory(
        given_name="Amira", family_name="Hussain", responsible_commissioner=organisations["icb"]
    )
    url = reverse("reviews:review_plan", args=[person.pk])

    response = client_for("commissioner").post(url, {"kind": "community"}, follow=True)

    review = Review.objects.get(person=person)
    assert response.redirect_chain[-1][0] == detail_url(review)
    due = timezone.localdate() + timedelta(days=14)
    assert (
        f"The Care and Treatment Review for Amira Hussain is due by {due:%-d %B %Y}: "
        "Community (pre-admission) review: within 14 days of being planned" in main(response)
    )
    assert review.created_by == users["commissioner"]


def test_plan_page_offers_only_the_kinds_of_review_that_fit_where_the_person_is(
    client_for, review_world, organisations
):
    in_hospital = client_for("commissioner").get(
        reverse("reviews:review_plan", args=[review_world["person"].pk])
    )
    at_home = client_for("commissioner").get(
        reverse(
            "reviews:review_plan",
            args=[PersonFactory(responsible_commissioner=organisations["icb"]).pk],
        )
    )

    assert "Post-admission" in main(in_hospital) and "Community" not in main(in_hospital)
    assert "Community (pre-admission)" in main(at_home) and "Post-admission" not in main(at_home)


def test_an_event_triggered_review_needs_what_happened_and_when(client_for, review_world):
    url = reverse("reviews:review_plan", args=[review_world["person"].pk])

    response = client_for("commissioner").post(url, {"kind": "event_triggered"})

    assert response.status_code == 200
    assert title(response).startswith("Error: ")
    assert response.context["form"].errors == {
        "event_reason": ["Select what happened"],
        "event_date": ["Enter the date of the event"],
    }
    assert 'href="#id_event_reason"' in response.content.decode()
    assert review_world["person"].reviews.count() == 1  # nothing saved


def test_the_date_of_the_event_cannot_be_in_the_future(client_for, review_world):
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = {
        "kind": "event_triggered",
        "event_reason": "move_of_hospital",
        **{f"event_date[{k}]": v for k, v in day(tomorrow).items()},
    }

    response = client_for("commissioner").post(
        reverse("reviews:review_plan", args=[review_world["person"].pk]), data
    )

    assert response.context["form"].errors == {
        "event_date": ["The date of the event must be today or in the past"]
    }
    # What was typed is still there, and the reveal stays open.
    page = response.content.decode()
    assert f'name="event_date[day]" type="text" value="{tomorrow.day}"' in page
    assert 'value="move_of_hospital" checked' in page


def test_an_event_triggered_review_is_due_28_days_after_the_move(client_for, review_world):
    moved = timezone.localdate() - timedelta(days=3)
    data = {
        "kind": "event_triggered",
        "event_reason": "move_of_hospital",
        **{f"event_date[{k}]": v for k, v in day(moved).items()},
    }

    response = client_for("commissioner").post(
        reverse("reviews:review_plan", args=[review_world["person"].pk]), data, follow=True
    )

    review = review_world["person"].reviews.get(kind="event_triggered")
    assert review.due_date == moved + timedelta(days=28)
    assert review.event_reason == "move_of_hospital"
    assert "Event-triggered review for an adult: within 28 days of the event" in main(response)


def test_a_requested_review_needs_to_say_who_asked(client_for, review_world):
    url = reverse("reviews:review_plan", args=[review_world["person"].pk])

    refused = client_for("commissioner").post(url, {"kind": "requested", "requested_by": " "})
    planned = client_for("commissioner").post(
        url, {"kind": "requested", "requested_by": "His mother"}
    )

    assert refused.context["form"].errors == {"requested_by": ["Enter who asked for the review"]}
    assert planned.status_code == 302
    assert review_world["person"].reviews.get(kind="requested").requested_by == "His mother"


# --- The list ---------------------------------------------------------------------------------


def test_the_list_shows_the_reviews_the_user_has_a_part_in(client_for, review_world, organisations):
    elsewhere = ReviewFactory(
        person=PersonFactory(
            given_name="Zara",
            family_name="Okafor",
            responsible_commissioner=organisations["icb_other"],
        )
    )

    mine = main(client_for("commissioner").get(reverse("reviews:review_list")))
    theirs = main(client_for("commissioner_other_org").get(reverse("reviews:review_list")))

    assert "Daniel Clarke" in mine and "Zara Okafor" not in mine
    assert "Zara Okafor" in theirs and "Daniel Clarke" not in theirs
    assert "1 review" in mine
    assert elsewhere.pk


def test_the_list_shows_type_kind_due_date_and_status(client_for, review_world):
    row = main(client_for("commissioner").get(reverse("reviews:review_list")))

    due = review_world["review"].due_date
    assert f"Daniel Clarke Type CTR Kind Post-admission Due by {due:%-d %B %Y}" in row
    assert "Status Scheduled" in row


def test_the_list_shows_only_the_name_and_date_where_consent_does_not_allow_more(
    client_for, review_world
):
    row = main(client_for("expert_by_experience").get(reverse("reviews:review_list")))

    starts = timezone.localtime(review_world["review"].starts_at)
    assert "Daniel Clarke" in row and f"{starts:%-d %B %Y}" in row
    assert "CTR" not in row and "Post-admission" not in row and "Scheduled" not in row
    assert "Filter reviews" not in row


def test_the_list_can_be_filtered_by_status_and_type(client_for, review_world, organisations):
    ReviewFactory(
        person=PersonFactory(
            given_name="Amira",
            family_name="Hussain",
            child=True,
            responsible_commissioner=organisations["icb"],
        )
    )
    client = client_for("commissioner")
    url = reverse("reviews:review_list")

    planned = main(client.get(url, {"state": "planned"}))
    children = main(client.get(url, {"review_type": "cetr"}))
    adults = main(client.get(url, {"review_type": "ctr"}))

    assert "Amira Hussain" in planned and "Daniel Clarke" not in planned
    assert "Amira Hussain" in children and "Daniel Clarke" not in children
    assert "Daniel Clarke" in adults and "Amira Hussain" not in adults
    assert "1 review matching your filters" in adults


def test_filters_never_reveal_what_a_hidden_row_keeps_back(client_for, users, organisations):
    """The provider's ward manager is also an undeclared expert by experience on another
    area's review of a child: filtering by type must not tell them the child's age."""
    review = ReviewFactory(
        person=PersonFactory(given_name="Amira", family_name="Hussain", child=True)
    )
    ParticipantFactory(review=review, role="expert_by_experience", user=users["provider"])
    url = reverse("reviews:review_list")

    everything = main(client_for("provider").get(url))
    children = main(client_for("provider").get(url, {"review_type": "cetr"}))

    assert "Amira Hussain" in everything
    assert "Amira Hussain" not in children


def test_filters_that_make_no_sense_are_ignored(client_for, review_world):
    response = client_for("commissioner").get(
        reverse("reviews:review_list"), {"organisation": "abc", "state": "lost", "kind": "x"}
    )

    assert response.status_code == 200
    assert "Daniel Clarke" in main(response)


def test_the_list_shows_25_reviews_a_page(client_for, organisations):
    for _ in range(26):
        ReviewFactory(person=PersonFactory(responsible_commissioner=organisations["icb"]))
    url = reverse("reviews:review_list")

    first = client_for("commissioner").get(url)
    second = client_for("commissioner").get(url, {"page": 2})

    assert len(first.context["page_obj"].object_list) == 25
    assert len(second.context["page_obj"].object_list) == 1
    assert "26 reviews" in main(first) and "?page=2" in first.content.decode()


def _reviews_for(organisation, count, expert):
    for _ in range(count):
        review = ReviewFactory(
            person=PersonFactory(responsible_commissioner=organisation), scheduled=True
        )
        ParticipantFactory(review=review, role="clinical_expert", user=expert, independent=True)
        ParticipantFactory(review=review, role="chair")
        ConsentInviteeFactory(
            consent=ConsentRecordFactory(review=review),
            contact=ContactFactory(person=review.person),
        )


@pytest.mark.parametrize("role", ["commissioner", "clinical_expert"])
def test_the_list_makes_the_same_number_of_queries_for_1_review_as_for_25(
    role, client_for, users, organisations, django_assert_max_num_queries
):
    client, url = client_for(role), reverse("reviews:review_list")
    _reviews_for(organisations["icb"], 1, users["clinical_expert"])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url).context["page_obj"].object_list) == 1

    _reviews_for(organisations["icb"], 24, users["clinical_expert"])
    with django_assert_max_num_queries(len(one)):
        assert len(client.get(url).context["page_obj"].object_list) == 25


# --- The review page --------------------------------------------------------------------------


def test_the_commissioner_sees_the_whole_review(client_for, review_world):
    review = review_world["review"]
    day = timezone.localdate(review.starts_at)
    review.starts_at = timezone.make_aware(datetime.combine(day, time(9, 0)))
    review.save(update_fields=["starts_at"])
    services.agenda_generate(review=review)
    ReviewEventFactory(review=review, summary="Scheduled → Preparing", reason="Pack on its way")

    response = client_for("commissioner").get(detail_url(review))
    page = main(response)

    assert "Care and Treatment Review (CTR) for Daniel Clarke" in page
    assert f"Due by {review.due_date:%-d %B %Y}" in page
    assert "Community (pre-admission) review: within 14 days of being planned" in page
    assert "Riverside Hospital, meeting room 2" in page
    assert "How to talk with Daniel Speak slowly; I like to see things written down." in page
    assert "Consent or a best-interests decision The person consented Done" in page
    assert (
        "Core panel, each independent Independence not declared by the expert by "
        "experience Not done"
    ) in page
    for participant in review_world["participants"].values():
        assert participant.name in page
    assert "Expert by experience" in page and "Not declared" in page
    assert "Latest decision The person consented" in page
    assert "9:30am What happens Reading time" in page
    assert "Scheduled → Preparing" in page and "Pack on its way" in page
    assert "15 June 1995" in page and "400" in page
    links = response.content.decode()
    for name in (
        "review_schedule",
        "review_agenda",
        "review_consent",
        "review_consent_form",
        "review_participant_add",
        "review_calendar",
    ):
        assert reverse(f"reviews:{name}", args=[review.pk]) in links
    transition = reverse("reviews:review_transition", args=[review.pk])
    assert f'href="{transition}?to=preparing"' in links
    assert "Start preparing" in page and "Postpone" in page and "Cancel the review" in page


def test_the_due_date_says_which_rule_produced_it(client_for, review_world):
    person = review_world["person"]
    review = services.review_plan(
        actor=review_world["review"].created_by, person=person, kind="post_admission"
    )

    page = main(client_for("commissioner").get(detail_url(review)))

    admitted = person.admission_date
    assert f"Due by {admitted + timedelta(days=28):%-d %B %Y}" in page
    assert (
        "Post-admission review for an adult: within 28 days of admission "
        f"(28 days from admission on {admitted:%-d %B %Y})"
    ) in page


def test_a_late_review_says_why_it_is_after_its_due_date(client_for, review_world):
    review = review_world["review"]
    Review.objects.filter(pk=review.pk).update(
        due_date=timezone.localdate() + timedelta(days=2), late_reason="The chair is on leave"
    )

    page = main(client_for("commissioner").get(detail_url(review)))

    assert "Why it is after the due date The chair is on leave" in page


def test_an_expert_who_has_not_declared_sees_only_the_name_and_the_date(client_for, review_world):
    review = review_world["review"]

    response = client_for("expert_by_experience").get(detail_url(review))
    page = main(response)

    assert response.status_code == 200
    assert "Review for Daniel Clarke" in page
    starts = timezone.localtime(review.starts_at)
    assert f"{starts:%A} {starts:%-d %B %Y}" in page
    assert reverse("reviews:review_independence", args=[review.pk]) in response.content.decode()
    for private in PRIVATE:
        assert private not in page, private
    for participant in review_world["participants"].values():
        assert participant.name not in page
    assert title(response).startswith("Review for Daniel Clarke")


def test_a_declared_expert_sees_the_review_once_consent_is_recorded_but_cannot_manage_it(
    client_for, review_world
):
    response = client_for("clinical_expert").get(detail_url(review_world["review"]))
    page = main(response)

    assert "Care and Treatment Review (CTR) for Daniel Clarke" in page
    assert "Speak slowly" in page and "15 June 1995" in page
    links = response.content.decode()
    assert reverse("reviews:review_transition", args=[review_world["review"].pk]) not in links
    assert reverse("reviews:review_consent", args=[review_world["review"].pk]) not in links
    assert "Add a participant" not in page and "Record consent" not in page


@pytest.mark.parametrize("decision", ["withdrawn", "declined"])
def test_the_panel_sees_nothing_more_once_consent_is_withdrawn_or_declined(
    decision, client_for, review_world
):
    ConsentRecordFactory(review=review_world["review"], **{decision: True})

    response = client_for("clinical_expert").get(detail_url(review_world["review"]))
    page = main(response)

    assert "Review for Daniel Clarke" in page
    for private in PRIVATE:
        assert private not in page, private
    assert "Declare your independence" not in page


def test_the_panel_sees_nothing_more_before_any_consent_is_recorded(
    client_for, users, review_world
):
    review = ReviewFactory(person=review_world["person"], scheduled=True)
    ParticipantFactory(
        review=review, role="clinical_expert", user=users["clinical_expert"], independent=True
    )

    page = main(client_for("clinical_expert").get(detail_url(review)))

    for private in PRIVATE:
        assert private not in page, private


def test_a_family_carer_sees_the_review_only_while_consent_invites_them(client_for, review_world):
    url = detail_url(review_world["review"])
    before = main(client_for("family_carer").get(url))

    ConsentRecordFactory(review=review_world["review"], withdrawn=True)
    after = main(client_for("family_carer").get(url))

    assert (
        "Care and Treatment Review (CTR) for Daniel Clarke" in before and "Speak slowly" in before
    )
    assert "Review for Daniel Clarke" in after
    for private in PRIVATE:
        assert private not in after, private


@pytest.mark.parametrize("role", ["provider", "local_authority", "family_carer", "person"])
def test_others_taking_part_see_a_read_only_page(role, client_for, review_world):
    review = review_world["review"]

    response = client_for(role).get(detail_url(review))
    page, links = main(response), response.content.decode()

    assert "Care and Treatment Review (CTR) for Daniel Clarke" in page
    assert "Start preparing" not in page and "Cancel the review" not in page
    for name in (
        "review_schedule",
        "review_agenda",
        "review_consent",
        "review_transition",
        "review_participant_add",
    ):
        url = reverse(f"reviews:{name}", args=[review.pk])
        assert f'href="{url}"' not in links, name
    consent_form = reverse("reviews:review_consent_form", args=[review.pk])
    assert (f'href="{consent_form}"' in links) is (role == "person")


def _busy_review(review, size, actor):
    for n in range(size):
        ParticipantFactory(review=review, role="panel_member", independent=n % 2 == 0)
        ReviewEventFactory(review=review, summary=f"Event {n}", actor=actor)
        AgendaItemFactory(review=review, title=f"Item {n}", position=n + 1)
        ConsentInviteeFactory(
            consent=review.consents.first(), contact=ContactFactory(person=review.person)
        )
    return review


def test_the_review_page_makes_the_same_number_of_queries_however_busy_the_review(
    client_for, users, review_world, django_assert_max_num_queries
):
    client = client_for("commissioner")
    quiet = ReviewFactory(person=review_world["person"], scheduled=True)
    ConsentRecordFactory(review=quiet)
    _busy_review(quiet, 1, users["commissioner"])
    busy = ReviewFactory(person=review_world["person"], scheduled=True)
    ConsentRecordFactory(review=busy)
    _busy_review(busy, 20, users["commissioner"])
    client.get(detail_url(quiet))

    with CaptureQueriesContext(connection) as one:
        assert "Event 0" in main(client.get(detail_url(quiet)))
    with django_assert_max_num_queries(len(one)):
        page = main(client.get(detail_url(busy)))

    assert "Event 19" in page and "Item 19" in page


# --- Every route, as someone the consent gate keeps out ---------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "review_detail",
        "review_calendar",
        "review_schedule",
        "review_agenda",
        "review_transition",
        "review_list",
    ],
)
def test_no_route_shows_the_gated_expert_anything_private(name, client_for, review_world):
    args = [] if name == "review_list" else [review_world["review"].pk]

    response = client_for("expert_by_experience").get(reverse(f"reviews:{name}", args=args))

    text = response.content.decode()
    person = review_world["person"]
    for private in [
        "15 June 1995",
        person.nhs_number_display,
        person.nhs_number,
        "Willow ward",
        "Speak slowly",
        "Maureen Clarke",
    ]:
        assert private not in text, private
    assert response.status_code in (200, 403)


# --- Calendar ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["commissioner", "clinical_expert"])
def test_the_calendar_file_is_an_attachment_without_the_persons_name(
    role, client_for, review_world
):
    response = client_for(role).get(
        reverse("reviews:review_calendar", args=[review_world["review"].pk])
    )

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="review.ics"'
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body and "SUMMARY:Care and Treatment Review" in body
    assert "Daniel" not in body and "Clarke" not in body and "4000" not in body


def test_there_is_no_calendar_file_before_the_review_has_a_date(client_for, review_world):
    review = ReviewFactory(person=review_world["person"])

    response = client_for("commissioner").get(reverse("reviews:review_calendar", args=[review.pk]))

    assert response.status_code == 404


# --- Schedule ---------------------------------------------------------------------------------


def schedule_data(when, time="10:00", **fields):
    return {
        **{f"date[{k}]": v for k, v in day(when).items()},
        "start_time": time,
        "duration_minutes": "480",
        "venue": "Town hall, room 4",
        "video_link": "",
        "late_reason": "",
        # Dates here fall on any day of the week: the weekend warning has its own tests.
        "confirm_day": "on",
        **fields,
    }


@pytest.fixture
def planned(review_world):
    return ReviewFactory(
        person=review_world["person"],
        kind="post_admission",
        due_date=timezone.localdate() + timedelta(days=20),
    )


def test_scheduling_sets_the_date_writes_the_agenda_and_moves_the_review_on(client_for, planned):
    when = timezone.localdate() + timedelta(days=15)

    response = client_for("commissioner").post(
        reverse("reviews:review_schedule", args=[planned.pk]),
        schedule_data(when),
        follow=True,
    )

    planned.refresh_from_db()
    assert planned.state == ReviewState.SCHEDULED
    assert (
        timezone.localtime(planned.starts_at).strftime("%Y-%m-%d %H:%M") == f"{when:%Y-%m-%d} 10:00"
    )
    assert planned.agenda.count() == 9
    assert f"The review is set for {when:%A} {when:%-d %B %Y}, 10am to 6pm" in main(response)
    assert planned.events.filter(kind=ReviewEvent.Kind.SCHEDULED).exists()


def test_the_schedule_page_starts_from_the_date_and_place_already_set(client_for, review_world):
    review = review_world["review"]
    starts = timezone.localtime(review.starts_at)

    page = (
        client_for("commissioner")
        .get(reverse("reviews:review_schedule", args=[review.pk]))
        .content.decode()
    )

    assert f'name="date[day]" type="text" value="{starts.day}"' in page
    assert f'value="{nhs_time(starts)}"' in page
    assert 'value="Riverside Hospital, meeting room 2"' in page
    assert '<option value="480" selected>' in page


def test_a_date_in_the_past_is_refused_beside_the_field_and_what_was_typed_is_kept(
    client_for, planned
):
    yesterday = timezone.localdate() - timedelta(days=1)

    response = client_for("commissioner").post(
        reverse("reviews:review_schedule", args=[planned.pk]),
        schedule_data(yesterday, time="14:30", venue="Town hall, room 4"),
    )

    assert title(response).startswith("Error: ")
    assert response.context["form"].errors == {"date": ["The date must be today or in the future"]}
    page = response.content.decode()
    assert 'href="#id_date-day"' in page  # the error summary links to the first box
    assert 'value="14:30"' in page and 'value="Town hall, room 4"' in page
    assert f'name="date[year]" type="text" value="{yesterday.year}"' in page
    planned.refresh_from_db()
    assert planned.starts_at is None


def test_a_date_after_the_due_date_asks_why_and_is_saved_with_the_reason(client_for, planned):
    url = reverse("reviews:review_schedule", args=[planned.pk])
    late = planned.due_date + timedelta(days=7)
    client = client_for("commissioner")

    before = main(client.get(url))
    refused = client.post(url, schedule_data(late))
    saved = client.post(url, schedule_data(late, late_reason="The family is away until then"))

    assert "Why will the review be after its due date?" not in before
    assert refused.context["form"].errors == {
        "late_reason": [
            f"The review is due by {planned.due_date:%-d %B %Y}. Enter why it will be later"
        ]
    }
    assert "Why will the review be after its due date?" in main(refused)
    assert saved.status_code == 302
    planned.refresh_from_db()
    assert planned.late_reason == "The family is away until then"


def test_a_review_needs_a_venue_or_a_video_link(client_for, planned):
    response = client_for("commissioner").post(
        reverse("reviews:review_schedule", args=[planned.pk]),
        schedule_data(timezone.localdate() + timedelta(days=3), venue=""),
    )

    assert response.context["form"].errors == {"venue": ["Enter a venue or a video link"]}


def test_a_review_by_video_only_is_fine(client_for, planned):
    response = client_for("commissioner").post(
        reverse("reviews:review_schedule", args=[planned.pk]),
        schedule_data(
            timezone.localdate() + timedelta(days=3),
            venue="",
            video_link="https://meet.example.com/ctr-42",
        ),
    )

    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.video_link == "https://meet.example.com/ctr-42"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("25:00", "Start time must be a real time, like 9:30am or 2pm"),
        ("half ten", "Start time must be a real time, like 9:30am or 2pm"),
        ("13pm", "Start time must be a real time, like 9:30am or 2pm"),
        ("9", "Start time must be a real time, like 9:30am or 2pm"),
        ("", "Enter the start time"),
    ],
)
def test_a_start_time_must_be_a_real_time(typed, message, client_for, planned):
    response = client_for("commissioner").post(
        reverse("reviews:review_schedule", args=[planned.pk]),
        schedule_data(timezone.localdate() + timedelta(days=3), time=typed),
    )

    assert response.context["form"].errors == {"start_time": [message]}


def test_a_review_that_was_held_cannot_be_rescheduled(client_for, review_world):
    Review.objects.filter(pk=review_world["review"].pk).update(state=ReviewState.HELD)

    page = main(
        client_for("commissioner").get(
            reverse("reviews:review_schedule", args=[review_world["review"].pk])
        )
    )

    assert "This review is held, so its date cannot be changed." in page
    assert "Save the date" not in page


# --- Agenda -----------------------------------------------------------------------------------


def agenda_data(rows, initial):
    data = {
        "agenda-TOTAL_FORMS": len(rows),
        "agenda-INITIAL_FORMS": initial,
        "agenda-MIN_NUM_FORMS": 0,
        "agenda-MAX_NUM_FORMS": 40,
    }
    for n, row in enumerate(rows):
        data.update({f"agenda-{n}-{key}": value for key, value in row.items()})
    return data


def test_the_agenda_can_be_changed_added_to_and_trimmed(client_for, review_world):
    review = review_world["review"]
    AgendaItemFactory(review=review, starts_at="09:00", title="The panel meets alone", position=1)
    AgendaItemFactory(review=review, starts_at="09:30", title="Reading time", position=2)
    rows = [
        {"starts_at": "09:00", "title": "The panel meets", "detail": "Introductions"},
        {"starts_at": "09:30", "title": "Reading time", "DELETE": "on"},
        {"starts_at": "8.45", "title": "Coffee", "detail": ""},
        {"starts_at": "", "title": "", "detail": ""},
    ]

    response = client_for("commissioner").post(
        reverse("reviews:review_agenda", args=[review.pk]),
        agenda_data(rows, initial=2),
        follow=True,
    )

    assert [(str(i.starts_at)[:5], i.title, i.detail) for i in review.agenda.all()] == [
        ("08:45", "Coffee", ""),
        ("09:00", "The panel meets", "Introductions"),
    ]
    assert "The agenda has been saved" in main(response)
    assert review.events.filter(kind=ReviewEvent.Kind.AGENDA).exists()


def test_an_agenda_line_needs_a_time_and_a_title(client_for, review_world):
    review = review_world["review"]
    rows = [
        {"starts_at": "10:00", "title": "", "detail": "Bring the pack"},
        {"starts_at": "", "title": "Lunch", "detail": ""},
        {"starts_at": "26:10", "title": "Close", "detail": ""},
    ]

    response = client_for("commissioner").post(
        reverse("reviews:review_agenda", args=[review.pk]), agenda_data(rows, initial=0)
    )

    assert title(response).startswith("Error: ")
    formset = response.context["formset"]
    assert formset.errors == [
        {"title": ["Enter what happens at this time"]},
        {"starts_at": ["Enter the time"]},
        {"starts_at": ["Time must be a real time, like 9:30am or 2pm"]},
    ]
    page = response.content.decode()
    assert 'href="#id_agenda-0-title"' in page  # the error summary links to the field
    assert 'value="Bring the pack"' in page and 'value="26:10"' in page
    assert not review.agenda.exists()


# --- Lifecycle --------------------------------------------------------------------------------


def transition_url(review):
    return reverse("reviews:review_transition", args=[review.pk])


def test_the_lifecycle_page_offers_the_moves_allowed_now_chosen_from_the_link(
    client_for, review_world
):
    review = review_world["review"]

    response = client_for("commissioner").get(transition_url(review), {"to": "postponed"})

    page = main(response)
    assert "What do you want to do?" in page and "The review is scheduled now." in page
    assert "Start preparing" in page and "Postpone" in page and "Cancel the review" in page
    assert "Mark as ready" not in page
    assert 'value="postponed" checked' in response.content.decode()
    assert 'name="expected_state" value="scheduled"' in response.content.decode()


def test_postponing_without_a_reason_is_refused_beside_the_reason(client_for, review_world):
    review = review_world["review"]

    response = client_for("commissioner").post(
        transition_url(review), {"to": "postponed", "reason": "", "expected_state": "scheduled"}
    )

    assert response.context["form"].errors == {
        "reason": ["Enter why the review is being postponed"]
    }
    assert 'href="#id_reason"' in response.content.decode()
    review.refresh_from_db()
    assert review.state == ReviewState.SCHEDULED


def test_postponing_with_a_reason_moves_the_review_and_says_so(client_for, review_world):
    review = review_world["review"]

    response = client_for("commissioner").post(
        transition_url(review),
        {"to": "postponed", "reason": "Daniel is unwell", "expected_state": "scheduled"},
        follow=True,
    )

    review.refresh_from_db()
    assert review.state == ReviewState.POSTPONED
    page = main(response)
    assert "The review's status is now postponed" in page
    assert "Why it was postponed Daniel is unwell" in page
    assert "Scheduled → Postponed" in page


def test_a_move_someone_else_got_to_first_is_refused_and_the_page_shows_where_things_are(
    client_for, review_world
):
    review = review_world["review"]
    services.review_transition(
        review=review, to=ReviewState.POSTPONED, actor=review.created_by, reason="Unwell"
    )

    response = client_for("commissioner").post(
        transition_url(review),
        {"to": "cancelled", "reason": "No longer needed", "expected_state": "scheduled"},
    )

    page = main(response)
    assert (
        "Someone else changed this review: it is now postponed. Check the page and try again"
    ) in page
    assert "The review is postponed now." in page
    assert 'name="expected_state" value="postponed"' in response.content.decode()
    assert 'value="No longer needed"' not in page  # a textarea keeps it as its text
    assert "No longer needed" in response.content.decode()
    review.refresh_from_db()
    assert review.state == ReviewState.POSTPONED


def test_ready_is_refused_with_what_is_still_missing(
    client_for, review_world, reviews_readiness_only
):
    review = review_world["review"]
    services.review_transition(review=review, to=ReviewState.PREPARING, actor=review.created_by)

    response = client_for("commissioner").post(
        transition_url(review), {"to": "ready", "reason": "", "expected_state": "preparing"}
    )

    assert response.context["form"].errors == {
        "to": [
            "Core panel, each independent: independence not declared by the expert by experience"
        ]
    }


def test_a_closed_review_has_nothing_more_to_do(client_for, review_world):
    Review.objects.filter(pk=review_world["review"].pk).update(state=ReviewState.CLOSED)

    page = main(client_for("commissioner").get(transition_url(review_world["review"])))

    assert "There is nothing more to do" in page and "Continue" not in page


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("9:30am", time(9, 30)),
        ("9.30 a.m.", time(9, 30)),
        ("2pm", time(14, 0)),
        ("12:15pm", time(12, 15)),
        ("12am", time(0, 0)),
        ("midday", time(12, 0)),
        ("14:00", time(14, 0)),
        ("09:30", time(9, 30)),
    ],
)
def test_a_time_is_typed_the_way_the_service_writes_it_or_on_the_24_hour_clock(typed, meant):
    from reviews.forms.reviews import TimeOfDayField

    field = TimeOfDayField(label="Start time")

    assert field.clean(typed) == meant
    assert field.prepare_value(meant) == nhs_time(meant)  # shown back as "9:30am", never "09:30"
