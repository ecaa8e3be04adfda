"""The outbox against a real Celery worker on Redis and a real PostgreSQL database.

Two dispatcher tasks run at the same time in a worker with two processes; each notification
must leave exactly once. Needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both); skipped
otherwise, except under CI, where a skip would hide a broken set-up.
"""

import os

import pytest

from ctr_portal.celery import app as celery_app
from ctr_portal.models import Notification
from tests.celery_worker import HAVE_SERVICES, SKIP_REASON, running_worker, wait_for
from tests.celery_worker import emails as _emails
from tests.factories import NotificationFactory

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    # send_task always goes to the broker, which is the point here.
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]

if not HAVE_SERVICES and not os.environ.get("CI"):
    pytestmark.append(pytest.mark.skip(reason=SKIP_REASON))


@pytest.fixture(scope="module")
def worker(tmp_path_factory, django_db_setup, django_db_blocker):
    """A real worker process (prefork, two children) on its own queue, sending email to files."""
    with running_worker(tmp_path_factory, django_db_blocker) as running:
        yield running


def _run_two_dispatchers_at_once(worker):
    before = worker["log"].read_text().count("succeeded")
    for _ in range(2):
        celery_app.send_task("ctr_portal.tasks.outbox_dispatch", queue=worker["queue"])
    wait_for(
        lambda: worker["log"].read_text().count("succeeded") >= before + 2,
        60,
        "both dispatcher tasks to finish",
        worker["log"],
    )


def test_two_dispatchers_at_once_send_one_notification_exactly_once(worker):
    NotificationFactory(recipient="only.once@example.com")
    _run_two_dispatchers_at_once(worker)
    emails = [m for m in _emails(worker["mail_dir"]) if m["To"] == "only.once@example.com"]
    assert len(emails) == 1
    assert Notification.objects.get().state == "sent"


def test_two_dispatchers_at_once_share_a_batch_without_sending_twice(worker):
    NotificationFactory.create_batch(30)
    _run_two_dispatchers_at_once(worker)
    recipients = [m["To"] for m in _emails(worker["mail_dir"])]
    expected = set(Notification.objects.values_list("recipient", flat=True))
    sent = [r for r in recipients if r in expected]
    assert sorted(sent) == sorted(expected)  # each exactly once
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}
