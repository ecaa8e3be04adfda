"""The one deadline-and-reminder mechanism (ADR 0017): which points are due on a day, each notice
once by its key (two sweeps at once included), and a moved deadline cancelling what is unsent."""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection, transaction

from ctr_portal import services
from ctr_portal.deadlines import (
    Point,
    Series,
    deadline_notices_send,
    due_points,
    next_point_on,
    notice_key,
    points_from,
)
from ctr_portal.models import Notification

DEADLINE = date(2026, 6, 1)
BEFORE = Series("soon", "owner", days=(-7, -3, -1), until=0)
ON_THE_DAY = Series("today", "owner", days=(0,), until=1)
LATE = Series("late", "boss", days=(7,), every=7)
ONCE_AFTER = Series("after", "family", days=(1,), until=7)
SERIES = (BEFORE, ON_THE_DAY, LATE, ONCE_AFTER)


def day(n):
    return DEADLINE + timedelta(days=n)


def test_only_the_latest_point_that_has_come_in_each_series_is_due():
    assert due_points(DEADLINE, day(-8), SERIES) == []
    assert due_points(DEADLINE, day(-5), SERIES) == [Point(day(-7), "soon", "owner")]
    assert due_points(DEADLINE, day(-1), SERIES) == [Point(day(-1), "soon", "owner")]
    assert due_points(DEADLINE, day(0), SERIES) == [Point(day(0), "today", "owner")]
    assert due_points(DEADLINE, day(3), SERIES) == [Point(day(1), "after", "family")]
    assert due_points(DEADLINE, day(16), SERIES) == [Point(day(14), "late", "boss")]


def test_the_next_day_with_something_new_and_the_points_still_to_come():
    assert [next_point_on(DEADLINE, day(n), SERIES) for n in (-20, -7, 0, 1, 8)] == [
        day(-7),
        day(-3),
        day(1),
        day(7),
        day(14),
    ]
    assert next_point_on(DEADLINE, day(2), (BEFORE, ON_THE_DAY)) is None
    assert [p.send_on for p in points_from(DEADLINE, day(-3), (BEFORE, ON_THE_DAY))] == [
        day(-3),
        day(-1),
        day(0),
    ]


def test_a_deadline_that_is_a_time_has_points_at_that_time_and_a_key_in_utc():
    due = datetime(2026, 6, 1, 17, 0, tzinfo=ZoneInfo("Europe/London"))
    series = (Series("reminder", "owers", days=(-3, 0)),)
    assert due_points(due, due - timedelta(days=3, minutes=1), series) == []
    (point,) = due_points(due, due - timedelta(days=2), series)
    assert point.send_on == due - timedelta(days=3)
    key = notice_key("pack:1:core", due, point, "A@Example.com")
    assert key == "pack:1:core:2026-06-01T16:00Z:reminder:2026-05-29T16:00Z:a@example.com"
    assert len(notice_key("s", DEADLINE, point, "x" * 300 + "@example.com")) <= 200


def send(deadline, today, subject="thing:1"):
    return deadline_notices_send(
        subject=subject,
        deadline=deadline,
        series=SERIES,
        today=today,
        build=lambda point: [
            (
                f"{point.audience}@example.com",
                "password_reset",
                {"reset_url": f"https://ctr.example/{point.kind}"},
            )
        ],
    )


@pytest.mark.django_db
def test_each_notice_is_queued_once_however_often_the_sweep_runs():
    assert send(DEADLINE, day(-5)) == 1
    send(DEADLINE, day(-5))
    send(DEADLINE, day(-4))  # the same point is still the latest
    (notice,) = Notification.objects.all()
    assert notice.idempotency_key == "thing:1:2026-06-01:soon:2026-05-25:owner@example.com"
    send(DEADLINE, day(-3))
    assert Notification.objects.count() == 2


@pytest.mark.django_db
def test_a_moved_deadline_cancels_the_unsent_notices_and_the_dispatcher_skips_them(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        send(DEADLINE, day(-7))  # sent at once
    send(DEADLINE, day(-3))  # queued, not yet sent
    send(DEADLINE, day(-3), subject="thing:12")  # another subject: untouched
    moved = DEADLINE + timedelta(days=14)
    send(moved, day(-3))  # nothing due yet for the new date
    states = dict(Notification.objects.values_list("idempotency_key", "state"))
    assert sorted(states.values()) == ["cancelled", "pending", "sent"]
    assert states["thing:12:2026-06-01:soon:2026-05-29:owner@example.com"] == "pending"

    assert services.outbox_dispatch_due() == 1  # thing:12's only
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(state="cancelled").count() == 1

    send(DEADLINE, day(-3))  # moved back: the same notice is due again, and waits again
    assert not Notification.objects.filter(state="cancelled").exists()


@pytest.fixture
def shared_database(transactional_db):
    """A database two threads share as two processes would (SQLite: a file, settings_test.py)."""
    yield


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_queue_each_notice_exactly_once(shared_database):
    barrier = threading.Barrier(2, timeout=10)
    errors = []

    def sweep():
        try:
            barrier.wait()
            for subject in range(20):
                with transaction.atomic():  # as a sweep takes each subject
                    send(DEADLINE, day(16), subject=f"thing:{subject}")
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    keys = list(Notification.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == 20 == len(set(keys))
    assert all(":late:2026-06-15:boss@example.com" in key for key in keys)
