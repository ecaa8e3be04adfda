"""The review's timeline: the one way any app writes an entry on it."""

from ..models import (
    Review,
    ReviewEvent,
)


def review_event_record(
    *, review: Review, kind: str, summary: str, actor=None, reason: str = ""
) -> ReviewEvent:
    """An entry on the review's timeline: the one way any app writes one."""
    return ReviewEvent.objects.create(
        review=review, kind=kind, summary=summary, actor=actor, reason=reason.strip()
    )
