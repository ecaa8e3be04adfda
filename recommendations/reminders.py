"""Which reminders, and when: pure functions of a recommendation's due date and today.

The policy (issue 11; the intervals are in recommendations/policy.py): to the owner 14, 7 and 1
days before the due date and on the day; once overdue, every week to the owner and, from 7 days
overdue, to the commissioner; the person and family once, in its first week overdue; escalated
to the ICS oversight panel at 28 days overdue (a local choice). The sweep asks `due_points` each
time it runs; in each series only the latest point that has come is due, so a sweep that missed
days sends one reminder, not a backlog. `planned_points` are the owner's reminders still to come,
planned as rows ahead of time so people can see them and a new due date can cancel them.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from . import policy as values
from .models import Reminder

Kind = Reminder.Kind

OWNER = "owner"
COMMISSIONER = "commissioner"
FAMILY = "family"
PANEL = "panel"


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


@dataclass(frozen=True, order=True)
class Point:
    send_on: date
    kind: str
    audience: str


def planned_points(due_date: date, today: date, policy: Policy) -> list[Point]:
    """The owner's reminders from today on: each set number of days before, and on the day."""
    points = [Point(due_date - timedelta(days=d), Kind.DUE_SOON, OWNER) for d in policy.days_before]
    points.append(Point(due_date, Kind.DUE_TODAY, OWNER))
    return sorted(p for p in points if p.send_on >= today)


def due_points(due_date: date, today: date, policy: Policy) -> list[Point]:
    """What a sweep on `today` sends for an open recommendation due on `due_date`."""
    if today < due_date:
        passed = [
            due_date - timedelta(days=d)
            for d in policy.days_before
            if due_date - timedelta(days=d) <= today
        ]
        return [Point(max(passed), Kind.DUE_SOON, OWNER)] if passed else []
    if today == due_date:
        return [Point(due_date, Kind.DUE_TODAY, OWNER)]
    late = (today - due_date).days
    points = []
    if late < policy.overdue_every:  # told once, in its first week overdue
        points.append(Point(due_date + timedelta(days=1), Kind.FAMILY_OVERDUE, FAMILY))
    weeks = late // policy.overdue_every
    if weeks:
        sent_on = due_date + timedelta(days=weeks * policy.overdue_every)
        points.append(Point(sent_on, Kind.OVERDUE, OWNER))
    if late >= policy.commissioner_after:
        since = (late - policy.commissioner_after) // policy.overdue_every
        days = policy.commissioner_after + since * policy.overdue_every
        points.append(
            Point(due_date + timedelta(days=days), Kind.COMMISSIONER_OVERDUE, COMMISSIONER)
        )
    return sorted(points)


def is_due_for_escalation(due_date: date, today: date, policy: Policy, *, escalated: bool) -> bool:
    """Escalated by the sweep once the set time overdue has passed, once."""
    return (
        not escalated
        and policy.escalate_after > 0
        and (today - due_date).days >= policy.escalate_after
    )


def next_look_on(due_date: date, today: date, policy: Policy, *, escalated: bool) -> date:
    """The next day after `today` on which `due_points` or escalation will have something new for
    this due date: the sweep skips the recommendation until then."""
    late = (today - due_date).days
    days = [-d for d in policy.days_before] + [0, 1]
    days.append((max(late, 0) // policy.overdue_every + 1) * policy.overdue_every)
    since = max(late - policy.commissioner_after, -1) // policy.overdue_every + 1
    days.append(policy.commissioner_after + max(since, 0) * policy.overdue_every)
    if not escalated and policy.escalate_after > 0:
        days.append(policy.escalate_after)
    return due_date + timedelta(days=min(d for d in days if d > late))
