"""Portal: Celery tasks. They take ids, reload, and call one service."""

from celery import shared_task

from . import services


@shared_task
def feedback_invitations():
    services.feedback_invitations_send()
