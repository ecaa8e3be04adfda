"""Documents: Celery tasks. They take ids, reload, and call one service."""

from celery import shared_task


@shared_task
def pack_reminders():
    """Beat, hourly: chase owed items and tell commissioners of passed deadlines."""
    from .services import pack_reminders_send

    return pack_reminders_send()


@shared_task
def rendition_make(rendition_id):
    """After an office document's upload commits: make the PDF the panel reads."""
    from .services import rendition_make as make

    make(rendition_id=rendition_id)


@shared_task
def renditions_resume():
    """Beat, every five minutes: renditions whose task was lost, or that wait for LibreOffice."""
    from .services import renditions_resume as resume

    return resume()
