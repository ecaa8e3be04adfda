"""A real Celery worker for the integration tests: a separate process on Redis, against the
test run's PostgreSQL database, on a queue of its own, sending email to files.

Used by tests/ctr_portal/test_celery_integration.py (the outbox) and
tests/documents/test_renditions_worker.py (LibreOffice in the worker). Needs REDIS_URL and a
PostgreSQL DATABASE_URL (CI sets both).
"""

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from email import message_from_bytes
from pathlib import Path

from django.conf import settings
from django.db import connection

HAVE_SERVICES = bool(settings.REDIS_URL) and connection.vendor == "postgresql"
SKIP_REASON = "needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both)"


def database_url():
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextmanager
def running_worker(
    tmp_path_factory, django_db_blocker, *, concurrency=2, env=None, also_default_queue=False
):
    """Start a worker (prefork) and yield {"queue", "mail_dir", "log", "pid"}; stop it afterwards.

    It takes tasks from a queue of its own (for `send_task(..., queue=...)`), and with
    `also_default_queue` from Celery's default queue too, where the code's own `.delay()` calls
    go once tasks are not run eagerly."""
    assert HAVE_SERVICES, "CI must provide REDIS_URL and PostgreSQL"
    mail_dir = tmp_path_factory.mktemp("mail")
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    queue = f"ctr-test-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        url = database_url()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ctr_portal.settings",
        "SECRET_KEY": "integration-test-key",
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        **(env or {}),
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
                f"--concurrency={concurrency}",
                "-Q",
                f"{queue},celery" if also_default_queue else queue,
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{queue}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: "ready." in log_path.read_text(), 60, "the worker to start", log_path)
        yield {"queue": queue, "mail_dir": mail_dir, "log": log_path, "pid": process.pid}
    finally:
        stop(process, timeout=20)


def stop(process, *, timeout):
    """End a service the tests started: asked politely first, then killed."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for(condition, seconds, what, log_path=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    tail = Path(log_path).read_text()[-3000:] if log_path else ""
    raise AssertionError(f"Timed out waiting for {what}.\n{tail}")


def emails(mail_dir):
    """The messages the worker's file email backend wrote."""
    messages = []
    for path in Path(mail_dir).glob("*.log"):
        # The file backend writes each message followed by a line of dashes.
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                messages.append(message_from_bytes(chunk.strip()))
    return messages
