"""CTR Portal: settings, accounts and organisations, audit trail, shared UI and the outbox."""

from .celery import app as celery_app

__all__ = ["celery_app"]
