"""Links: Celery tasks. They take ids, reload, and call one service."""

from celery import shared_task


@shared_task
def letter_render(letter_id):
    """After a letter is asked for: render its PDF with WeasyPrint (never in a request)."""
    from .services import letter_render as render

    render(letter_id=letter_id)
