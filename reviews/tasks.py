"""Reviews: Celery tasks. They take ids, reload, and call one service."""

from celery import shared_task

from . import services


@shared_task(name="reviews.tasks.recompute_birthdays", ignore_result=True)
def recompute_birthdays():
    """Daily: people turning 18 today move to the adult rules (the next review is a CTR)."""
    return services.reviews_recompute_for_birthdays()
