"""GOV.UK Notify as the outbox's transport (ADR 0020), against the stand-in on loopback
(tests/notify_server.py) through the official client: each channel, a 429 and a 500 tried
again, delivery receipts moving a notice to delivered or failed, a permanent failure told to the
commissioner once however often its receipt comes, a receipt with a wrong token refused, a bad
key refused, and two dispatchers at once sending one message per notice."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ctr_portal import services
from ctr_portal.models import Notification
from reviews.models import InvitedThrough, Participant
from reviews.services import participant_reach, participant_reach_set
from tests.conftest import NOTIFY_CALLBACK_TOKEN

pytestmark = pytest.mark.django_db


def enqueue(key="notice:1", recipient="carer@example.com", link="https://ctr.example/r/1/"):
    return services.notification_enqueue(
        key=key,
        recipient=recipient,
        template="portal_request_answered",
        context={"link": link},
    )


def dispatch(now=None) -> int:
    return services.outbox_dispatch_due(now=now)


def receipt(client, notification, status, token=NOTIFY_CALLBACK_TOKEN):
    notification.refresh_from_db()
    return client.post(
        reverse("notify_receipt"),
        {
            "id": notification.provider_ref,
            "reference": f"ctr-notice-{notification.pk}",
            "to": notification.recipient,
            "status": status,
            "notification_type": notification.channel,
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.fixture
def texted(review_world):
    """The family carer, who asked to be reached by text message."""
    carer = review_world["participants"]["family_carer"]
    return participant_reach_set(
        actor=review_world["review"].created_by,
        participant=carer,
        invited_through=InvitedThrough.TEXT,
        phone="07700 900123",
    )


def test_an_email_goes_through_notify_by_template_with_the_words_as_personalisation(notify_on):
    row = enqueue()
    assert dispatch() == 1
    (sent,) = notify_on.of_type("email")
    assert sent["to"] == "carer@example.com"
    assert "https://ctr.example/r/1/" in sent["body"] and sent["subject"]
    # The reference is the row's id: no personal data; the row is what stops a second send.
    assert sent["reference"] == f"ctr-notice-{row.pk}"
    row.refresh_from_db()
    assert row.state == Notification.State.SENT and row.provider_ref == sent["id"]
    assert mail.outbox == []  # not through SMTP as well


def test_a_text_message_is_short_and_names_nobody(notify_on, texted):
    reach = participant_reach(texted)
    assert (reach.channel, reach.address) == ("text", "07700 900123")
    services.notification_enqueue(
        key="text:1", recipient=reach, template="portal_request_answered", context={"link": "x"}
    )
    dispatch()
    (sent,) = notify_on.of_type("sms")
    assert sent["to"] == "07700 900123"
    assert len(sent["body"]) <= 306  # two fragments
    assert texted.name not in sent["body"] and "Clarke" not in sent["body"]


def test_a_letter_is_posted_as_the_precompiled_pdf_made_in_the_worker(
    notify_on, review_world, django_capture_on_commit_callbacks
):
    from links import services as links
    from links.models import Letter

    person = review_world["participants"]["person"]
    Participant.objects.filter(pk=person.pk).update(
        user=None, email="", invited_through=InvitedThrough.PAPER
    )
    review_world["person"].address = "12 Station Road\nLeeds\nLS1 4AB"
    review_world["person"].save(update_fields=["address"])
    person.refresh_from_db()
    commissioner = review_world["review"].created_by
    with django_capture_on_commit_callbacks(execute=True):
        letter = links.letter_request(
            actor=commissioner, participant=person, kind=Letter.Kind.INVITATION
        )
    letter.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        links.letter_post(actor=commissioner, letter=letter)
    (sent,) = notify_on.of_type("letter")
    with letter.file.open("rb") as handle:
        assert sent["pdf"] == handle.read()
    letter.refresh_from_db()
    assert letter.handed_over_by == links.POSTED_BY
    row = Notification.objects.get(channel="letter")
    assert row.recipient.splitlines() == [person.name, "12 Station Road", "Leeds", "LS1 4AB"]


def test_too_many_requests_waits_without_using_an_attempt(notify_on):
    row = enqueue()
    notify_on.fail_next(429)
    assert dispatch() == 0
    row.refresh_from_db()
    assert row.state == Notification.State.PENDING and row.attempts == 0
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=30)
    assert dispatch(now=row.next_attempt_at) == 1
    assert len(notify_on.sent) == 1


def test_a_server_error_is_tried_again_with_backoff(notify_on):
    row = enqueue()
    notify_on.fail_next(500)
    assert dispatch() == 0
    row.refresh_from_db()
    assert row.state == Notification.State.PENDING and row.attempts == 1
    assert "500" in row.last_error
    assert dispatch(now=row.next_attempt_at) == 1
    assert len(notify_on.sent) == 1


def test_a_bad_key_is_refused_by_notify_and_not_tried_again(notify_on, settings):
    settings.NOTIFY_API_KEY = "wrong-" + settings.NOTIFY_API_KEY[-73:-36] + "0" * 36
    row = enqueue()
    assert dispatch() == 0
    row.refresh_from_db()
    assert row.state == Notification.State.FAILED and "403" in row.last_error
    assert notify_on.refused and not notify_on.sent


def test_the_dispatcher_keeps_under_the_rate_limit(notify_on, settings):
    settings.NOTIFY_RATE_PER_MINUTE = 2
    for n in range(3):
        enqueue(key=f"notice:{n}")
    assert dispatch() == 2
    waiting = Notification.objects.get(state=Notification.State.PENDING)
    assert waiting.attempts == 0 and "rate limit" in waiting.last_error
    assert len(notify_on.sent) == 2


def test_a_delivery_receipt_marks_the_notice_delivered(client, notify_on):
    row = enqueue()
    dispatch()
    assert receipt(client, row, "delivered").status_code == 204
    row.refresh_from_db()
    assert row.delivery == Notification.Delivery.DELIVERED and row.delivery_at


def test_a_receipt_with_a_wrong_token_is_refused(client, notify_on):
    row = enqueue()
    dispatch()
    assert receipt(client, row, "delivered", token="guess").status_code == 401
    assert client.post(reverse("notify_receipt"), {}).status_code == 401
    row.refresh_from_db()
    assert row.delivery == ""


def test_receipts_are_off_until_a_token_is_set(client, settings):
    settings.NOTIFY_CALLBACK_TOKEN = ""
    assert client.post(reverse("notify_receipt"), {}).status_code == 404


def test_a_permanent_failure_tells_the_commissioner_once_and_marks_who(
    client, notify_on, texted, review_world
):
    services.notification_enqueue(
        key="text:1",
        recipient=participant_reach(texted),
        template="portal_request_answered",
        context={"link": "x"},
    )
    dispatch()
    row = Notification.objects.get(channel="text")
    assert receipt(client, row, "permanent-failure").status_code == 204
    assert receipt(client, row, "permanent-failure").status_code == 204  # delivered twice
    told = Notification.objects.filter(template="participant_unreachable")
    assert told.get().recipient == review_world["review"].created_by.email  # once
    texted.refresh_from_db()
    assert texted.unreachable_since and texted.unreachable_by == "text"
    # The review page says who, and what to check; the email named nobody.
    page = client_for(review_world["review"].created_by)
    body = page.get(reverse("reviews:review_detail", args=[texted.review_id])).content.decode()
    assert "Not reached by text message: check the number" in body
    # Recording how to reach them again clears it.
    participant_reach_set(
        actor=review_world["review"].created_by,
        participant=texted,
        invited_through=InvitedThrough.TEXT,
        phone="07700 900456",
    )
    texted.refresh_from_db()
    assert texted.unreachable_since is None


def client_for(user):
    from django.test import Client

    from tests.conftest import sign_in

    return sign_in(Client(), user)


def test_a_temporary_failure_is_sent_again_later(client, notify_on):
    row = enqueue()
    dispatch()
    first = notify_on.sent[0]["id"]
    receipt(client, row, "temporary-failure")
    row.refresh_from_db()
    assert row.state == Notification.State.PENDING and row.provider_ref == ""
    assert dispatch(now=row.next_attempt_at) == 1
    assert [m["id"] for m in notify_on.sent][0] == first and len(notify_on.sent) == 2


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_send_one_message_per_notice(notify_on, settings):
    settings.OUTBOX_BATCH_SIZE = 5
    for n in range(40):
        enqueue(key=f"notice:{n}")
    barrier = threading.Barrier(2)

    def dispatcher():
        from django.db import connection

        barrier.wait()
        try:
            while services.outbox_dispatch_due():
                pass
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    references = [m["reference"] for m in notify_on.sent]
    assert len(references) == 40 == len(set(references))
    assert Notification.objects.filter(state=Notification.State.SENT).count() == 40


def test_a_stale_token_is_refused_as_notify_refuses_it(notify_on):
    """The stand-in checks the JWT with the client library's own check: a token issued long
    ago (a clock out by minutes) is refused, as Notify refuses it."""
    import time

    import requests
    from notifications_python_client.authentication import create_jwt_token

    from tests import notify_server as stand_in

    def post_with(token):
        return requests.post(
            notify_on.base_url + "/v2/notifications/email",
            json={"email_address": "a@example.com", "template_id": stand_in.EMAIL_TEMPLATE_ID},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )

    fresh = create_jwt_token(stand_in.SECRET, stand_in.SERVICE_ID)
    assert post_with(fresh).status_code == 201
    import jwt

    stale = jwt.encode(
        {"iss": stand_in.SERVICE_ID, "iat": int(time.time()) - 600},
        stand_in.SECRET,
        algorithm="HS256",
    )
    assert post_with(stale).status_code == 403
    assert post_with(create_jwt_token("not-the-secret", stand_in.SERVICE_ID)).status_code == 403


def test_a_lost_receipt_is_asked_for_after_an_hour(notify_on):
    row = enqueue()
    dispatch()
    row.refresh_from_db()
    notify_on.set_status(row.provider_ref, "delivered")
    assert services.outbox_delivery_check() == 0  # not yet an hour
    assert services.outbox_delivery_check(now=timezone.now() + timedelta(hours=2)) == 1
    row.refresh_from_db()
    assert row.delivery == Notification.Delivery.DELIVERED


def test_a_posted_letter_received_by_the_printer_counts_as_delivered(client, notify_on):
    row = enqueue()
    dispatch()
    receipt(client, row, "received")
    row.refresh_from_db()
    assert row.delivery == Notification.Delivery.DELIVERED


def test_production_settings_refuse_notify_half_configured():
    from tests.ctr_portal.test_security import PRODUCTION, run_manage

    result = run_manage("check", **PRODUCTION, OUTBOX_TRANSPORT="notify", NOTIFY_API_KEY="k")
    assert result.returncode != 0
    assert "GOV.UK Notify is half configured: set NOTIFY_EMAIL_TEMPLATE_ID" in result.stderr
    result = run_manage("check", **PRODUCTION, NOTIFY_CALLBACK_TOKEN="t")
    assert result.returncode != 0 and "half configured" in result.stderr
