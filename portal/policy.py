"""The portal's timescales (ADR 0016: policy values live here, each with its source)."""

# Local choice, not NHS policy: everyone who took part in a review held this many days ago or
# fewer is asked once for feedback (a daily sweep): the report's two weeks, while the day is
# remembered; a review found later is not asked about.
FEEDBACK_WITHIN_DAYS = 14
