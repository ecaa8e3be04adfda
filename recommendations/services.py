"""Recommendations: every write, as keyword-only `<noun>_<verb>` functions that own the transaction,
the audit entry and the on-commit task.

Every change goes through `_change`: the row is locked, the move checked against `TRANSITIONS`,
an update row written (the history), an entry put on the review's timeline, the change audited and
`recommendation_changed` sent so the reminder planner can follow.
"""

import functools
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ctr_portal.audit import Action, audit_record
from ctr_portal.formatting import nhs_date
from ctr_portal.queries import notifications_queued, organisation_members, oversight_panel_for
from ctr_portal.services import notifications_enqueue
from reviews.models import ReviewEvent
from reviews.queries import notice_contacts
from reviews.services import review_event_record

from .models import (
    CLOSED_STATES,
    OPEN_STATES,
    Recommendation,
    RecommendationUpdate,
    Reminder,
    State,
)
from .reminders import (
    COMMISSIONER,
    FAMILY,
    OWNER,
    Point,
    Policy,
    due_points,
    is_due_for_escalation,
    next_look_on,
    planned_points,
)
from .signals import recommendation_changed

log = logging.getLogger(__name__)

Kind = RecommendationUpdate.Kind


class RecommendationError(Exception):
    """A change refused, with plain-English reasons keyed by field ("__all__" for the whole)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _change(
    *,
    actor,
    recommendation: Recommendation,
    kind: str,
    to: str | None = None,
    note: str = "",
    fields: dict | None = None,
    expected_state: str | None = None,
    check=None,
) -> RecommendationUpdate:
    """Apply one change under a row lock and record it; the caller may already be in a
    transaction. `fields` are set on the row; `to` is the new state (checked), if any; `check`,
    given the locked row, returns the errors that refuse the change (so two people, or two
    sweeps, acting at once cannot both win)."""
    with transaction.atomic():
        locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        if expected_state and locked.state != expected_state:
            raise RecommendationError(
                {
                    "__all__": "Someone else changed this recommendation: it is now "
                    f"{locked.get_state_display().lower()}. Check the page and try again"
                }
            )
        problems = check(locked) if check else {}
        if problems:
            raise RecommendationError(problems)
        from_state = locked.state
        if to and to != from_state and not locked.can_move_to(to):
            raise RecommendationError(
                {
                    "__all__": f"A recommendation that is {locked.get_state_display().lower()} "
                    f"cannot be {State(to).label.lower()}"
                }
            )
        previous_due_date = locked.due_date
        for name, value in (fields or {}).items():
            setattr(locked, name, value)
        now = timezone.now()
        if to:
            locked.state = to
            if to in CLOSED_STATES:
                locked.closed_at = now
        locked.updated_at = now
        locked.save()
        update = RecommendationUpdate.objects.create(
            recommendation=locked,
            kind=kind,
            actor=actor,
            occurred_at=now,
            from_state=from_state if to else "",
            to_state=to or "",
            note=note.strip(),
        )
        review_event_record(
            review=locked.review,
            kind=ReviewEvent.Kind.RECOMMENDATION,
            summary=f"Recommendation {locked.number}: {Kind(kind).label.lower()}",
            actor=actor,
            reason=note,
        )
        audit_record(action=Action.TRANSITION if to else Action.UPDATE, actor=actor, obj=locked)
        recommendation_changed.send(
            sender=Recommendation,
            recommendation=locked,
            update=update,
            previous_due_date=previous_due_date,
        )
    for name, value in vars(locked).items():
        if not name.startswith("_"):
            setattr(recommendation, name, value)
    return update


def recommendation_escalate(
    *, actor, recommendation: Recommendation, panel, reason: str
) -> RecommendationUpdate:
    """Send a stuck recommendation to the ICS C(E)TR assurance and oversight panel `panel`.
    `actor` is the commissioner who decided, or None when the sweep escalates it after the set
    time overdue. Escalating twice is refused; the state does not change (the owner still acts)."""
    reason = reason.strip()
    if not reason:
        raise RecommendationError({"reason": "Enter why this recommendation is escalated"})

    def check(locked):
        if not locked.is_open:
            return {"__all__": "Only a recommendation still being worked on can be escalated"}
        if locked.escalated_to_id:
            return {"__all__": "This recommendation has already been escalated"}
        return {}

    return _change(
        actor=actor,
        recommendation=recommendation,
        kind=Kind.ESCALATED,
        note=reason,
        check=check,
        fields={
            "escalated_to": panel,
            "escalated_at": timezone.now(),
            "escalation_reason": reason,
        },
    )


# --- Reminders --------------------------------------------------------------------------------
# Which reminders and when is decided in `reminders.py`; here they are written: planned as rows
# ahead of time, sent through the outbox under a key made from the reminder itself, cancelled
# when the due date moves or the recommendation closes. See ADR 0011.


@dataclass
class SweepResult:
    """What one sweep did (or, dry, would do): counts, and a line per notice for the operator."""

    looked_at: int = 0
    sent: int = 0
    cancelled: int = 0
    escalated: int = 0
    digests: int = 0
    lines: list[str] = field(default_factory=list)


class _DryRun(Exception):
    """Raised to roll a dry run back after it has decided everything."""


def recommendations_sweep(*, today: date | None = None, dry_run: bool = False) -> SweepResult:
    """Decide and queue every reminder, escalation and digest due `today`.

    Safe to run twice at once and to rerun after a crash: recommendations are taken in batches
    under row locks a second sweep skips, each reminder is a row unique by its key and its email
    an outbox row under the same key, and a batch commits all of that together or nothing. A
    dry run does all of it in a transaction it rolls back, so it reports exactly what a real run
    would send and changes nothing."""
    today = today or timezone.localdate()
    policy = Policy.from_settings()
    result = SweepResult()
    try:
        with transaction.atomic():
            for batch in _sweep_batches(today, policy):
                with transaction.atomic():
                    _sweep_batch(batch, today, policy, result)
            if today.weekday() == settings.RECOMMENDATIONS_DIGEST_WEEKDAY:
                _digests_send(today, result)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


SWEEP_BATCH = 1000


def _sweep_batches(today, policy):
    ids = list(
        Recommendation.objects.filter(
            Q(reminders_next_on__lte=today) | Q(reminders_next_on__isnull=True),
            state__in=OPEN_STATES,
            due_date__lte=today + timedelta(days=policy.horizon),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), SWEEP_BATCH):
        yield ids[start : start + SWEEP_BATCH]


def _sweep_batch(ids, today, policy, result) -> None:
    recommendations = list(
        Recommendation.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            Q(reminders_next_on__lte=today) | Q(reminders_next_on__isnull=True),
            pk__in=ids,
            state__in=OPEN_STATES,
        )
        .select_related("review", "review__commissioner", "owner", "escalated_to")
        .order_by("pk")
    )
    if not recommendations:
        return
    result.looked_at += len(recommendations)
    points = {r.pk: due_points(r.due_date, today, policy) for r in recommendations}
    contacts = _contacts_for(recommendations, points)
    rows = [
        reminder
        for r in recommendations
        for point in points[r.pk]
        for reminder in _reminders_for(r, point, contacts.get(r.review_id, {}))
    ]
    Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    _send_due(recommendations, points, today, result)
    for recommendation in recommendations:
        if is_due_for_escalation(
            recommendation.due_date, today, policy, escalated=bool(recommendation.escalated_to_id)
        ):
            _escalate(recommendation, today, result)
    _set_next_look(recommendations, today, policy)


def _contacts_for(recommendations, points) -> dict[int, dict]:
    """Who hears for the commissioner and, only where a family notice is due, the family."""
    wanted = {
        audience: {
            r.review_id
            for r in recommendations
            if any(p.audience == audience for p in points[r.pk])
        }
        for audience in (COMMISSIONER, FAMILY)
    }
    contacts = {}
    if wanted[FAMILY]:
        contacts.update(notice_contacts(wanted[FAMILY]))
    if wanted[COMMISSIONER] - wanted[FAMILY]:
        contacts.update(notice_contacts(wanted[COMMISSIONER] - wanted[FAMILY], family=False))
    return contacts


def _reminders_for(recommendation, point, contacts) -> list[Reminder]:
    if point.audience == OWNER:
        people = [
            (recommendation.owner_id, recommendation.owner_display, recommendation.owner_address)
        ]
    else:
        people = contacts.get(point.audience, [])
    return [
        Reminder(
            recommendation=recommendation,
            kind=point.kind,
            due_date=recommendation.due_date,
            send_on=point.send_on,
            recipient_email=email.lower(),
            recipient_name=name[:150],
            recipient_user_id=user_id,
        )
        for user_id, name, email in people
        if email
    ]


def _send_due(recommendations, points, today, result) -> None:
    """Send the planned reminders of these (locked) recommendations that are due; cancel those
    a later point has overtaken (a sweep missed the day)."""
    by_pk = {r.pk: r for r in recommendations}
    planned = Reminder.objects.select_for_update(skip_locked=True).filter(
        recommendation__in=recommendations,
        state=Reminder.State.PLANNED,
        send_on__lte=today,
        kind__in=TIMED_KINDS,
    )
    to_send, stale = [], []
    for reminder in planned:
        current = (reminder.send_on, reminder.kind)
        wanted = {(p.send_on, p.kind) for p in points[reminder.recommendation_id]}
        if reminder.due_date == by_pk[reminder.recommendation_id].due_date and current in wanted:
            reminder.recommendation = by_pk[reminder.recommendation_id]
            to_send.append(reminder)
        else:
            stale.append(reminder.pk)
    result.cancelled += Reminder.objects.filter(pk__in=stale).update(state=Reminder.State.CANCELLED)
    _deliver(to_send, today, result)


def _deliver(reminders: list[Reminder], today, result) -> None:
    """Queue each reminder's email under its own key and mark it sent, in the caller's
    transaction."""
    messages = [
        {
            "key": reminder.key,
            "recipient": reminder.recipient_email,
            "template": "recommendation_notice",
            "context": notice_context(reminder, today),
        }
        for reminder in reminders
    ]
    queued = notifications_enqueue(messages=messages)
    pairs = []
    for reminder, message in zip(reminders, messages, strict=True):
        pairs.append((reminder.pk, queued[message["key"]].pk))
        result.lines.append(
            f"{reminder.send_on} {reminder.get_kind_display()} to {reminder.recipient_email}: "
            f"{message['context']['subject']}"
        )
    _mark_sent(pairs, timezone.now())
    result.sent += len(reminders)


def _mark_sent(pairs: list[tuple[int, int]], now) -> None:
    """Mark reminders sent, each with its outbox row: one UPDATE ... FROM (VALUES ...) per 500
    (PostgreSQL and SQLite both have it; bulk_update's CASE takes seconds at the bench's size)."""
    table = connection.ops.quote_name(Reminder._meta.db_table)
    sent_at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), 500):
            chunk = pairs[start : start + 500]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET state = %s, sent_at = %s, notification_id = v.column2 "  # noqa: S608
                f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1",
                [Reminder.State.SENT.value, sent_at, *[n for pair in chunk for n in pair]],
            )


def _escalate(recommendation, today, result) -> None:
    panel = oversight_panel_for(
        recommendation.review.commissioner, default=settings.RECOMMENDATIONS_OVERSIGHT_PANEL
    )
    if panel is None:
        log.warning(
            "Recommendation %s is due for escalation but no oversight panel is set (ADR 0011)",
            recommendation.pk,
        )
        return
    days = recommendation.days_overdue(today)
    recommendation_escalate(
        actor=None,
        recommendation=recommendation,
        panel=panel,
        reason=f"Not done {days} days after its due date, {nhs_date(recommendation.due_date)}.",
    )
    result.escalated += 1
    result.lines.append(f"{today} Escalated recommendation {recommendation.pk} to {panel}")


def _set_next_look(recommendations, today, policy) -> None:
    by_day: dict[date, list[int]] = {}
    for r in recommendations:
        day = next_look_on(r.due_date, today, policy, escalated=bool(r.escalated_to_id))
        by_day.setdefault(day, []).append(r.pk)
    for day, pks in by_day.items():
        Recommendation.objects.filter(pk__in=pks).update(reminders_next_on=day)


OWNER_KINDS = (Reminder.Kind.DUE_SOON, Reminder.Kind.DUE_TODAY)
TIMED_KINDS = (
    Reminder.Kind.DUE_SOON,
    Reminder.Kind.DUE_TODAY,
    Reminder.Kind.OVERDUE,
    Reminder.Kind.COMMISSIONER_OVERDUE,
    Reminder.Kind.FAMILY_OVERDUE,
)

# Each notice in plain English: what happened, then what to do. No name of the person reviewed,
# no NHS number, no clinical detail: the action in short, the rest behind sign-in.
NOTICES = {
    Reminder.Kind.TO_ACCEPT: (
        "A recommendation for you to accept",
        "The review on {review_date} made a recommendation for you to carry out by {due}: "
        "{action}.",
        "Sign in to accept it, confirming it is within your remit, or to say why you cannot.",
    ),
    Reminder.Kind.DUE_SOON: (
        "A recommendation is due in {days_left}",
        "A recommendation from the review on {review_date} is due in {days_left}, on {due}: "
        "{action}.",
        "Sign in to post progress, or to mark it done with evidence of what was done.",
    ),
    Reminder.Kind.DUE_TODAY: (
        "A recommendation is due today",
        "A recommendation from the review on {review_date} is due today: {action}.",
        "Sign in to mark it done with evidence of what was done, or to post progress.",
    ),
    Reminder.Kind.OVERDUE: (
        "A recommendation is {days_late} overdue",
        "A recommendation from the review on {review_date} was due on {due} and is {days_late} "
        "overdue: {action}.",
        "Sign in to mark it done with evidence, or post progress to say what is holding it up.",
    ),
    Reminder.Kind.COMMISSIONER_OVERDUE: (
        "A recommendation is {days_late} overdue",
        "A recommendation from the review on {review_date} was due on {due} and is {days_late} "
        "overdue: {action}. It is with {owner}, who has been reminded.",
        "Sign in to see its history, and escalate it to the oversight panel if it is stuck.",
    ),
    Reminder.Kind.ESCALATED: (
        "A recommendation has been escalated to the oversight panel",
        "A recommendation from the review on {review_date}, due on {due}, has been escalated to "
        "{panel}: {action}.",
        "Sign in to see why it was escalated and what has happened so far.",
    ),
    Reminder.Kind.FAMILY_OVERDUE: (
        "A recommendation from the review is overdue",
        "A recommendation from the review on {review_date} was due on {due} and is not done "
        "yet: {action}. The person responsible for it has been reminded.",
        "Sign in to see how it is going.",
    ),
    Reminder.Kind.FAMILY_DONE: (
        "A recommendation from the review is done",
        "A recommendation from the review on {review_date} has been done: {action}.",
        "Sign in to see what was done.",
    ),
}


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def _short_action(text: str, limit: int = 100) -> str:
    """The action's first line, cut at a word within `limit` characters, first letter lowered
    (unless it starts an abbreviation such as "NHS")."""
    line = text.strip().splitlines()[0].strip().rstrip(".") if text.strip() else ""
    if len(line) > limit:
        line = line[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    if len(line) > 1 and line[0].isupper() and not line[1].isupper():
        line = line[0].lower() + line[1:]
    return line


def _review_date(review) -> str:
    if review.held_on:
        return nhs_date(review.held_on)
    return nhs_date(review.starts_at) if review.starts_at else "(date not set)"


def recommendation_link(recommendation) -> str:
    """Where a notice's reader goes after signing in: the recommendation's page."""
    return _page_link(
        "recommendations:detail",
        "reviews:review_detail",
        args=[recommendation.pk],
        fallback_args=[recommendation.review_id],
    )


def _page_link(name, fallback, *, args=(), fallback_args=()) -> str:
    """The page `name`, or `fallback` while that page is not there yet (the recommendation pages
    come with the lifecycle pages, on their own branch)."""
    if _has_page(name, len(args)):
        return settings.SITE_URL + reverse(name, args=args)
    return settings.SITE_URL + reverse(fallback, args=fallback_args)


@functools.cache
def _has_page(name, arity) -> bool:
    try:
        reverse(name, args=[1] * arity)
    except NoReverseMatch:
        return False
    return True


def notice_context(reminder, today: date) -> dict:
    """The email's words for one reminder, as JSON for the outbox."""
    recommendation = reminder.recommendation
    values = {
        "review_date": _review_date(recommendation.review),
        "due": nhs_date(reminder.due_date),
        "days_left": _days((reminder.due_date - today).days),
        "days_late": _days((today - reminder.due_date).days),
        "action": _short_action(recommendation.action),
        "owner": recommendation.owner_display,
        "panel": str(recommendation.escalated_to) if recommendation.escalated_to_id else "",
    }
    subject, what, todo = NOTICES[reminder.kind]
    return {
        "subject": subject.format(**values),
        "name": reminder.recipient_name,
        "paragraphs": [what.format(**values), todo],
        "link": recommendation_link(recommendation),
        "recommendation_id": recommendation.pk,
    }


def reminders_follow_change(*, recommendation, update, previous_due_date) -> None:
    """Keep the reminders in step with a change, in its transaction (`recommendation_changed`):
    a new due date or a closed recommendation cancels what is not yet sent; an open one has its
    owner's reminders planned; the owner is asked to accept, the oversight panel told of an
    escalation, the person and family told it is done."""
    today = timezone.localdate()
    kind = update.kind
    if not recommendation.is_open or recommendation.due_date != previous_due_date:
        stale = Reminder.objects.filter(recommendation=recommendation, state=Reminder.State.PLANNED)
        if recommendation.is_open:
            stale = stale.exclude(due_date=recommendation.due_date)
        stale.update(state=Reminder.State.CANCELLED)
        Recommendation.objects.filter(pk=recommendation.pk).update(reminders_next_on=None)
    if recommendation.is_open:
        Reminder.objects.filter(
            recommendation=recommendation, state=Reminder.State.PLANNED, kind__in=OWNER_KINDS
        ).exclude(recipient_email=(recommendation.owner_address or "").lower()).update(
            state=Reminder.State.CANCELLED
        )  # a new owner: the old one's reminders go
        reminders_plan(recommendation=recommendation, today=today)
    if kind == RecommendationUpdate.Kind.SENT:
        _notify_now(recommendation, Reminder.Kind.TO_ACCEPT, [_owner_contact(recommendation)])
    elif kind == RecommendationUpdate.Kind.ESCALATED:
        members = organisation_members(recommendation.escalated_to_id)
        people = [(m.user_id, m.user.display_name, m.user.email) for m in members]
        _notify_now(recommendation, Reminder.Kind.ESCALATED, people)
    elif kind == RecommendationUpdate.Kind.DONE:
        family = notice_contacts([recommendation.review_id]).get(recommendation.review_id, {})
        _notify_now(recommendation, Reminder.Kind.FAMILY_DONE, family.get(FAMILY, []))


def _owner_contact(recommendation):
    return (recommendation.owner_id, recommendation.owner_display, recommendation.owner_address)


def reminders_plan(*, recommendation, today: date) -> int:
    """Plan the owner's reminders still to come for the current due date (again: a reminder
    cancelled when the date moved comes back if the date moves back). Returns how many are
    planned."""
    points = planned_points(recommendation.due_date, today, Policy.from_settings())
    owner = _owner_contact(recommendation)
    rows = [r for p in points for r in _reminders_for(recommendation, p, {}) if owner[2]]
    if not rows:
        return 0
    Reminder.objects.filter(
        recommendation=recommendation,
        due_date=recommendation.due_date,
        recipient_email=owner[2].lower(),
        state=Reminder.State.CANCELLED,
        send_on__in=[p.send_on for p in points],
        kind__in=[p.kind for p in points],
    ).update(state=Reminder.State.PLANNED)
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _notify_now(recommendation, kind: str, people) -> None:
    """A notice caused by a change: its reminder row and its email, once per key, now."""
    today = timezone.localdate()
    reminder_point = Point(today, kind, "")
    rows = _reminders_for(recommendation, reminder_point, {"": people})
    if not rows:
        return
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    planned = list(
        Reminder.objects.filter(
            recommendation=recommendation,
            kind=kind,
            send_on=today,
            due_date=recommendation.due_date,
            state=Reminder.State.PLANNED,
        )
    )
    for reminder in planned:
        reminder.recommendation = recommendation
    _deliver(planned, today, SweepResult())


def _digests_send(today: date, result) -> None:
    """Each commissioner's weekly list of what is overdue or escalated, once per ISO week."""
    rows = list(
        Recommendation.objects.filter(state__in=OPEN_STATES)
        .filter(Q(due_date__lt=today) | Q(escalated_to__isnull=False))
        .select_related("review")
        .order_by("due_date", "pk")
    )
    contacts = notice_contacts({r.review_id for r in rows}, family=False)
    per_person: dict[str, tuple[str, list]] = {}
    for r in rows:
        for _user_id, name, email in contacts.get(r.review_id, {}).get(COMMISSIONER, []):
            per_person.setdefault(email.lower(), (name, []))[1].append(r)
    year, week, _ = today.isocalendar()
    prefix = f"rec-digest:{year}-W{week:02d}:"
    if notifications_queued(prefix):
        return  # this week's digests went in one transaction, all together
    messages = [
        {
            "key": f"{prefix}{email}"[:200],
            "recipient": email,
            "template": "recommendation_digest",
            "context": _digest_context(name, items, today),
        }
        for email, (name, items) in sorted(per_person.items())
    ]
    for start in range(0, len(messages), 1000):
        notifications_enqueue(messages=messages[start : start + 1000])
    result.digests += len(messages)
    result.lines += [f"{today} Weekly digest to {m['recipient']}" for m in messages]


DIGEST_ITEMS = 30


def _digest_context(name, items, today) -> dict:
    overdue = [r for r in items if r.due_date < today]
    escalated = [r for r in items if r.escalated_to_id]
    lines = [
        f"Review on {_review_date(r.review)}, recommendation {r.number}: "
        f"{_short_action(r.action, 80)} (due {nhs_date(r.due_date)}"
        f"{', ' + _days((today - r.due_date).days) + ' overdue' if r.due_date < today else ''}"
        f"{', escalated' if r.escalated_to_id else ''})"
        for r in items[:DIGEST_ITEMS]
    ]
    return {
        "subject": f"Recommendations overdue or escalated: {len(overdue)} overdue, "
        f"{len(escalated)} escalated",
        "name": name,
        "overdue": len(overdue),
        "escalated": len(escalated),
        "items": lines,
        "more": max(0, len(items) - DIGEST_ITEMS),
        "link": _page_link("recommendations:tracker", "dashboard"),
    }
