"""Setting the review's date and place, and its agenda."""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ctr_portal.audit import Action, audit_record
from ctr_portal.formatting import nhs_datetime

from ..models import (
    OPEN_STATES,
    AgendaItem,
    MeetingFormat,
    Review,
    ReviewEvent,
    ReviewState,
)
from ..signals import review_scheduled
from .calendar import CHANGED, FIRST_DATE, invitees_tell
from .lifecycle import _transition_locked
from .timeline import review_event_record

# --- Scheduling and the agenda -------------------------------------------------------------

# The model day (domain.md §8: 9am to 5pm, NHS England's indicative agenda): each part with its
# minutes in a full day. A shorter review keeps the order and shares its time out in the same
# proportions; lunch is only in a review of LUNCH_FROM_MINUTES or more (a local choice: a
# morning or afternoon review breaks for no meal).
FULL_DAY_MINUTES = 480
LUNCH_FROM_MINUTES = 300
DEFAULT_START = time(9, 0)


def _agenda_parts(meeting_format: str, is_hospital: bool, minutes: int) -> list[tuple]:
    """(minutes at full length, title, detail) for the review's format and setting. Nobody
    looks at a ward in the community, and nobody looks at anything by video."""
    by_video = meeting_format == MeetingFormat.VIDEO
    if by_video:
        look = "By video"
    elif is_hospital:
        look = "Including a look at the ward"
    else:
        look = "Including a look at the person's home, if they want that"
    parts = [
        (30, "The panel meets alone", "Plan the day and introductions"),
        (90, "Reading time", "The panel reads the document pack"),
        (
            60,
            "Meet the person",
            "By video, or the way the person chooses"
            if by_video
            else "In the place and way the person chooses",
        ),
        (45, "Meet the family", "Family carers and advocate"),
        (45, "Lunch and reading", ""),
        (90, "Staff and the multidisciplinary team", look),
        (75, "Panel discussion", "Key lines of enquiry completed, recommendations agreed"),
        (45, "Feedback", "To the person, their family and the provider"),
    ]
    if minutes < LUNCH_FROM_MINUTES:
        parts = [part for part in parts if part[1] != "Lunch and reading"]
    return parts


def model_agenda(review: Review) -> list[tuple[time, str, str]]:
    """The model agenda fitted to the review: from its start to its end (9am to 5pm while it
    has no time), for its format and setting, every time on a 5-minute mark, ending "Close"."""
    minutes = review.duration_minutes or FULL_DAY_MINUTES
    start = timezone.localtime(review.starts_at).time() if review.starts_at else DEFAULT_START
    day = date(2000, 1, 1)
    if (datetime.combine(day, start) + timedelta(minutes=minutes)).date() != day:
        start = DEFAULT_START  # a review that would run past midnight is shown from 9am
    parts = _agenda_parts(review.meeting_format, review.is_hospital_review, minutes)
    scale = minutes / sum(length for length, _, _ in parts)
    agenda, elapsed = [], 0.0
    for length, title, detail in parts:
        at = datetime.combine(day, start) + timedelta(minutes=5 * round(elapsed / 5))
        agenda.append((at.time(), title, detail))
        elapsed += length * scale
    close = datetime.combine(day, start) + timedelta(minutes=minutes)
    return [*agenda, (close.time(), "Close", "")]


def review_schedule(
    *,
    actor,
    review: Review,
    starts_at: datetime,
    duration_minutes: int,
    venue: str = "",
    video_link: str = "",
    late_reason: str = "",
    meeting_format: str = "",
    after_the_event_reason: str | None = None,
) -> Review:
    """Set the date, time, place and format. A date after the due date needs a reason; a date in
    the past is refused unless the review is being recorded after it happened
    (`after_the_event_reason`, kept on the timeline). The model agenda is fitted to the review
    (`_agenda_refit`). A planned or postponed review becomes scheduled. A change of an existing
    date, time, place or format bumps the
    calendar entry's SEQUENCE and tells every invitee once (`invitees_tell`); so does the first
    date set, and a new date for a postponed review."""
    meeting_format = meeting_format or _format_from(venue, video_link)
    errors = _schedule_errors(review, starts_at, venue, video_link, late_reason)
    errors |= _day_errors(starts_at, after_the_event_reason)
    if errors:
        raise ValidationError(errors)
    after_the_event = timezone.localdate(starts_at) < timezone.localdate()
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if locked.state not in OPEN_STATES:
            raise ValidationError("A review that has been held or has ended cannot be rescheduled")
        before = _arrangements(locked)
        was_postponed = locked.state == ReviewState.POSTPONED
        had_date = locked.starts_at is not None
        locked.starts_at, locked.duration_minutes = starts_at, duration_minutes
        locked.venue, locked.video_link = venue.strip(), video_link.strip()
        locked.meeting_format = meeting_format
        locked.late_reason = (
            late_reason.strip() if timezone.localdate(starts_at) > locked.due_date else ""
        )
        changed = had_date and _arrangements(locked) != before
        # A new date after a postponement puts the review back in calendars that cancelled it.
        locked.calendar_sequence += 1 if changed or (had_date and was_postponed) else 0
        locked.save(update_fields=[*SCHEDULE_FIELDS, "late_reason", "calendar_sequence"])
        _schedule_recorded(locked, actor, after_the_event, after_the_event_reason)
        _agenda_refit(locked, changed)
        if locked.state in (ReviewState.PLANNED, ReviewState.POSTPONED):
            locked = _transition_locked(
                locked, ReviewState.SCHEDULED, actor=actor, after_the_event=after_the_event
            )
        if (changed or not had_date or was_postponed) and not after_the_event:
            invitees_tell(review=locked, change=CHANGED if had_date else FIRST_DATE)
        audit_record(action=Action.UPDATE, actor=actor, obj=locked)
        review_scheduled.send(sender=Review, review=locked)
    return locked


# What a calendar entry holds: a change to any of them is told to the invitees.
SCHEDULE_FIELDS = ("starts_at", "duration_minutes", "venue", "video_link", "meeting_format")


def _arrangements(review) -> tuple:
    return tuple(getattr(review, field) for field in SCHEDULE_FIELDS)


def _format_from(venue: str, video_link: str) -> str:
    if venue.strip() and video_link.strip():
        return MeetingFormat.MIXED
    return MeetingFormat.VIDEO if video_link.strip() else MeetingFormat.IN_PERSON


def _schedule_recorded(review, actor, after_the_event, reason):
    if after_the_event:
        summary = f"Recorded after the event: held {nhs_datetime(review.starts_at)}"
        reason = reason or ""
    else:
        summary, reason = f"Set for {nhs_datetime(review.starts_at)}", review.late_reason
    review_event_record(
        review=review, kind=ReviewEvent.Kind.SCHEDULED, actor=actor, summary=summary, reason=reason
    )


def _schedule_errors(review, starts_at, venue, video_link, late_reason) -> dict[str, str]:
    errors = {}
    if not venue.strip() and not video_link.strip():
        errors["venue"] = "Enter a venue or a video link"
    if timezone.localdate(starts_at) > review.due_date and not late_reason.strip():
        errors["late_reason"] = (
            f"The review is due by {review.due_date:%-d %B %Y}. Enter why it will be later"
        )
    return errors


def _day_errors(starts_at, after_the_event_reason) -> dict[str, str]:
    """A past date only for a review recorded after it happened, with why. (A weekend or bank
    holiday is the schedule form's warning, `policy.unusual_day_warning`, not a refusal.)"""
    if timezone.localdate(starts_at) >= timezone.localdate():
        return {}
    if after_the_event_reason is None:
        return {"starts_at": "The date must be today or in the future"}
    if not after_the_event_reason.strip():
        return {"after_the_event_reason": "Enter why the review is recorded after it happened"}
    return {}


def agenda_generate(*, review: Review) -> list[AgendaItem]:
    """The model agenda (domain.md §8) fitted to the review's time, format and setting."""
    return AgendaItem.objects.bulk_create(
        AgendaItem(review=review, starts_at=t, title=title, detail=detail, position=i)
        for i, (t, title, detail) in enumerate(model_agenda(review), start=1)
    )


def _agenda_refit(review: Review, changed: bool) -> None:
    """Write the model agenda the first time; after a change of time, length or format, write
    it again unless someone has written the agenda by hand (their words are kept)."""
    if not review.agenda.exists():
        agenda_generate(review=review)
    elif changed and not review.events.filter(kind=ReviewEvent.Kind.AGENDA).exists():
        review.agenda.all().delete()
        agenda_generate(review=review)


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
