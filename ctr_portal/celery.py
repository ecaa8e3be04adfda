"""The Celery app. Broker and options come from Django settings (CELERY_*); what beat runs, and
when, is here, in one place in code (not a setting: it is the same in every deployment).

Beat keeps its own small state (when each entry last ran) in a file: run it where it can write
one, e.g. `celery -A ctr_portal beat --schedule var/celerybeat-schedule`.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctr_portal.settings")

BEAT_SCHEDULE = {
    # The outbox, every minute, in case the task started after a commit was lost (ADR 0003).
    "outbox-dispatch": {"task": "ctr_portal.tasks.outbox_dispatch", "schedule": 60.0},
    # Delivery receipts that never came are asked for (GOV.UK Notify only; ADR 0020).
    "outbox-delivery-check": {
        "task": "ctr_portal.tasks.outbox_delivery_check",
        "schedule": crontab(minute=40),
    },
    # People turning 18 today move to the adult rules.
    "reviews-birthdays": {
        "task": "reviews.tasks.recompute_birthdays",
        "schedule": crontab(hour=2, minute=15),
    },
    # The pack's reminders and deadlines; office documents whose conversion was lost (ADR 0009).
    "documents-reminders": {
        "task": "documents.tasks.pack_reminders",
        "schedule": crontab(minute=5),
    },
    "documents-renditions": {
        "task": "documents.tasks.renditions_resume",
        "schedule": crontab(minute="*/5"),
    },
    # Feedback invitations for reviews recently held.
    "portal-feedback-invitations": {
        "task": "portal.tasks.feedback_invitations",
        "schedule": crontab(hour=9, minute=30),
    },
    # The chair's reminders and late reports; PDFs whose rendering was lost (ADR 0012).
    "reports-deadlines": {
        "task": "reports.tasks.report_deadlines",
        "schedule": crontab(hour=7, minute=30),
    },
    "reports-pdfs": {"task": "reports.tasks.report_pdfs_resume", "schedule": crontab(minute="*/5")},
    # Recommendation reminders, escalations and the weekly digest: one hourly sweep (ADR 0011).
    "recommendations-sweep": {
        "task": "recommendations.tasks.reminders_sweep",
        "schedule": crontab(minute=20),
    },
}

app = Celery("ctr_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = BEAT_SCHEDULE
app.autodiscover_tasks()
