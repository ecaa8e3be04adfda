"""Recommendations: reads that cross relations or depend on the user; each takes the user."""

from .models import Reminder


def reminders_for(recommendation) -> list[Reminder]:
    """The reminders and notices sent for a recommendation, and those still planned, by date
    (cancelled ones left out): for `recommendations/_reminders.html`. The caller has already
    checked the user may see the recommendation. One query."""
    return list(
        recommendation.reminders.exclude(state=Reminder.State.CANCELLED).order_by(
            "send_on", "kind", "recipient_name", "pk"
        )
    )
