"""A worry has a safe place to go: urgent help first, a promised reply, the complaints and
advocacy routes, an advocate sending for the person, and a worry about harm flagged urgent."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ctr_portal.formatting import DAY_AND_DATE, nhs_date
from ctr_portal.models import Notification
from ctr_portal.working_days import working_days_after
from portal import policy, services
from portal.models import Request
from reviews.models import ParticipantRole
from reviews.queries import person_timeline, review_for_user
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.reviews.factories import ConsentRecordFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(review_world, users):
    icb = review_world["review"].commissioner
    icb.safeguarding_contact = "North Shore Safeguarding Hub"
    icb.safeguarding_phone = "01632 960 101"
    icb.complaints_contact = "the ICB complaints team (PALS)"
    icb.complaints_phone = "01632 960 102"
    icb.advocacy_contact = "North Shore Advocacy"
    icb.advocacy_phone = "01632 960 103"
    icb.save()
    return {**review_world, "users": users}


def ask(client, review, **data):
    return client.post(reverse("portal:ask", args=[review.pk]), {"kind": "worry", **data})


def test_the_ask_page_puts_urgent_help_first_then_the_complaints_and_advocacy_routes(world, client):
    sign_in(client, world["users"]["person"])
    html = client.get(reverse("portal:ask", args=[world["review"].pk])).content.decode()
    assert "If someone is in danger now, call 999" in html
    assert html.index("call 999") < html.index("What would you like to do?")
    assert "North Shore Safeguarding Hub" in html and 'href="tel:01632960101"' in html
    assert "call 111" in html.lower()
    assert "If you want to complain" in html and "01632 960 102" in html
    assert "Ombudsman" in html
    assert "North Shore Advocacy" in html and "(IMHA)" in html
    assert "This is not a complaint" not in html
    assert "within 3 working days" in html
    assert "Who is this from?" not in html  # the person speaks for themselves


def test_after_sending_the_person_is_told_when_a_reply_will_come(world, client):
    sign_in(client, world["users"]["person"])
    response = ask(client, world["review"], details="Nobody has told me when my leave is.")
    due = working_days_after(timezone.localdate(), policy.REPLY_WORKING_DAYS.default)
    page = client.get(response["Location"]).content.decode()
    assert f"will reply to you here by {nhs_date(due, DAY_AND_DATE)}" in page
    assert f"Reply expected by {nhs_date(due)}" in page
    assert "If someone is in danger now, call 999" in page
    assert not Request.objects.get().urgent


def test_the_reply_time_is_a_local_choice(world, client, set_local_choice):
    set_local_choice(policy.REPLY_WORKING_DAYS, 5)
    sign_in(client, world["users"]["person"])
    html = client.get(reverse("portal:ask", args=[world["review"].pk])).content.decode()
    assert "within 5 working days" in html


def test_a_worry_that_mentions_harm_reaches_the_commissioner_once_as_urgent_and_names_nobody(
    world, client, mailoutbox, django_capture_on_commit_callbacks
):
    sign_in(client, world["users"]["person"])
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, world["review"], details="Daniel says staff shouted at him.")
    assert response.status_code == 302
    request = Request.objects.get()
    assert request.urgent and not request.at_risk
    [message] = mailoutbox
    assert message.to == ["commissioner@example.nhs.uk"]
    assert message.subject.startswith("Urgent:")
    body = message.body + message.alternatives[0][0]
    for secret in ("Daniel", "Clarke", "shouted", world["person"].nhs_number):
        assert secret not in message.subject + body
    assert reverse("portal:request_detail", args=[request.pk]) in body
    # Once: one row per recipient, whatever runs again.
    assert Notification.objects.filter(template="portal_request_urgent").count() == 1

    sign_in(client, world["users"]["commissioner"])
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "1 may be about someone's safety: read it today" in dashboard
    listing = client.get(reverse("portal:requests")).content.decode()
    assert "Raised a worry (urgent)" in listing
    detail = client.get(reverse("portal:request_detail", args=[request.pk])).content.decode()
    assert "may be about someone being harmed" in detail
    headings = [e.heading for e in person_timeline(world["person"])]
    assert "Raised a worry through the portal (urgent: may be about someone's safety)" in headings


def test_a_worry_the_sender_marks_at_risk_is_urgent_whatever_its_words(world):
    person = world["users"]["person"]
    request = services.request_make(
        actor=person,
        review=review_for_user(person, world["review"].pk),
        kind="worry",
        details="Something happened on the ward last night.",
        at_risk=True,
    )
    assert request.urgent and request.at_risk
    assert Notification.objects.get().template == "portal_request_urgent"


def test_harm_words_are_matched_as_whole_words():
    assert policy.mentions_harm("He was HIT by another patient")
    assert policy.mentions_harm("I feel unsafe.")
    assert not policy.mentions_harm("The white board in the kitchen is broken")
    assert not policy.mentions_harm("Please review his leave")


def test_an_advocate_sends_a_worry_for_the_person_recorded_as_such(world, client):
    advocate = UserFactory(email="advocate@example.org", public=True, display_name="Ade Vocat")
    ParticipantFactory(
        review=world["review"],
        role=ParticipantRole.ADVOCATE,
        user=advocate,
        added_by=world["review"].created_by,
    )
    sign_in(client, advocate)
    html = client.get(reverse("portal:ask", args=[world["review"].pk])).content.decode()
    assert "Who is this from?" in html and "From Daniel: I am sending it for them" in html

    response = ask(client, world["review"], sender="", details="Daniel wants more time outside.")
    assert response.status_code == 200 and "Select who this is from" in response.content.decode()

    ask(client, world["review"], sender="person", details="Daniel wants more time outside.")
    request = Request.objects.get()
    assert request.on_behalf_of_person and request.made_by == advocate
    assert request.sender_description == "Ade Vocat (advocate), for Daniel"
    sign_in(client, world["users"]["commissioner"])
    detail = client.get(reverse("portal:request_detail", args=[request.pk])).content.decode()
    assert "Ade Vocat (advocate), for Daniel" in detail


def test_a_family_carer_sends_for_the_person_only_while_the_consent_invites_them(world, client):
    family = world["users"]["family_carer"]
    review = review_for_user(family, world["review"].pk)
    made = services.request_make(
        actor=family, review=review, kind="worry", details="Dan is low.", on_behalf_of_person=True
    )
    assert made.on_behalf_of_person

    ConsentRecordFactory(review=world["review"], withdrawn=True, recorded_by=review.created_by)
    review = review_for_user(family, world["review"].pk)
    with pytest.raises(ValidationError):
        services.request_make(
            actor=family,
            review=review,
            kind="worry",
            details="Dan is low.",
            on_behalf_of_person=True,
        )
    sign_in(client, family)
    html = client.get(reverse("portal:ask", args=[world["review"].pk])).content.decode()
    assert "Who is this from?" not in html
