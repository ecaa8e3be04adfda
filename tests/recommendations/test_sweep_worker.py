"""The reminder sweep against a real Celery worker on Redis and a real PostgreSQL database:
exactly one email per reminder key when two sweeps run at once, and when the worker process
running a sweep is killed mid-send and the task is delivered again. Needs REDIS_URL and a
PostgreSQL DATABASE_URL (CI sets both); skipped otherwise, except under CI."""

import os
import signal
from collections import Counter
from datetime import timedelta
from pathlib import Path

import psycopg2
import pytest
from django.db import connection
from django.utils import timezone

from ctr_portal.celery import app as celery_app
from ctr_portal.models import Notification
from recommendations.models import Reminder, State
from tests.celery_worker import HAVE_SERVICES, SKIP_REASON, running_worker, wait_for
from tests.celery_worker import emails as _emails
from tests.recommendations.factories import RecommendationFactory

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]

if not HAVE_SERVICES and not os.environ.get("CI"):
    pytestmark.append(pytest.mark.skip(reason=SKIP_REASON))

SWEEP = "recommendations.tasks.reminders_sweep"
DISPATCH = "ctr_portal.tasks.outbox_dispatch"


def given_recommendations_with_reminders_due(n=30):
    """Half due in 7 days (a reminder to the owner), half 7 days overdue (the owner and the
    commissioner, who planned the review)."""
    today = timezone.localdate()
    return [
        RecommendationFactory(
            state=State.AGREED, due_date=today + timedelta(days=7 if i % 2 else -7)
        )
        for i in range(n)
    ]


def run_tasks(worker, name, times=1, *, before=None):
    log = worker["log"]
    done = log.read_text().count("succeeded") if before is None else before
    for _ in range(times):
        celery_app.send_task(name, queue=worker["queue"])
    wait_for(lambda: log.read_text().count("succeeded") >= done + times, 90, name, log)


def dispatch_everything(worker):
    """The outbox sends a batch a run: dispatch until nothing waits (two at once the first time)."""
    run_tasks(worker, DISPATCH, times=2)
    for _ in range(5):
        if not Notification.objects.filter(state="pending").exists():
            return
        run_tasks(worker, DISPATCH)


def then_each_reminder_left_exactly_once(worker):
    sent = Reminder.objects.filter(state="sent").exclude(kind="to_accept")
    assert sent.count() == 30 // 2 * 1 + 30 // 2 * 2  # one before, two when overdue
    by_id = Counter(m["X-CTR-Portal-Notification"] for m in _emails(worker["mail_dir"]))
    for reminder in sent.select_related("notification"):
        assert by_id[str(reminder.notification_id)] == 1, reminder.key
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}


@pytest.fixture
def worker(tmp_path_factory, django_db_setup, django_db_blocker):
    with running_worker(tmp_path_factory, django_db_blocker, concurrency=2) as running:
        yield running


def test_two_sweeps_at_once_send_each_reminder_exactly_once(worker):
    given_recommendations_with_reminders_due()
    run_tasks(worker, SWEEP, times=2)  # two sweeps at the same time, in two processes
    run_tasks(worker, SWEEP)  # and another, later
    dispatch_everything(worker)
    then_each_reminder_left_exactly_once(worker)


@pytest.fixture
def lone_worker(tmp_path_factory, django_db_setup, django_db_blocker):
    """One worker process, so the one running a task is the one to kill."""
    with running_worker(tmp_path_factory, django_db_blocker, concurrency=1) as running:
        yield running


def _blocking_notification_inserts():
    """Another connection holding a lock that makes the sweep wait while it writes the outbox."""
    s = connection.settings_dict
    blocker = psycopg2.connect(
        dbname=s["NAME"], user=s["USER"], host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432
    )
    with blocker.cursor() as cursor:
        cursor.execute("LOCK TABLE ctr_portal_notification IN SHARE ROW EXCLUSIVE MODE")
    return blocker


def _waiting_backends(blocker):
    with blocker.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is read once a transaction
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def _pool_children(pid):
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_a_sweep_killed_mid_send_is_retried_and_sends_each_reminder_once(lone_worker):
    given_recommendations_with_reminders_due()
    before = lone_worker["log"].read_text().count("succeeded")
    blocker = _blocking_notification_inserts()
    try:
        celery_app.send_task(SWEEP, queue=lone_worker["queue"])
        wait_for(
            lambda: _waiting_backends(blocker),
            60,
            "the sweep to be writing the outbox",
            lone_worker["log"],
        )
        (child,) = _pool_children(lone_worker["pid"])
        os.kill(child, signal.SIGKILL)  # the worker dies mid-send
        wait_for(
            lambda: "WorkerLostError" in lone_worker["log"].read_text(),
            60,
            "the worker to notice",
            lone_worker["log"],
        )
    finally:
        blocker.rollback()
        blocker.close()
    assert not Reminder.objects.filter(state="sent").exists()  # the killed batch rolled back
    # The task is delivered again (acks late, rejected on a lost worker), then beat's next sweep.
    wait_for(
        lambda: lone_worker["log"].read_text().count("succeeded") >= before + 1,
        90,
        "the sweep to run again",
        lone_worker["log"],
    )
    run_tasks(lone_worker, SWEEP)
    dispatch_everything(lone_worker)
    then_each_reminder_left_exactly_once(lone_worker)
