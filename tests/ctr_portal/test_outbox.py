from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ctr_portal import services
from ctr_portal.models import Notification
from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def enqueue(key="review:1:invite", recipient="carer@example.com"):
    return services.notification_enqueue(
        key=key,
        recipient=recipient,
        template="password_reset",
        context={"display_name": "Maureen", "reset_url": "https://ctr.example/reset/abc"},
    )


def test_enqueue_is_idempotent_by_key(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = enqueue()
        second = enqueue()
    assert first.pk == second.pk and Notification.objects.count() == 1
    assert len(callbacks) == 1  # the dispatcher is started once, after commit


def test_nothing_is_sent_before_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        enqueue()
    assert mail.outbox == []
    assert Notification.objects.get().state == "pending"


def test_dispatch_sends_text_and_html_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["carer@example.com"]
    assert message.subject == "Reset your CTR Portal password"
    assert "https://ctr.example/reset/abc" in message.body and "&amp;" not in message.body
    assert message.alternatives[0][1] == "text/html" and "<a href=" in message.alternatives[0][0]
    notification = Notification.objects.get()
    assert notification.state == "sent" and notification.sent_at and notification.attempts == 1

    assert services.outbox_dispatch_due() == 0  # sent rows are never claimed again
    assert len(mail.outbox) == 1


def test_a_row_claimed_by_one_dispatcher_is_not_claimed_by_another():
    NotificationFactory.create_batch(3)
    first = services.outbox_claim()
    second = services.outbox_claim()
    assert len(first) == 3 and second == []
    assert {n.state for n in Notification.objects.all()} == {"sending"}


def test_a_failure_is_retried_with_backoff_then_marked_failed(settings, monkeypatch, time_machine):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_BACKOFF_SECONDS = 60
    time_machine.move_to("2026-11-23 09:00", tick=False)
    notification = NotificationFactory()

    def broken_send(self, fail_silently=False):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken_send)

    assert services.outbox_dispatch_due() == 0
    notification.refresh_from_db()
    assert notification.state == "pending" and notification.attempts == 1
    assert "SMTP server down" in notification.last_error
    assert notification.next_attempt_at == timezone.now() + timedelta(seconds=60)

    assert services.outbox_dispatch_due() == 0  # not due yet
    assert Notification.objects.get().attempts == 1

    time_machine.shift(timedelta(seconds=61))
    services.outbox_dispatch_due()
    notification.refresh_from_db()
    assert notification.attempts == 2
    assert notification.next_attempt_at == timezone.now() + timedelta(seconds=120)

    time_machine.shift(timedelta(seconds=121))
    services.outbox_dispatch_due()
    notification.refresh_from_db()
    assert notification.state == "failed" and notification.attempts == 3


def enqueue_secret(key="password-reset:1:abc"):
    return services.notification_enqueue(
        key=key,
        recipient="carer@example.com",
        template="password_reset",
        context={"display_name": "Maureen"},
        secret_context={"reset_url": "https://ctr.example/reset/MQ/secret-token/"},
    )


def test_a_secret_reaches_the_email_and_is_emptied_once_sent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        notification = enqueue_secret()
    assert notification.secret_context and "secret-token" not in str(notification.context)
    assert services.outbox_dispatch_due() == 1
    assert "https://ctr.example/reset/MQ/secret-token/" in mail.outbox[0].body
    notification.refresh_from_db()
    assert notification.state == "sent" and notification.secret_context == {}


def test_a_secret_is_kept_for_a_retry_and_emptied_when_the_row_fails(settings, monkeypatch):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    settings.OUTBOX_BACKOFF_SECONDS = 0
    notification = enqueue_secret()

    def broken_send(self, fail_silently=False):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken_send)
    services.outbox_dispatch_due()
    notification.refresh_from_db()
    assert notification.state == "pending" and notification.secret_context  # for the retry
    services.outbox_dispatch_due()
    notification.refresh_from_db()
    assert notification.state == "failed" and notification.secret_context == {}


def test_many_at_once_keep_their_secrets_apart_from_the_context():
    rows = services.notifications_enqueue(
        messages=[
            {
                "key": "invitation:1:abc",
                "recipient": "carer@example.com",
                "template": "password_reset",
                "context": {"display_name": "Maureen"},
                "secret_context": {"reset_url": "https://ctr.example/reset/MQ/secret-token/"},
            }
        ]
    )
    row = rows["invitation:1:abc"]
    assert row.secret_context["reset_url"].endswith("/secret-token/")
    assert "secret-token" not in str(row.context)


def test_a_row_left_sending_by_a_dead_worker_is_picked_up_again(settings, time_machine):
    time_machine.move_to("2026-11-23 09:00", tick=False)
    NotificationFactory()
    assert len(services.outbox_claim()) == 1  # then the worker dies without sending
    assert services.outbox_dispatch_due() == 0
    time_machine.shift(timedelta(seconds=settings.OUTBOX_STALE_SENDING_SECONDS + 1))
    assert services.outbox_dispatch_due() == 1
    assert Notification.objects.get().state == "sent"


def test_beat_runs_the_dispatcher_every_minute():
    from ctr_portal.celery import app

    entry = app.conf.beat_schedule["outbox-dispatch"]
    assert entry == {"task": "ctr_portal.tasks.outbox_dispatch", "schedule": 60.0}


def test_beats_schedule_is_in_the_code_and_each_entry_runs_a_task_there_is():
    from django.conf import settings

    from ctr_portal.celery import BEAT_SCHEDULE, app

    app.loader.import_default_modules()
    assert app.conf.beat_schedule is BEAT_SCHEDULE
    assert app.conf.beat_scheduler == "celery.beat:PersistentScheduler"
    assert not hasattr(settings, "CELERY_BEAT_SCHEDULE")
    assert {entry["task"] for entry in BEAT_SCHEDULE.values()} <= set(app.tasks)
    assert len(BEAT_SCHEDULE) == 9


def test_the_task_sends_what_is_due():
    from ctr_portal.tasks import outbox_dispatch

    NotificationFactory.create_batch(2)
    outbox_dispatch.delay()
    assert len(mail.outbox) == 2
