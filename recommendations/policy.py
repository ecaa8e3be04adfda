"""When a recommendation's progress is checked, its owner reminded and it escalated (issue 11,
ADR 0011). ADR 0016: policy values live here, each with its source.

NHS England's policy asks that every recommendation name a person and a date and that the
commissioner follow it through, escalating what is stuck to the ICS oversight panel (domain.md
§1, §10); it sets none of these intervals, so each is a local choice, and why is said by it.
"""

from ctr_portal.deadlines import Series
from ctr_portal.policy import LocalChoice

# Local choice: a recommendation due more than this many days (about three months, the interval
# of a child's repeat review) after its review needs a date to check progress before then.
PROGRESS_CHECK_AFTER_DAYS = 91
# Local choice: the owner is reminded two weeks, one week and a day before the due date (and on
# the day): time to act, then a nudge.
REMINDER_DAYS_BEFORE = (14, 7, 1)
# Local choice: once overdue, the owner is reminded weekly, and the commissioner told too from a
# week overdue (as often).
OVERDUE_EVERY_DAYS = 7
COMMISSIONER_AFTER_DAYS = 7
# Local choice: the commissioners' weekly digest of what is overdue and escalated goes on Monday
# (0; Sunday is 6), or on the first sweep after it.
DIGEST_WEEKDAY = 0
ESCALATE_AFTER_DAYS = LocalChoice(
    "recommendations.escalate_after_days",
    "Recommendations: escalated to the ICS oversight panel this many days overdue (0: only when "
    "the commissioner escalates)",
    default=28,
    source=(
        "Local choice, not NHS policy: the policy asks commissioners to escalate what is stuck "
        "but sets no time; four weeks is four weekly reminders unanswered."
    ),
    minimum=0,
)

# Local choice: the oversight panel's actions are chased as recommendations are: their owner
# reminded a week and a day before the due date and on it, then weekly once overdue, until the
# panel closes the escalation (the policy asks the panel to follow its actions; it sets no days).
ACTION_SERIES = (
    Series("action_due", "owner", (-7, -1, 0)),
    Series("action_overdue", "owner", (7,), every=7),
)

# Local choice (issue 21): when the report is issued every recommendation goes to its owner, who
# is asked to accept it (confirming it is within their remit) or dispute it within ten working
# days: two working weeks, time to check with their organisation. The reminder mechanism reminds
# from this date (`Recommendation.objects.answer_late`).
ACCEPT_WITHIN_WORKING_DAYS = 10
# Local choice: an owner who has not answered by that date is reminded the day after it and then
# every week until they answer; the commissioner is told once, three days after it, so they can
# ring the owner (the review's page lists who has not answered).
ANSWER_SERIES = (
    Series("answer_late", "owner", (1,), every=7),
    Series("answer_late_commissioner", "commissioner", (3,)),
)
