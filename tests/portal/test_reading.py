"""Needs drive the service: what someone needs to read (standard, easy read, large print) is
recorded on the person's record and on each account, and every notice follows it."""

import pytest
from django.urls import reverse

from ctr_portal.models import Notification
from ctr_portal.services import reading_format_set
from ctr_portal.transports import render_email
from reviews.services.calendar import POSTPONED, invitees_tell
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_a_notice_to_someone_who_reads_easy_read_is_the_easy_read_version(review_world):
    person = review_world["participants"]["person"]
    reading_format_set(user=person.user, reading_format="easy_read")
    invitees_tell(review=review_world["review"], change=POSTPONED)
    notice = Notification.objects.get(reach_of=f"participant:{person.pk}")
    message = render_email(notice)
    assert message.subject == "Your review will be on a new day"
    assert "font-size: 24px" in message.alternatives[0][0]
    carer = review_world["participants"]["family_carer"]
    standard = render_email(Notification.objects.get(reach_of=f"participant:{carer.pk}"))
    assert standard.subject.startswith("A ")  # the standard version for the family carer


def test_the_person_without_an_account_is_reached_as_their_record_says(review_world):
    person = review_world["participants"]["person"]
    record = review_world["person"]
    record.reading_format = "large_print"
    record.save(update_fields=["reading_format"])
    person.user = None
    person.email = "daniel@example.com"
    person.save(update_fields=["user", "email"])
    invitees_tell(review=review_world["review"], change=POSTPONED)
    notice = Notification.objects.get(reach_of=f"participant:{person.pk}")
    assert notice.context["reading_format"] == "large_print"
    assert "font-size: 26px" in render_email(notice).alternatives[0][0]


def test_the_commissioner_records_how_the_person_reads(client, review_world):
    person = review_world["person"]
    sign_in(client, review_world["review"].created_by)
    page = client.get(reverse("reviews:person_edit", args=[person.pk])).content.decode()
    assert "How do they need to read things?" in page
    detail = client.get(reverse("reviews:person_detail", args=[person.pk])).content.decode()
    assert "How I read things:</strong> Standard" in detail


def test_someone_signed_in_chooses_how_they_read_and_it_sticks(client, users):
    family = users["family_carer"]
    sign_in(client, family)
    response = client.post(
        reverse("accounts:reading_format"),
        {"reading_format": "large_print", "communication_support": "Call me first.", "next": "/"},
    )
    assert response.status_code == 302
    family.refresh_from_db()
    assert (family.reading_format, family.communication_support) == (
        "large_print",
        "Call me first.",
    )
    assert "app-format-large-print" in client.get(reverse("portal:home")).content.decode()


def test_a_next_address_elsewhere_is_not_followed(client):
    response = client.post(
        reverse("accounts:reading_format"),
        {"reading_format": "easy_read", "next": "https://evil.example/"},
    )
    assert response.url == reverse("dashboard")
    assert response.cookies["ctr_reading_format"].value == "easy_read"
