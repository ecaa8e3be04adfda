"""The portal as the person and their family use it, and what the commissioner sees of it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ctr_portal.models import AuditEvent, Notification
from portal import services
from portal.models import Feedback, Request
from reviews.queries import person_timeline, review_for_user
from tests.conftest import sign_in
from tests.reviews.factories import ConsentRecordFactory

from .factories import held_review_like

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(review_world, users):
    return {**review_world, "users": users}


def page(client, name, pk):
    return client.get(reverse(name, args=[pk]))


def test_the_family_carer_sees_the_review_while_the_consent_invites_them(world, client):
    sign_in(client, world["users"]["family_carer"])
    review = world["review"]
    html = page(client, "portal:review", review.pk).content.decode()
    assert AuditEvent.objects.filter(
        action="view", object_type="reviews.review", actor=world["users"]["family_carer"]
    ).exists()
    assert "Riverside Hospital, meeting room 2" in html
    assert "Who is involved" in html and "Helen Marsh" in html
    assert "Asha Patel" in html  # who to contact

    # The person withdraws consent: at the next request the family sees the date and whom to
    # contact, nothing else.
    ConsentRecordFactory(review=review, withdrawn=True, recorded_by=review.created_by)
    html = page(client, "portal:review", review.pk).content.decode()
    assert "meeting room 2" not in html and "Who is involved" not in html
    assert "only when the person agrees" in html
    assert "Asha Patel" in html


def test_the_person_always_sees_their_own_review(world, client):
    review = world["review"]
    ConsentRecordFactory(review=review, declined=True, recorded_by=review.created_by)
    sign_in(client, world["users"]["person"])
    html = page(client, "portal:review", review.pk).content.decode()
    assert "meeting room 2" in html


def test_the_portal_home_lists_only_the_reviews_the_user_follows(world, client):
    sign_in(client, world["users"]["family_carer"])
    response = client.get(reverse("portal:home"))
    assert reverse("portal:review", args=[world["review"].pk]) in response.content.decode()
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert reverse("portal:review", args=[world["review"].pk]) in dashboard
    assert dashboard.count(">Your reviews<") == 2  # the header's link and the one card


def test_a_professional_on_the_review_is_not_shown_the_portal_page(world, client):
    sign_in(client, world["users"]["chair"])
    assert page(client, "portal:review", world["review"].pk).status_code == 404


def test_a_family_request_reaches_the_commissioner_and_the_timeline(
    world, client, mailoutbox, django_capture_on_commit_callbacks
):
    sign_in(client, world["users"]["family_carer"])
    url = reverse("portal:ask", args=[world["review"].pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"kind": "review", "sender": "me", "details": "Dan seems low. Please review his care."},
        )
    assert response.status_code == 302
    request = Request.objects.get()
    assert (request.kind, request.commissioner, request.made_by_role) == (
        "review",
        world["review"].commissioner,
        "Family carer",
    )
    [message] = mailoutbox
    assert message.to == ["commissioner@example.nhs.uk"]
    assert "asked for a review" in message.subject
    # No name, no NHS number, nothing the family wrote: it is behind sign-in.
    body = message.body + message.alternatives[0][0]
    for secret in ("Daniel", "Clarke", world["person"].nhs_number, "seems low"):
        assert secret not in body
    assert reverse("portal:request_detail", args=[request.pk]) in body

    headings = [e.heading for e in person_timeline(world["person"])]
    assert "Asked for a review through the portal" in headings
    assert AuditEvent.objects.filter(object_type="portal.request", action="create").exists()

    # What they asked shows on their page, waiting for a reply.
    html = page(client, "portal:review", world["review"].pk).content.decode()
    assert "Dan seems low" in html and "Waiting for a reply" in html


def test_a_request_without_details_is_refused_and_keeps_the_choice(world, client):
    sign_in(client, world["users"]["person"])
    response = client.post(
        reverse("portal:ask", args=[world["review"].pk]), {"kind": "worry", "details": "  "}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert html.count("Tell us what you would like to happen") == 2  # summary and field
    assert 'value="worry" checked' in html
    assert not Request.objects.exists()


def test_the_commissioner_answers_and_plans_a_requested_review(
    world, client, mailoutbox, django_capture_on_commit_callbacks
):
    family = world["users"]["family_carer"]
    request = services.request_make(
        actor=family,
        review=review_for_user(family, world["review"].pk),
        kind="review",
        details="Please review Dan's leave.",
    )
    mailoutbox.clear()
    sign_in(client, world["users"]["commissioner"])
    listing = client.get(reverse("portal:requests")).content.decode()
    assert "Daniel Clarke" in listing and "Asked for a review" in listing

    detail = client.get(reverse("portal:request_detail", args=[request.pk])).content.decode()
    plan = reverse("reviews:review_plan", args=[world["person"].pk])
    asked = timezone.localdate(request.made_at)
    query = f"kind=requested&requested_by=Marion+Carer&requested_on={asked.isoformat()}"
    assert f"{plan}?{query.replace('&', '&amp;')}" in detail
    form = client.get(f"{plan}?{query}").content.decode()
    assert 'value="requested" checked' in form and 'value="Marion Carer"' in form
    assert f'value="{asked.year}"' in form

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("portal:request_detail", args=[request.pk]),
            {"answer": "We will plan a review within 28 days."},
        )
    request.refresh_from_db()
    assert request.state == "answered"
    [message] = [m for m in mailoutbox if m.to == ["family@example.com"]]
    assert "Please review" not in message.body and "28 days" not in message.body

    sign_in(client, family)
    html = page(client, "portal:review", world["review"].pk).content.decode()
    assert "We will plan a review within 28 days." in html


def test_feedback_is_given_once_after_the_review_is_held(world, client):
    review = world["review"]
    sign_in(client, world["users"]["family_carer"])
    assert page(client, "portal:feedback", review.pk).status_code == 403  # not held yet

    held = held_review_like(world)
    url = reverse("portal:feedback", args=[held.pk])
    refused = client.post(url, {"clear": "4"})
    assert "Select how involved you felt" in refused.content.decode()
    assert not Feedback.objects.exists()

    client.post(url, {"involved": "3", "clear": "2", "change": "Shorter meetings"})
    feedback = Feedback.objects.get()
    assert (feedback.group, feedback.involved, feedback.clear) == ("family", 3, 2)
    again = client.get(url).content.decode()
    assert "Thank you" in again and 'name="involved"' not in again

    client.post(url, {"involved": "1", "clear": "1"})
    assert Feedback.objects.count() == 1


def test_the_person_is_offered_the_easy_read_feedback_form_first(world, client):
    held = held_review_like(world)
    sign_in(client, world["users"]["person"])
    html = page(client, "portal:feedback", held.pk).content.decode()
    assert "Did you feel part of your review?" in html
    assert "app-symbol" in html
    client.post(reverse("portal:feedback", args=[held.pk]), {"involved": "4", "clear": "4"})
    assert Feedback.objects.get().easy_read is True

    standard = client.get(reverse("portal:feedback", args=[held.pk]) + "?version=standard")
    assert "How involved did you feel in the review?" in standard.content.decode()


def test_the_commissioner_sees_feedback_per_review_and_in_total(world, client):
    held = held_review_like(world)
    users = world["users"]
    for role, involved, clear in (
        ("family_carer", 4, 3),
        ("person", 2, 1),
        ("chair", 4, 4),
        ("clinical_expert", 3, 4),
    ):
        services.feedback_give(
            actor=users[role],
            review=review_for_user(users[role], held.pk),
            involved=involved,
            clear=clear,
            change="More time to read" if role == "person" else "",
        )
    sign_in(client, users["commissioner"])
    html = page(client, "portal:review_feedback", held.pk).content.decode()
    assert "Helen Marsh (panel members)" in html
    summary = client.get(reverse("portal:feedback_summary")).content.decode()
    # Panel: 2 answers, both felt involved (100%), both found it clear; means 3.5 and 4.0.
    assert "3.5, 4.0" in summary and "More time to read" in summary


def test_feedback_invitations_are_sent_once_to_everyone_who_took_part(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    held = held_review_like(world, days_ago=2)
    held_review_like(world, days_ago=40)  # too long ago to ask
    with django_capture_on_commit_callbacks(execute=True):
        assert services.feedback_invitations_send() == 5
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_invitations_send()
    # Through the deadline mechanism: the key names the review and the day it was held.
    keys = Notification.objects.values_list("idempotency_key", flat=True)
    assert all(k.startswith(f"feedback:{held.pk}:{held.held_on}:invitation:") for k in keys)
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == sorted(
        world["users"][role].email
        for role in ("chair", "clinical_expert", "expert_by_experience", "family_carer", "person")
    )
    easy = next(m for m in mailoutbox if m.to == ["person@example.com"])
    assert "There are pictures to help you" in easy.body
    assert (timezone.localdate() - timedelta(days=2)).strftime("%B") in easy.subject


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_lists_make_as_many_queries_for_one_row_as_for_many(world, client):
    family = world["users"]["family_carer"]
    review = review_for_user(family, world["review"].pk)
    services.request_make(actor=family, review=review, kind="worry", details="One")
    sign_in(client, world["users"]["commissioner"])
    requests_one = _count_queries(client, reverse("portal:requests"))
    sign_in(client, family)
    home_one = _count_queries(client, reverse("portal:home"))

    for n in range(6):
        held_review_like(world, days_ago=10 + n)
    for n in range(24):
        services.request_make(actor=family, review=review, kind="worry", details=f"More {n}")
    sign_in(client, world["users"]["commissioner"])
    assert _count_queries(client, reverse("portal:requests")) == requests_one
    sign_in(client, family)
    assert _count_queries(client, reverse("portal:home")) == home_one


def test_a_requested_review_counts_from_the_day_it_was_asked_for(world, client, time_machine):
    time_machine.move_to("2026-11-30 10:00", tick=False)
    person = world["person"]
    person.reviews.update(state="cancelled", state_reason="Replaced")
    sign_in(client, world["users"]["commissioner"])
    client.post(
        reverse("reviews:review_plan", args=[person.pk]),
        {
            "kind": "requested",
            "requested_by": "Marion Carer",
            "requested_on[day]": "20",
            "requested_on[month]": "11",
            "requested_on[year]": "2026",
        },
    )
    review = person.reviews.get(kind="requested")
    assert review.clock_start.isoformat() == "2026-11-20"
    assert review.due_date.isoformat() == "2026-12-18"  # 28 days from the request


def test_too_long_answers_are_refused_in_words_that_do_not_repeat_the_question():
    """The portal's questions are questions: "What would you like to tell us? must be..." reads
    badly, so each says what is too long (tests/test_form_limits.py now walks the portal too)."""
    from portal.forms import EasyReadFeedbackForm, FeedbackForm, RequestForm

    too_long = "x" * 2001
    request = RequestForm({"kind": Request.Kind.WORRY, "details": too_long})
    feedback = FeedbackForm({"involved": 1, "clear": 1, "change": too_long})
    easy = EasyReadFeedbackForm({"involved": 1, "clear": 1, "change": too_long})

    assert request.errors["details"] == ["What you tell us must be 2,000 characters or fewer"]
    assert feedback.errors["change"] == ["What we should change must be 2,000 characters or fewer"]
    assert easy.errors["change"] == ["Your answer must be 2,000 characters or fewer"]


def test_invitations_sent_under_the_old_keys_are_not_sent_again(world):
    """The migration to the deadline mechanism's keys (ADR 0017) keeps what was sent as sent."""
    import importlib

    from django.apps import apps

    held = held_review_like(world, days_ago=2)
    for participant in held.participants.exclude(role="commissioner"):
        Notification.objects.create(
            idempotency_key=f"feedback:{held.pk}:{participant.pk}",
            recipient=participant.user.email if participant.user_id else participant.email,
            template="feedback_invitation",
            state="sent",
            sent_at=timezone.now(),
        )
    before = Notification.objects.count()
    migration = importlib.import_module(
        "portal.migrations.0002_feedback_keys_on_the_deadline_mechanism"
    )
    migration.rewrite(apps, None)
    services.feedback_invitations_send()
    assert Notification.objects.count() == before
