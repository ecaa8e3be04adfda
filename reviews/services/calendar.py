"""The review's calendar file, attached to the emails that tell people its date."""

from datetime import UTC, timedelta

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..models import (
    Review,
)

# --- The calendar file ---------------------------------------------------------------------


def review_ics(review: Review) -> str:
    """An iCalendar file for the review: no name or NHS number in it, only the type and place.

    The icalendar package writes it, escaping and folding every value, so a venue typed with a
    line break (CR or LF), `;` or `,` stays inside its LOCATION. The UID is the review's, so a
    calendar replaces the event; SEQUENCE starts at 0 for a later update to bump."""
    start = review.starts_at.astimezone(UTC)
    end = (review.ends_at or review.starts_at + timedelta(hours=8)).astimezone(UTC)
    link = settings.SITE_URL + reverse("reviews:review_detail", args=[review.pk])
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//NHS England//CTR Portal//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"review-{review.pk}@ctr-portal")
    event.add("sequence", 0)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", review.type_long)
    event.add("location", review.venue or review.video_link or "")
    event.add("description", f"Details: {link}")
    calendar.add_component(event)
    return calendar.to_ical().decode()


def ics_attachments(sender, *, notification, **kwargs):
    """The `email_attachments` receiver: the calendar file of each review the email names."""
    ids = [
        spec["review_id"]
        for spec in notification.context.get("attachments", [])
        if spec.get("builder") == "review_ics"
    ]
    return [
        ("review.ics", review_ics(review), "text/calendar")
        for review in Review.objects.filter(pk__in=ids).select_related("person")
    ]
