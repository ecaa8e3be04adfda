"""The review's timeline: the one way any app writes an entry on it."""

from .. import event_kinds
from ..models import Review, ReviewEvent


def review_event_record(
    *, review: Review, kind: str, summary: str, actor=None, reason: str = ""
) -> ReviewEvent:
    """An entry on the review's timeline: the one way any app writes one. `kind` must be
    registered in `reviews.event_kinds` (by the app that writes it, in its AppConfig.ready)."""
    if not event_kinds.is_registered(kind):
        raise ValueError(
            f"{kind!r} is not a registered kind of timeline entry: register it with "
            "reviews.event_kinds.register() in the app's AppConfig.ready()"
        )
    return ReviewEvent.objects.create(
        review=review, kind=kind, summary=summary, actor=actor, reason=reason.strip()
    )
