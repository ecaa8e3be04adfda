"""Which reminders, and when: pure functions of a recommendation's due date and today, as
series of points on the one deadline mechanism (ctr_portal.deadlines, ADR 0017).

The policy (issue 11; the intervals are in recommendations/policy.py): to the owner 14, 7 and 1
days before the due date and on the day; once overdue, every week to the owner and, from 7 days
overdue, to the commissioner; the person and family once, in its first week overdue; escalated
to the ICS oversight panel at 28 days overdue (a local choice). The sweep asks `due_points` each
time it runs; in each series only the latest point that has come is due, so a sweep that missed
days sends one reminder, not a backlog. `planned_points` are the owner's reminders still to come,
planned as rows ahead of time so people can see them and a new due date can cancel them.
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ctr_portal import deadlines
from ctr_portal.deadlines import Point, Series, next_point_on, points_from

from . import policy as values
from .models import Reminder

Kind = Reminder.Kind

OWNER = "owner"
COMMISSIONER = "commissioner"
FAMILY = "family"
PANEL = "panel"
ESCALATE = "escalate"  # the escalation series: the sweep escalates, it sends no notice itself


@dataclass(frozen=True)
class Policy:
    days_before: tuple[int, ...] = values.REMINDER_DAYS_BEFORE
    overdue_every: int = values.OVERDUE_EVERY_DAYS
    commissioner_after: int = values.COMMISSIONER_AFTER_DAYS
    escalate_after: int = values.ESCALATE_AFTER_DAYS.default  # 0: never by time

    @classmethod
    def in_force(cls) -> "Policy":
        """The intervals as they stand, the local choice included."""
        return cls(
            days_before=tuple(sorted(set(values.REMINDER_DAYS_BEFORE))),
            escalate_after=values.ESCALATE_AFTER_DAYS.value(),
        )

    @property
    def horizon(self) -> int:
        """How many days ahead of its due date a recommendation can first be reminded of."""
        return max(self.days_before, default=0)

    def series(self, *, escalated: bool = True) -> tuple[Series, ...]:
        return _series(self, escalated)

    def _make_series(self, escalated: bool) -> tuple[Series, ...]:
        """The policy as series of points on the deadline mechanism (ctr_portal.deadlines):
        the owner before the due date and on it, the person and family once in its first week
        overdue, the owner and from a set time the commissioner every week overdue; and, while
        not escalated, escalation after the set time (a write, not a notice: `ESCALATE`)."""
        series = [
            *self.owner_series(),
            Series(Kind.FAMILY_OVERDUE, FAMILY, days=(1,), until=self.overdue_every),
            Series(Kind.OVERDUE, OWNER, days=(self.overdue_every,), every=self.overdue_every),
            Series(
                Kind.COMMISSIONER_OVERDUE,
                COMMISSIONER,
                days=(self.commissioner_after,),
                every=self.overdue_every,
            ),
        ]
        if not escalated and self.escalate_after > 0:
            series.append(Series(ESCALATE, PANEL, days=(self.escalate_after,)))
        return tuple(series)

    def owner_series(self) -> tuple[Series, ...]:
        before = tuple(sorted(-d for d in self.days_before))
        return (
            Series(Kind.DUE_SOON, OWNER, days=before, until=0),
            Series(Kind.DUE_TODAY, OWNER, days=(0,), until=1),
        )


@lru_cache(maxsize=16)
def _series(policy: Policy, escalated: bool) -> tuple[Series, ...]:
    """Made once per policy: the sweep asks for them for every recommendation."""
    return policy._make_series(escalated)


def planned_points(due_date: date, today: date, policy: Policy) -> list[Point]:
    """The owner's reminders from today on: each set number of days before, and on the day."""
    return points_from(due_date, today, policy.owner_series())


def due_points(due_date: date, today: date, policy: Policy) -> list[Point]:
    """What a sweep on `today` sends for an open recommendation due on `due_date`."""
    return deadlines.due_points(due_date, today, policy.series())


def is_due_for_escalation(due_date: date, today: date, policy: Policy, *, escalated: bool) -> bool:
    """Escalated by the sweep once the set time overdue has passed, once."""
    points = deadlines.due_points(due_date, today, policy.series(escalated=escalated))
    return any(p.kind == ESCALATE for p in points)


def next_look_on(due_date: date, today: date, policy: Policy, *, escalated: bool) -> date:
    """The next day after `today` on which `due_points` or escalation will have something new for
    this due date: the sweep skips the recommendation until then."""
    return next_point_on(due_date, today, policy.series(escalated=escalated))
