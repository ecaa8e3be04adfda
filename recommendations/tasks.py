"""Recommendations: Celery tasks. They take ids, reload, and call one service."""

from celery import shared_task


@shared_task(name="recommendations.tasks.reminders_sweep", ignore_result=True)
def reminders_sweep():
    """Beat, hourly: every reminder, escalation and weekly digest due today. Safe to run twice at
    once, and to run again after a worker dies mid-sweep (ADR 0011)."""
    from .services import recommendations_sweep

    return recommendations_sweep().sent
