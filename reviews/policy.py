"""When a review is due: the one rule table (domain.md §3).

Every rule has a code (stored on the review, so the page can say which rule produced its date),
the words shown to people, what it counts from, how long, and where it comes from: NHS England's
2017 policy, its October 2021 update, or a product choice (a local setting, not NHS policy).
Durations with no NHS source are settings (REVIEWS_EVENT_DAYS_ADULT, _CHILD, REVIEWS_COMMUNITY_DAYS,
REVIEWS_REQUESTED_DAYS); the children's post-admission timescale is in working days
(REVIEWS_CHILD_POST_ADMISSION_WORKING_DAYS, with NHS England's interim 5 as the switch
REVIEWS_CHILD_POST_ADMISSION_INTERIM). Any rule can still be changed through
REVIEW_DUE_RULES = {"code": {"days": n} or {"months": n}}; a changed rule is a local setting.
"""

import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.conf import settings

from ctr_portal.formatting import nhs_date
from ctr_portal.working_days import working_days_after, working_days_before

from .models import ReviewKind

ADMISSION = "admission"
LAST_HELD = "last_held"
EVENT = "event"
PLANNED = "planned"
REQUESTED = "requested"

POLICY_2017 = "2017 policy"
UPDATE_2021 = "October 2021 update"
PRODUCT_CHOICE = "Product choice"

# What each clock counts from, in the rule's sentence and in the basis shown under the date.
_FROM_WORDS = {
    ADMISSION: "admission",
    EVENT: "the event",
    PLANNED: "being planned",
    REQUESTED: "the request",
}
_BASIS_WORDS = {
    ADMISSION: "admission",
    LAST_HELD: "last review held",
    EVENT: "event",
    PLANNED: "planned",
    REQUESTED: "requested",
}


@dataclass(frozen=True)
class DueRule:
    code: str
    what: str
    counts_from: str
    days: int = 0
    months: int = 0
    working_days: int = 0
    source: str = POLICY_2017
    note: str = ""

    def due_from(self, start: date) -> date:
        if self.working_days:
            return working_days_after(start, self.working_days)
        return add_months(start, self.months) + timedelta(days=self.days)

    def overdue_if_started_before(self, today: date) -> date:
        """A clock that started before this day has run out by `today`."""
        if self.working_days:
            return working_days_before(today, self.working_days)
        return add_months(today, -self.months) - timedelta(days=self.days)

    @property
    def period(self) -> str:
        if self.working_days:
            return f"{self.working_days} working days"
        if self.months:
            return f"{self.months} months"
        return f"{self.days} days"

    @property
    def description(self) -> str:
        if self.counts_from == LAST_HELD:
            text = f"{self.what}: every {self.period} from the last review held"
        else:
            text = f"{self.what}: within {self.period} of {_FROM_WORDS[self.counts_from]}"
        return f"{text}, {self.note}" if self.note else text

    @property
    def is_local_setting(self) -> bool:
        return self.source == PRODUCT_CHOICE

    @property
    def source_label(self) -> str:
        """Where the timescale comes from, as the page says it."""
        if self.is_local_setting:
            return "Local setting (product choice), not NHS policy"
        return f"NHS England {self.source}"


def _child_post_admission() -> DueRule:
    if settings.REVIEWS_CHILD_POST_ADMISSION_INTERIM:
        working_days, source = 5, UPDATE_2021
        note = "NHS England's interim measure"
    else:
        working_days = settings.REVIEWS_CHILD_POST_ADMISSION_WORKING_DAYS
        source, note = (POLICY_2017 if working_days == 10 else PRODUCT_CHOICE), ""
    return DueRule(
        "post_admission_child",
        "Post-admission review for a child or young person",
        ADMISSION,
        working_days=working_days,
        source=source,
        note=note,
    )


def _table() -> list[DueRule]:
    return [
        DueRule("post_admission_adult", "Post-admission review for an adult", ADMISSION, days=28),
        _child_post_admission(),
        DueRule(
            "repeat_adult_non_secure",
            "Repeat review for an adult in a non-secure hospital",
            LAST_HELD,
            months=6,
        ),
        DueRule(
            "repeat_adult_secure",
            "Repeat review for an adult in a secure hospital",
            LAST_HELD,
            months=12,
        ),
        DueRule(
            "repeat_child",
            "Repeat review for a child or young person in hospital",
            LAST_HELD,
            months=3,
        ),
        DueRule(
            "event_adult",
            "Event-triggered review for an adult",
            EVENT,
            days=settings.REVIEWS_EVENT_DAYS_ADULT,
            source=PRODUCT_CHOICE,
        ),
        DueRule(
            "event_child",
            "Event-triggered review for a child or young person",
            EVENT,
            days=settings.REVIEWS_EVENT_DAYS_CHILD,
            source=PRODUCT_CHOICE,
        ),
        DueRule(
            "community",
            "Community (pre-admission) review",
            PLANNED,
            days=settings.REVIEWS_COMMUNITY_DAYS,
            source=PRODUCT_CHOICE,
            note="without delaying an admission that is really needed",
        ),
        DueRule(
            "requested",
            "Requested review",
            REQUESTED,
            days=settings.REVIEWS_REQUESTED_DAYS,
            source=PRODUCT_CHOICE,
        ),
        DueRule(
            "independent",
            "Independent C(E)TR for someone in long-term segregation",
            PLANNED,
            days=settings.REVIEWS_INDEPENDENT_DAYS,
            source=PRODUCT_CHOICE,
        ),
    ]


def rules() -> dict[str, DueRule]:
    """The rule table with any overrides from settings applied."""
    overrides = getattr(settings, "REVIEW_DUE_RULES", {}) or {}
    table = {}
    for rule in _table():
        change = overrides.get(rule.code)
        table[rule.code] = replace(rule, **change, source=PRODUCT_CHOICE) if change else rule
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
        words = _BASIS_WORDS[self.rule.counts_from]
        return f"{self.rule.period} from {words} on {nhs_date(self.start)}"


def due_date_for(
    *,
    person,
    kind,
    today: date,
    last_held: date | None = None,
    event_date: date | None = None,
    clock_start: date | None = None,
) -> DueDate:
    """The due date of a review of `kind` for `person`.

    Each clock counts from its own fixed day, never from when it is re-computed: admission, the
    last review held, the event (`event_date`), or the day a community or requested review was
    planned or asked for (`clock_start`). `today` stands in only for a review being planned now.
    A repeat review with no review held yet falls back to the post-admission rule.

    Child or adult: post-admission and event reviews by the person's age when the clock starts.
    A repeat review that falls due while the person is a child stays due on that day, even once
    they turn 18 (an overdue review must not slip); the adult rule applies from the next one.
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
        start, chosen = last_held, _repeat_rule(table, person, last_held)
    elif kind == ReviewKind.EVENT_TRIGGERED:
        start = event_date or clock_start or today
        chosen = table["event_child" if child_on(start) else "event_adult"]
    elif kind == ReviewKind.REQUESTED:
        start, chosen = clock_start or today, table["requested"]
    elif kind == ReviewKind.INDEPENDENT:
        start, chosen = clock_start or today, table["independent"]
    else:
        start, chosen = clock_start or today, table["community"]
    return DueDate(chosen.due_from(start), chosen, start)


def _repeat_rule(table, person, last_held: date) -> DueRule:
    child = table["repeat_child"]
    if person.age_on(child.due_from(last_held)) < 18:
        return child
    return table["repeat_adult_secure" if person.is_secure else "repeat_adult_non_secure"]


def add_months(day: date, months: int) -> date:
    if not months:
        return day
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Notice and readiness (domain.md §3, §5): used for warnings, never to block.
NOTICE_DAYS = 14
NOT_READY_WARNING_DAYS = 14
