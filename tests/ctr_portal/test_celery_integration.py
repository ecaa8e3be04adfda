"""The outbox against a real Celery worker on Redis and a real PostgreSQL database.

Two dispatcher tasks run at the same time in a worker with two processes; each notification
must leave exactly once. Needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both); skipped
otherwise, except under CI, where a skip would hide a broken set-up.
"""

import os
import subprocess
import sys
import time
import uuid
from email import message_from_bytes
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from ctr_portal.celery import app as celery_app
from ctr_portal.models import Notification
from tests.factories import NotificationFactory

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    # send_task always goes to the broker, which is the point here.
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]

HAVE_SERVICES = bool(settings.REDIS_URL) and connection.vendor == "postgresql"
if not HAVE_SERVICES and not os.environ.get("CI"):
    pytestmark.append(
        pytest.mark.skip(reason="needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both)")
    )


def _database_url():
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(scope="module")
def worker(tmp_path_factory, django_db_setup, django_db_blocker):
    """A real worker process (prefork, two children) on its own queue, sending email to files."""
    assert HAVE_SERVICES, "CI must provide REDIS_URL and PostgreSQL"
    mail_dir = tmp_path_factory.mktemp("mail")
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    queue = f"ctr-test-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        database_url = _database_url()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ctr_portal.settings",
        "SECRET_KEY": "integration-test-key",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "ctr_portal",
                "worker",
                "--pool=prefork",
                "--concurrency=2",
                "-Q",
                queue,
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{queue}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(lambda: "ready." in log_path.read_text(), 60, "the worker to start", log_path)
        yield {"queue": queue, "mail_dir": mail_dir, "log": log_path}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(condition, seconds, what, log_path=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    tail = Path(log_path).read_text()[-3000:] if log_path else ""
    raise AssertionError(f"Timed out waiting for {what}.\n{tail}")


def _emails(mail_dir):
    messages = []
    for path in Path(mail_dir).glob("*.log"):
        # The file backend writes each message followed by a line of dashes.
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                messages.append(message_from_bytes(chunk.strip()))
    return messages


def _run_two_dispatchers_at_once(worker):
    before = worker["log"].read_text().count("succeeded")
    for _ in range(2):
        celery_app.send_task("ctr_portal.tasks.outbox_dispatch", queue=worker["queue"])
    _wait_for(
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
