"""What `recommendations` does when told something (ADR 0008): thin adapters to services."""


def follow_change(sender, *, recommendation, update, previous_due_date, **kwargs):
    """`recommendation_changed`: keep the reminders in step (re-plan, cancel, notices)."""
    from .services import reminders_follow_change

    reminders_follow_change(
        recommendation=recommendation, update=update, previous_due_date=previous_due_date
    )
