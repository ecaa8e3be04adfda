"""When a notice about a deadline is sent, once: the one mechanism (ADR 0017).

A subject (a pack's deadline, a report, a review's feedback, a recommendation) has a deadline, a
date or a time. Its app describes its notices as `Series`: a kind of notice to an audience, at set
days from the deadline (negative: before it), perhaps again every so many days after the last,
perhaps only until some day. On any day:

- `due_points` says which points are due: in each series only the latest that has come (so a
  sweep that missed days sends one notice, not a backlog), and none once its series has ended.
- Each notice has an outbox key made of the subject, the deadline, the point and the recipient
  (`notice_key`), so it is queued once however many sweeps run, at once or again.
- A moved deadline makes new keys; the notices queued for the old one and not yet sent are
  cancelled (`deadline_notices_cancel`), and the dispatcher never sends a cancelled notice.

`deadline_notices_send` does all three for one subject. The recommendation sweep, which handles
thousands at once, uses the parts: `due_points`, `notice_key`, `notices_queue`, and cancels when a
due date changes.
"""

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from .models import Notification
from .services import notifications_enqueue


@dataclass(frozen=True, order=True)
class Point:
    """One notice's day (a date, or a time for a deadline that is a time), kind and audience."""

    send_on: date | datetime
    kind: str
    audience: str


@dataclass(frozen=True)
class Series:
    """A kind of notice to an audience, at `days` from the deadline (negative: before it); after
    the last, again every `every` days (0: not again); due only while the day is before the
    deadline plus `until` days (None: for as long as the subject is swept)."""

    kind: str
    audience: str
    days: tuple[int, ...]
    every: int = 0
    until: int | None = None

    def latest_day(self, late) -> int | None:
        """The latest of this series' days that has come, `late` days after the deadline."""
        passed = [d for d in self.days if d <= late]
        if not passed:
            return None
        latest = max(passed)
        if self.every and latest == max(self.days):
            latest += (late - latest) // self.every * self.every
        return latest

    def next_day(self, late) -> int | None:
        """The first of this series' days after `late`, if the series is still going then."""
        later = [d for d in self.days if d > late]
        if later:
            day = min(later)
        elif self.every:
            last = max(self.days)
            day = last + ((late - last) // self.every + 1) * self.every
        else:
            return None
        return day if self.until is None or day < self.until else None


def _late(deadline, today) -> int:
    """Whole days from the deadline to today (negative before it); for times, whole days past
    the same time of day, so a point at 09:00 three days before comes at 09:00."""
    return (today - deadline) // timedelta(days=1)


def due_points(deadline, today, series: Iterable[Series]) -> list[Point]:
    """What a sweep on `today` sends for a subject with this deadline: the latest point that has
    come in each series still going. `deadline` and `today` are both dates or both times."""
    late = _late(deadline, today)
    points = []
    for s in series:
        if s.until is not None and late >= s.until:
            continue
        day = s.latest_day(late)
        if day is not None:
            points.append(Point(deadline + timedelta(days=day), s.kind, s.audience))
    return sorted(points)


def points_from(deadline, today, series: Iterable[Series]) -> list[Point]:
    """Every point still to come (today's included) of the series that do not repeat: what can
    be planned ahead and shown."""
    return sorted(
        Point(deadline + timedelta(days=d), s.kind, s.audience)
        for s in series
        if not s.every
        for d in s.days
        if deadline + timedelta(days=d) >= today and (s.until is None or d < s.until)
    )


def next_point_on(deadline, today, series: Iterable[Series]):
    """The next day after `today` on which `due_points` will have something new, or None."""
    late = _late(deadline, today)
    days = [d for d in (s.next_day(late) for s in series) if d is not None]
    return deadline + timedelta(days=min(days)) if days else None


def _stamp(value) -> str:
    """A date as YYYY-MM-DD; a time in UTC to the minute, whatever zone it was made in."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    return value.isoformat()


def notice_key(subject: str, deadline, point: Point, recipient: str) -> str:
    """`<subject>:<deadline>:<kind>:<day>:<recipient>`: the same notice always makes the same
    key, and a moved deadline a different one. Within the outbox's 200 characters (a very long
    address is hashed)."""
    head = f"{subject}:{_stamp(deadline)}:{point.kind}:{_stamp(point.send_on)}:"
    recipient = recipient.lower()
    if len(head) + len(recipient) > 200:
        recipient = hashlib.sha256(recipient.encode()).hexdigest()
    return head + recipient


@dataclass(frozen=True)
class Notice:
    """One email about a deadline to one recipient."""

    subject: str
    deadline: date | datetime
    point: Point
    recipient: str
    template: str
    context: dict

    @property
    def key(self) -> str:
        return notice_key(self.subject, self.deadline, self.point, self.recipient)


def notices_queue(notices: list[Notice]) -> dict[str, Notification]:
    """Queue each notice once by its key, in the caller's transaction. Returns {key: row}.

    A notice cancelled when its deadline moved waits again if the deadline has moved back and
    the notice is due once more."""
    rows = notifications_enqueue(
        messages=[
            {"key": n.key, "recipient": n.recipient, "template": n.template, "context": n.context}
            for n in notices
        ]
    )
    cancelled = [r.pk for r in rows.values() if r.state == Notification.State.CANCELLED]
    if cancelled:
        Notification.objects.filter(pk__in=cancelled, state=Notification.State.CANCELLED).update(
            state=Notification.State.PENDING, next_attempt_at=timezone.now()
        )
        for row in rows.values():
            if row.pk in cancelled:
                row.state = Notification.State.PENDING
        from .tasks import outbox_dispatch

        transaction.on_commit(outbox_dispatch.delay)
    return rows


def deadline_notices_cancel(*, subject: str, keep=None) -> list[int]:
    """Cancel the subject's notices queued and not yet sent, but those for the deadline `keep`
    (None: cancel them all, the subject is no longer followed). Returns the rows cancelled.
    Only waiting rows are read (the outbox's index on state), however large the outbox is."""
    stale = Notification.objects.filter(
        state=Notification.State.PENDING, idempotency_key__startswith=f"{subject}:"
    )
    if keep is not None:
        stale = stale.exclude(idempotency_key__startswith=f"{subject}:{_stamp(keep)}:")
    ids = list(stale.values_list("pk", flat=True))
    if ids:
        Notification.objects.filter(pk__in=ids, state=Notification.State.PENDING).update(
            state=Notification.State.CANCELLED
        )
    return ids


_SUBJECT = re.compile(r"^(.+?):\d{4}-\d{2}-\d{2}")


def subjects_waiting(prefix: str) -> set[str]:
    """The subjects under `prefix` (e.g. "pack:") with notices queued and not yet sent. A sweep
    looks at these as well as at the subjects it finds near their deadlines, so a deadline moved
    beyond its reach, or a subject no longer followed, still cancels them. Few rows: the outbox
    sends within a minute, and only waiting rows are read."""
    keys = Notification.objects.filter(
        state=Notification.State.PENDING, idempotency_key__startswith=prefix
    ).values_list("idempotency_key", flat=True)
    return {match[1] for match in map(_SUBJECT.match, keys) if match}


Message = tuple[str, str, dict]  # recipient, template, context


def deadline_notices_send(
    *,
    subject: str,
    deadline,
    series: Iterable[Series],
    today,
    build: Callable[[Point], list[Message]],
) -> int:
    """Send what is due `today` about one subject, once: cancel what was queued for another
    deadline and not sent, then queue each due point's messages (`build(point)` gives them:
    (recipient, template, context) each) under their keys. Returns how many it asked for."""
    deadline_notices_cancel(subject=subject, keep=deadline)
    notices = [
        Notice(subject, deadline, point, recipient, template, context)
        for point in due_points(deadline, today, series)
        for recipient, template, context in build(point)
    ]
    notices_queue(notices)
    return len(notices)
