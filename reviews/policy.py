"""When a review is due: the one rule table (domain.md §3).

Every rule has a code (stored on the review, so the page can say which rule produced its date),
the words shown to people, what it counts from, and how long. Values marked "to confirm" or
"product choice" are ours, not policy text; all of them can be changed in settings through
REVIEW_DUE_RULES = {"code": {"days": n} or {"months": n}} without touching this file.
"""

import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.conf import settings

from ctr_portal.formatting import nhs_date

from .models import ReviewKind

ADMISSION = "admission"
LAST_HELD = "last_held"
EVENT = "event"
PLANNED = "planned"


@dataclass(frozen=True)
class DueRule:
    code: str
    description: str
    counts_from: str
    days: int = 0
    months: int = 0
    source: str = "NHS England policy (2023)"

    def due_from(self, start: date) -> date:
        return add_months(start, self.months) + timedelta(days=self.days)

    @property
    def period(self) -> str:
        if self.months:
            return f"{self.months} months"
        return f"{self.days} days"


_RULES = [
    DueRule(
        "post_admission_adult",
        "Post-admission review for an adult: within 28 days of admission",
        ADMISSION,
        days=28,
    ),
    DueRule(
        "post_admission_child",
        "Post-admission review for a child or young person: within 14 days of admission",
        ADMISSION,
        days=14,
    ),
    DueRule(
        "repeat_adult_non_secure",
        "Repeat review for an adult in a non-secure hospital: "
        "every 6 months from the last review held",
        LAST_HELD,
        months=6,
    ),
    DueRule(
        "repeat_adult_secure",
        "Repeat review for an adult in a secure hospital: every 12 "
        "months from the last review held",
        LAST_HELD,
        months=12,
    ),
    DueRule(
        "repeat_child",
        "Repeat review for a child or young person in hospital: every 3 "
        "months from the last review held",
        LAST_HELD,
        months=3,
    ),
    DueRule(
        "event_adult",
        "Event-triggered review for an adult: within 28 days of the event",
        EVENT,
        days=28,
        source="Product choice, to confirm against the 2023 policy",
    ),
    DueRule(
        "event_child",
        "Event-triggered review for a child or young person: within 14 days of the event",
        EVENT,
        days=14,
        source="Product choice, to confirm against the 2023 policy",
    ),
    DueRule(
        "community",
        "Community (pre-admission) review: within 14 days of being planned, "
        "without delaying an admission that is really needed",
        PLANNED,
        days=14,
        source="Product choice, to confirm against the 2023 policy",
    ),
    DueRule(
        "independent",
        "Independent C(E)TR for someone in long-term segregation: within 28 days of being planned",
        PLANNED,
        days=28,
        source="Product choice, to confirm against the 2023 policy",
    ),
    DueRule(
        "requested",
        "Requested review: within 28 days of the request",
        PLANNED,
        days=28,
        source="Product choice, to confirm against the 2023 policy",
    ),
]


def rules() -> dict[str, DueRule]:
    """The rule table with any overrides from settings applied."""
    overrides = getattr(settings, "REVIEW_DUE_RULES", {}) or {}
    table = {}
    for rule in _RULES:
        change = overrides.get(rule.code)
        table[rule.code] = replace(rule, **change) if change else rule
    return table


def rule(code: str) -> DueRule:
    return rules()[code]


@dataclass(frozen=True)
class DueDate:
    date: date
    rule: DueRule
    start: date

    @property
    def basis(self) -> str:
        labels = {
            ADMISSION: "admission",
            LAST_HELD: "last review held",
            EVENT: "event",
            PLANNED: "planned",
        }
        return f"{self.rule.period} from {labels[self.rule.counts_from]} on {nhs_date(self.start)}"


def due_date_for(
    *, person, kind, today: date, last_held: date | None = None, event_date: date | None = None
) -> DueDate:
    """The due date of a review of `kind` for `person` as things stand `today`.

    A repeat review with no review held since admission falls back to the post-admission rule.
    Whether the child or adult rule applies depends on the person's age when the clock starts
    (admission, event) or today (repeat reviews), so an 18th birthday re-computes it.
    """
    table = rules()

    def child_on(day):
        return person.age_on(day) < 18

    if kind == ReviewKind.INPATIENT_REPEAT and last_held is None:
        kind = ReviewKind.POST_ADMISSION

    if kind == ReviewKind.POST_ADMISSION:
        start = person.admission_date or today
        chosen = table["post_admission_child" if child_on(start) else "post_admission_adult"]
    elif kind == ReviewKind.INPATIENT_REPEAT:
        start = last_held
        if child_on(today):
            chosen = table["repeat_child"]
        elif person.is_secure:
            chosen = table["repeat_adult_secure"]
        else:
            chosen = table["repeat_adult_non_secure"]
    elif kind == ReviewKind.EVENT_TRIGGERED:
        start = event_date or today
        chosen = table["event_child" if child_on(start) else "event_adult"]
    elif kind == ReviewKind.REQUESTED:
        start, chosen = today, table["requested"]
    elif kind == ReviewKind.INDEPENDENT:
        start, chosen = today, table["independent"]
    else:
        start, chosen = today, table["community"]
    return DueDate(chosen.due_from(start), chosen, start)


def add_months(day: date, months: int) -> date:
    if not months:
        return day
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Notice and readiness (domain.md §3, §5): used for warnings, never to block.
NOTICE_DAYS = 14
NOT_READY_WARNING_DAYS = 14
