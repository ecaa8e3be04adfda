"""Celery tasks of the shared layer."""

from celery import shared_task

from . import services


@shared_task(name="ctr_portal.tasks.outbox_dispatch", ignore_result=True)
def outbox_dispatch():
    """Send every due notification. Safe to run many at once: rows are claimed, not shared."""
    return services.outbox_dispatch_due()


@shared_task(name="ctr_portal.tasks.outbox_delivery_check", ignore_result=True)
def outbox_delivery_check():
    """Ask GOV.UK Notify about notices whose delivery receipt has not come (ADR 0020)."""
    return services.outbox_delivery_check()
