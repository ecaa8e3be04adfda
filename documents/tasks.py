"""Documents: Celery tasks. They take ids, reload, and call one service."""

from celery import shared_task


@shared_task
def pack_reminders():
    """Beat, hourly: chase owed items and tell commissioners of passed deadlines."""
    from .services import pack_reminders_send

    return pack_reminders_send()
