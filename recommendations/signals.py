"""What `recommendations` tells the rest of the app about, without importing it (ADR 0008)."""

from django.dispatch import Signal

recommendation_changed = Signal()
"""Sent inside the transaction of every change to a recommendation, after its update row is
written, with `recommendation` (as saved), `update` (the `RecommendationUpdate`) and
`previous_due_date`. The reminder planner listens: a new due date cancels the reminders not yet
sent and plans new ones; a recommendation done or overdue tells the person and family."""
