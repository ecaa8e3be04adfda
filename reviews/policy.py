"""When a review is due: the one rule table (domain.md §3).

Every rule has a code (stored on the review, so the page can say which rule produced its date),
the words shown to people, what it counts from, how long, and where it comes from: NHS England's
2017 *Care and Treatment Reviews: Policy and Guidance*, its October 2021 update (the interim
measure for children's commissioners), or a local choice (not NHS policy).

The NHS timescales are constants in the table. The durations with no NHS timescale, and the
children's post-admission working days (10 by the 2017 policy, NHS England's interim measure 5),
are local choices an ICB may change: declared below with their defaults and sources, seen and
set by an administrator (ctr_portal/policy.py, ADR 0016).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from ctr_portal.formatting import nhs_date
from ctr_portal.policy import LocalChoice
from ctr_portal.working_days import (
    bank_holiday_name,
    is_working_day,
    working_days_after,
    working_days_before,
)

from .models import ReviewKind

# A CTR (adult) from the 18th birthday, a C(E)TR before it (domain.md §1, §3 "turning 18").
ADULT_AGE = 18

ADMISSION = "admission"
LAST_HELD = "last_held"
EVENT = "event"
PLANNED = "planned"
REQUESTED = "requested"

POLICY_2017 = "2017 policy"
UPDATE_2021 = "October 2021 update"
PRODUCT_CHOICE = "Product choice"

# NHS England's interim measure for children's commissioners (domain.md §3): 5 working days.
CHILD_POST_ADMISSION_INTERIM_WORKING_DAYS = 5

# --- Local choices (ADR 0016) -------------------------------------------------------------
CHILD_POST_ADMISSION_WORKING_DAYS = LocalChoice(
    "reviews.child_post_admission_working_days",
    "Post-admission review for a child or young person: working days from admission",
    default=10,
    source=(
        "NHS England, Care and Treatment Reviews: Policy and Guidance (2017): 10 working days. "
        "NHS England's interim measure for children's commissioners is 5: set 5 to follow it."
    ),
    unit="working days",
)
_LOCAL = "Local choice, not NHS policy: "
EVENT_DAYS_ADULT = LocalChoice(
    "reviews.event_days_adult",
    "Event-triggered review for an adult: days from the event",
    default=28,
    source=_LOCAL + "28 days, as for an adult's post-admission review.",
)
EVENT_DAYS_CHILD = LocalChoice(
    "reviews.event_days_child",
    "Event-triggered review for a child or young person: days from the event",
    default=14,
    source=_LOCAL + "14 days, about as long as a child's post-admission review (2 weeks).",
)
COMMUNITY_DAYS = LocalChoice(
    "reviews.community_days",
    "Community (pre-admission) review: days from being planned",
    default=14,
    source=_LOCAL + "the policy sets no timescale, only that it must not delay an admission "
    "that is really needed; 14 days.",
)
REQUESTED_DAYS = LocalChoice(
    "reviews.requested_days",
    "Requested review: days from the request",
    default=28,
    source=_LOCAL + "the policy says anyone may ask, not how soon; 28 days as for an adult's "
    "post-admission review.",
)
INDEPENDENT_DAYS = LocalChoice(
    "reviews.independent_days",
    "Independent C(E)TR for someone in long-term segregation: days from being planned",
    default=28,
    source=_LOCAL + "the policy sets no timescale here; 28 days to arrange one.",
)

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
        """A clock that started before this day has run out by `today` (its due date is before
        today); one that started on it or later has not. Found through `due_from` itself, so a
        list that asks "started before" and a page that shows the due date never disagree,
        month ends and weekends included."""
        one = timedelta(days=1)
        if self.working_days:
            start = working_days_before(today, self.working_days)
        else:
            start = add_months(today, -self.months) - timedelta(days=self.days)
        while self.due_from(start) < today:
            start += one
        while self.due_from(start - one) >= today:
            start -= one
        return start

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
    working_days, note = CHILD_POST_ADMISSION_WORKING_DAYS.value(), ""
    if working_days == CHILD_POST_ADMISSION_INTERIM_WORKING_DAYS:
        source, note = UPDATE_2021, "NHS England's interim measure"
    elif working_days == CHILD_POST_ADMISSION_WORKING_DAYS.default:
        source = POLICY_2017
    else:
        source = PRODUCT_CHOICE
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
            days=EVENT_DAYS_ADULT.value(),
            source=PRODUCT_CHOICE,
        ),
        DueRule(
            "event_child",
            "Event-triggered review for a child or young person",
            EVENT,
            days=EVENT_DAYS_CHILD.value(),
            source=PRODUCT_CHOICE,
        ),
        DueRule(
            "community",
            "Community (pre-admission) review",
            PLANNED,
            days=COMMUNITY_DAYS.value(),
            source=PRODUCT_CHOICE,
            note="without delaying an admission that is really needed",
        ),
        DueRule(
            "requested",
            "Requested review",
            REQUESTED,
            days=REQUESTED_DAYS.value(),
            source=PRODUCT_CHOICE,
        ),
        DueRule(
            "independent",
            "Independent C(E)TR for someone in long-term segregation",
            PLANNED,
            days=INDEPENDENT_DAYS.value(),
            source=PRODUCT_CHOICE,
        ),
    ]


def rules() -> dict[str, DueRule]:
    """The rule table, with the local choices in force."""
    return {rule.code: rule for rule in _table()}


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
        return person.age_on(day) < ADULT_AGE

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
    if person.age_on(child.due_from(last_held)) < ADULT_AGE:
        return child
    return table["repeat_adult_secure" if person.is_secure else "repeat_adult_non_secure"]


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), or the last day of a shorter month."""
    return day + relativedelta(months=months)


# Notice and readiness (domain.md §3, §5): used for warnings, never to block.
NOTICE_DAYS = 14
NOT_READY_WARNING_DAYS = 14


# Local choice: a review on a weekend or an English bank holiday is allowed (a family may only be
# free then) but is most often a slip of the date, so the schedule form asks to confirm it.
def unusual_day_warning(day: date) -> str:
    """'Are you sure …' for a weekend or an English bank holiday; empty for a working day."""
    if is_working_day(day):
        return ""
    holiday = bank_holiday_name(day)
    what = f"a bank holiday ({holiday})" if holiday else f"a {day:%A}"
    return (
        f"{nhs_date(day)} is {what}. Are you sure the review is on that day? "
        "Tick the box to confirm"
    )
