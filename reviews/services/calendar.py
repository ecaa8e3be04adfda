"""The review's calendar file, attached to the emails that tell people its date."""

from datetime import UTC, timedelta

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ctr_portal.formatting import nhs_datetime
from ctr_portal.services import notification_enqueue

from ..models import (
    Review,
)
from ..rules import invitee_sees_details

# --- The calendar file ---------------------------------------------------------------------


def review_ics(review: Review, *, cancelled: bool = False) -> str:
    """An iCalendar file for the review: no name or NHS number in it, only the type and place.

    The icalendar package writes it, escaping and folding every value, so a venue typed with a
    line break (CR or LF), `;` or `,` stays inside its LOCATION. The UID is the review's, so a
    calendar replaces the event; SEQUENCE is the review's `calendar_sequence`, bumped by every
    change, so the newer entry wins (RFC 5546: METHOD:REQUEST for an invitation or an update,
    METHOD:CANCEL with STATUS:CANCELLED when the review is cancelled)."""
    start = review.starts_at.astimezone(UTC)
    end = (review.ends_at or review.starts_at + timedelta(hours=8)).astimezone(UTC)
    link = settings.SITE_URL + reverse("reviews:review_detail", args=[review.pk])
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//NHS England//CTR Portal//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = icalendar.Event()
    event.add("uid", f"review-{review.pk}@ctr-portal")
    event.add("sequence", review.calendar_sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", review.type_long)
    event.add("location", review.venue or review.video_link or "")
    event.add("description", f"Details: {link}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical().decode()


def ics_attachments(sender, *, notification, **kwargs):
    """The `email_attachments` receiver: the calendar file of each review the email names."""
    specs = {
        spec["review_id"]: spec
        for spec in notification.context.get("attachments", [])
        if spec.get("builder") == "review_ics"
    }
    return [
        (
            "review.ics",
            review_ics(review, cancelled=bool(specs[review.pk].get("cancelled"))),
            "text/calendar",
        )
        for review in Review.objects.filter(pk__in=specs).select_related("person")
    ]


# What happened, as the notice tells it: the first date set, the arrangements changed, the
# review postponed (its date no longer holds: the calendar entry is cancelled until a new date
# is set) or cancelled.
FIRST_DATE, CHANGED, POSTPONED, CANCELLED = "first_date", "changed", "postponed", "cancelled"
REMOVES_FROM_CALENDAR = (POSTPONED, CANCELLED)


def invitees_tell(*, review: Review, change: str = CHANGED) -> int:
    """Tell every invitee a notice reaches (their way of being reached), once per change (the
    key holds the calendar SEQUENCE and the change), that the review has its first date, that
    its arrangements changed, that it is postponed or that it is cancelled, with the calendar
    entry (an update, or a cancellation) where they may see the review's details. No name or
    venue is in the notice: the review page shows them. Returns how many were told."""
    cancelled = change in REMOVES_FROM_CALENDAR
    link = settings.SITE_URL + reverse("reviews:review_detail", args=[review.pk])
    from .participants import participant_reach

    reached = [
        (participant, reach)
        for participant in review.participants.select_related("user")
        if (reach := participant_reach(participant)) is not None
    ]
    for participant, reach in reached:
        details = invitee_sees_details(participant, review)
        notification_enqueue(
            key=f"review_changed:{review.pk}:{review.calendar_sequence}:{change}:{participant.pk}",
            recipient=reach,
            template="review_changed",
            context={
                "review_type": review.type_long if details else "review",
                "cancelled": change == CANCELLED,
                "postponed": change == POSTPONED,
                "first_date": change == FIRST_DATE,
                "when": nhs_datetime(review.starts_at) if review.starts_at else "",
                "format": review.get_meeting_format_display() if details else "",
                "link": link,
                "has_account": participant.user_id is not None,
                "attachments": [
                    {"builder": "review_ics", "review_id": review.pk, "cancelled": cancelled}
                ]
                if review.starts_at and details
                else [],
            },
        )
    return len(reached)
