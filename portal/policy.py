"""The portal's timescales (ADR 0016: policy values live here, each with its source)."""

from ctr_portal.deadlines import Series

# Local choice, not NHS policy: everyone who took part in a review held this many days ago or
# fewer is asked once for feedback (a daily sweep): the report's two weeks, while the day is
# remembered; a review found later is not asked about.
FEEDBACK_WITHIN_DAYS = 14


def feedback_series() -> tuple[Series, ...]:
    """When feedback is asked for (ctr_portal.deadlines): once, from the day the review is held,
    to everyone who took part, while it was held FEEDBACK_WITHIN_DAYS days ago or fewer."""
    return (Series("invitation", "took part", days=(0,), until=FEEDBACK_WITHIN_DAYS + 1),)
