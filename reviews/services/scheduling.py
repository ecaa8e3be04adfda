"""Setting the review's date and place, and its agenda."""

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ctr_portal.audit import Action, audit_record
from ctr_portal.formatting import nhs_datetime

from ..models import (
    OPEN_STATES,
    AgendaItem,
    Review,
    ReviewEvent,
    ReviewState,
)
from ..signals import review_scheduled
from .lifecycle import _transition_locked
from .timeline import review_event_record

# --- Scheduling and the agenda -------------------------------------------------------------

MODEL_AGENDA = [
    (time(9, 0), "The panel meets alone", "Plan the day and introductions"),
    (time(9, 30), "Reading time", "The panel reads the document pack"),
    (time(11, 0), "Meet the person", "In the place and way the person chooses"),
    (time(12, 0), "Meet the family", "Family carers and advocate"),
    (time(12, 45), "Lunch and reading", ""),
    (time(13, 30), "Staff and the multidisciplinary team", "Including a look at the ward or home"),
    (time(15, 0), "Panel discussion", "Key lines of enquiry completed, recommendations agreed"),
    (time(16, 15), "Feedback", "To the person, their family and the provider"),
    (time(17, 0), "Close", ""),
]


def review_schedule(
    *,
    actor,
    review: Review,
    starts_at: datetime,
    duration_minutes: int,
    venue: str = "",
    video_link: str = "",
    late_reason: str = "",
) -> Review:
    """Set the date, time and place. A date after the due date needs a reason. The model agenda
    is generated the first time. A planned or postponed review becomes scheduled."""
    errors = _schedule_errors(review, starts_at, venue, video_link, late_reason)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if locked.state not in OPEN_STATES:
            raise ValidationError("A review that has been held or has ended cannot be rescheduled")
        locked.starts_at, locked.duration_minutes = starts_at, duration_minutes
        locked.venue, locked.video_link = venue.strip(), video_link.strip()
        locked.late_reason = (
            late_reason.strip() if timezone.localdate(starts_at) > locked.due_date else ""
        )
        locked.save(
            update_fields=["starts_at", "duration_minutes", "venue", "video_link", "late_reason"]
        )
        review_event_record(
            review=locked,
            kind=ReviewEvent.Kind.SCHEDULED,
            actor=actor,
            summary=f"Set for {nhs_datetime(starts_at)}",
            reason=locked.late_reason,
        )
        if not locked.agenda.exists():
            agenda_generate(review=locked)
        if locked.state in (ReviewState.PLANNED, ReviewState.POSTPONED):
            locked = _transition_locked(locked, ReviewState.SCHEDULED, actor=actor)
        audit_record(action=Action.UPDATE, actor=actor, obj=locked)
        review_scheduled.send(sender=Review, review=locked)
    return locked


def _schedule_errors(review, starts_at, venue, video_link, late_reason) -> dict[str, str]:
    errors = {}
    if timezone.localdate(starts_at) < timezone.localdate():
        errors["starts_at"] = "The date of the review must be today or in the future"
    if not venue.strip() and not video_link.strip():
        errors["venue"] = "Enter a venue or a video link"
    if (
        not errors.get("starts_at")
        and timezone.localdate(starts_at) > review.due_date
        and not late_reason.strip()
    ):
        errors["late_reason"] = (
            f"The review is due by {review.due_date:%-d %B %Y}. Enter why it will be later"
        )
    return errors


def agenda_generate(*, review: Review) -> list[AgendaItem]:
    """The model agenda (domain.md §8), moved to start when the review does."""
    return AgendaItem.objects.bulk_create(
        AgendaItem(review=review, starts_at=t, title=title, detail=detail, position=i)
        for i, (t, title, detail) in enumerate(model_agenda(review.starts_at), start=1)
    )


def model_agenda(starts_at: datetime | None) -> list[tuple[time, str, str]]:
    """MODEL_AGENDA with every time moved by the same amount, so the first item starts with the
    review (as written when the review has no time yet, or when a move would cross midnight)."""
    if starts_at is None:
        return list(MODEL_AGENDA)
    day = date(2000, 1, 1)
    shift = datetime.combine(day, timezone.localtime(starts_at).time()) - datetime.combine(
        day, MODEL_AGENDA[0][0]
    )
    moved = [(datetime.combine(day, t) + shift, title, detail) for t, title, detail in MODEL_AGENDA]
    if any(when.date() != day for when, _, _ in moved):
        return list(MODEL_AGENDA)
    return [(when.time(), title, detail) for when, title, detail in moved]


def agenda_update(*, actor, review: Review, items: list[dict]) -> list[AgendaItem]:
    """Replace the agenda with `items` (starts_at, title, detail), in time order."""
    items = sorted((i for i in items if i.get("title")), key=lambda i: i["starts_at"])
    with transaction.atomic():
        review.agenda.all().delete()
        created = AgendaItem.objects.bulk_create(
            AgendaItem(
                review=review,
                position=n,
                starts_at=i["starts_at"],
                title=i["title"],
                detail=i.get("detail", ""),
            )
            for n, i in enumerate(items, start=1)
        )
        review_event_record(
            review=review, kind=ReviewEvent.Kind.AGENDA, actor=actor, summary="Agenda changed"
        )
        audit_record(action=Action.UPDATE, actor=actor, obj=review)
    return created
