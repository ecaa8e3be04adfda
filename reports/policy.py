"""When the report is due, and when the chair is reminded (ADR 0016: policy values live here)."""

from ctr_portal.deadlines import Series
from ctr_portal.policy import LocalChoice

# NHS England policy (domain.md §3, §10): the report goes to everyone entitled within 14 days of
# the review. Marked "to confirm" against the 2023 policy, so kept a local choice an
# administrator can see and change, not a constant buried in code.
DUE_DAYS = LocalChoice(
    "reports.due_days",
    "Review report: due this many days after the review was held",
    default=14,
    source=(
        "NHS England C(E)TR policy: within 14 days of the review (to confirm against the 2023 "
        "Dynamic Support Register and C(E)TR policy)."
    ),
)
# Local choice, not NHS policy: the chair is reminded three days and one day before the report
# is due; the commissioner is told once it is late.
REMINDER_DAYS = (3, 1)

CHAIR = "chair"
COMMISSIONER = "commissioner"


def notice_series() -> tuple[Series, ...]:
    """When the report's notices go (ctr_portal.deadlines): to the chair REMINDER_DAYS days
    before it is due (the latest of those that has come, until the due day ends); to the
    commissioner once, the day after it is due, while it is not issued."""
    return (
        Series("reminder", CHAIR, days=tuple(sorted(-d for d in REMINDER_DAYS)), until=1),
        Series("late", COMMISSIONER, days=(1,)),
    )
