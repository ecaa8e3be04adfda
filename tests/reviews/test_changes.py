"""Changes to a review's arrangements are told (issue 21, item 5): each invitee hears once,
with a calendar entry that replaces the one they hold; a past date needs the after-the-event
route; a weekend or bank holiday is a warning to confirm; the agenda fits the review."""

from datetime import date, datetime, time, timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from ctr_portal.models import Notification
from ctr_portal.working_days import is_working_day
from reviews import services
from reviews.models import MeetingFormat, Review, ReviewEvent, ReviewState, Setting
from reviews.services.calendar import ics_attachments

pytestmark = pytest.mark.django_db


def _working_day(days_ahead: int) -> date:
    day = timezone.localdate() + timedelta(days=days_ahead)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _weekend_day() -> date:
    day = timezone.localdate() + timedelta(days=3)
    while day.weekday() != 6:
        day += timedelta(days=1)
    return day


def _at(day: date, hour=10, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _reschedule(review, actor, day, **changes):
    fields = {
        "duration_minutes": review.duration_minutes or 480,
        "venue": review.venue,
        "video_link": review.video_link,
        "late_reason": "Later than due" if day > review.due_date else "",
        **changes,
    }
    return services.review_schedule(actor=actor, review=review, starts_at=_at(day), **fields)


def _calendar(notification):
    [(name, content, mimetype)] = ics_attachments(None, notification=notification)
    assert (name, mimetype) == ("review.ics", "text/calendar")
    return icalendar.Calendar.from_ical(content)


def test_a_date_change_tells_each_invitee_once_with_a_newer_calendar_entry(
    users, review_world, django_capture_on_commit_callbacks
):
    review = review_world["review"]
    before = icalendar.Calendar.from_ical(services.review_ics(review))
    [old_event] = before.walk("VEVENT")
    invitees = set(review.participants.exclude(email="").values_list("email", flat=True))
    assert invitees

    with django_capture_on_commit_callbacks():
        changed = _reschedule(review, users["commissioner"], _working_day(20))
        # Saving the same arrangements again changes nothing and tells nobody.
        _reschedule(changed, users["commissioner"], _working_day(20))

    told = Notification.objects.filter(template="review_changed")
    assert sorted(n.recipient for n in told) == sorted(invitees)
    assert changed.calendar_sequence == old_event["SEQUENCE"] + 1
    for notification in told.exclude(context__attachments=[]):
        calendar = _calendar(notification)
        [event] = calendar.walk("VEVENT")
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(event["UID"]) == str(old_event["UID"])
        assert event["SEQUENCE"] > old_event["SEQUENCE"]
        assert event.decoded("DTSTART") == _at(_working_day(20))
    assert told.exclude(context__attachments=[]).exists()


def test_a_change_of_format_is_told_and_the_first_date_is_not_a_change(users, planned_review):
    services.review_schedule(
        actor=users["commissioner"],
        review=planned_review,
        starts_at=_at(_working_day(10)),
        duration_minutes=480,
        venue="Room 2",
    )
    assert planned_review.calendar_sequence == 0

    review = Review.objects.get(pk=planned_review.pk)
    services.review_schedule(
        actor=users["commissioner"],
        review=review,
        starts_at=review.starts_at,
        duration_minutes=480,
        venue="Room 2",
        video_link="https://meet.example.com/abc",
    )
    review.refresh_from_db()
    assert (review.meeting_format, review.calendar_sequence) == (MeetingFormat.MIXED, 1)


@pytest.fixture
def planned_review(review_world):
    from tests.reviews.factories import ReviewFactory

    return ReviewFactory(
        person=review_world["person"],
        kind="post_admission",
        due_date=timezone.localdate() + timedelta(days=30),
    )


def test_a_cancellation_sends_a_cancel_entry(users, review_world):
    review = review_world["review"]

    services.review_transition(
        actor=users["commissioner"], review=review, to=ReviewState.CANCELLED, reason="Discharged"
    )

    told = Notification.objects.filter(template="review_changed", context__cancelled=True)
    assert told.count() == review.participants.exclude(email="").count()
    calendar = _calendar(told.exclude(context__attachments=[]).first())
    [event] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["UID"] == f"review-{review.pk}@ctr-portal"
    assert event["SEQUENCE"] == 1


def _schedule_url(review):
    return reverse("reviews:review_schedule", args=[review.pk])


def _post(day, **fields):
    return {
        "date[day]": day.day,
        "date[month]": day.month,
        "date[year]": day.year,
        "start_time": "10:00",
        "duration_minutes": "480",
        "venue": "Town hall, room 4",
        "video_link": "",
        "late_reason": "",
        **fields,
    }


def test_a_past_date_is_refused_beside_the_field_and_nothing_is_saved(client_for, planned_review):
    yesterday = timezone.localdate() - timedelta(days=1)

    response = client_for("commissioner").post(_schedule_url(planned_review), _post(yesterday))

    assert response.context["form"].errors == {"date": ["The date must be today or in the future"]}
    planned_review.refresh_from_db()
    assert planned_review.starts_at is None and planned_review.state == ReviewState.PLANNED


def test_a_review_recorded_after_the_event_needs_a_reason_kept_on_the_timeline(
    client_for, planned_review
):
    held = timezone.localdate() - timedelta(days=3)
    client = client_for("commissioner")

    no_reason = client.post(
        _schedule_url(planned_review), _post(held, after_the_event="on", confirm_day="on")
    )
    saved = client.post(
        _schedule_url(planned_review),
        _post(
            held,
            after_the_event="on",
            after_the_event_reason="Held on paper while the system was down",
            confirm_day="on",
        ),
    )

    assert no_reason.context["form"].errors == {
        "after_the_event_reason": ["Enter why the review is recorded after it happened"]
    }
    assert saved.status_code == 302
    planned_review.refresh_from_db()
    assert timezone.localdate(planned_review.starts_at) == held
    event = planned_review.events.filter(kind=ReviewEvent.Kind.SCHEDULED).get()
    assert event.summary.startswith("Recorded after the event")
    assert event.reason == "Held on paper while the system was down"
    assert not Notification.objects.filter(template="review_changed").exists()


def test_a_sunday_is_a_warning_to_confirm_not_a_refusal(client_for, planned_review):
    sunday = _weekend_day()
    url = _schedule_url(planned_review)
    client = client_for("commissioner")

    warned = client.post(url, _post(sunday, late_reason="Family"))
    planned_review.refresh_from_db()
    assert planned_review.starts_at is None
    [message] = warned.context["form"].errors["confirm_day"]
    assert "is a Sunday. Are you sure the review is on that day?" in message
    assert 'name="confirm_day"' in warned.content.decode()

    confirmed = client.post(url, _post(sunday, late_reason="Family", confirm_day="on"))
    assert confirmed.status_code == 302
    planned_review.refresh_from_db()
    assert timezone.localdate(planned_review.starts_at) == sunday


def test_a_bank_holiday_names_the_holiday():
    from reviews.policy import unusual_day_warning

    assert "is a bank holiday (Christmas Day). Are you sure" in unusual_day_warning(
        date(2030, 12, 25)
    )
    assert unusual_day_warning(date(2030, 12, 23)) == ""


def _agenda(review, fmt, setting, start=time(9, 30), minutes=240):
    review.meeting_format, review.setting, review.duration_minutes = fmt, setting, minutes
    review.starts_at = _at(_working_day(10), start.hour, start.minute)
    return services.model_agenda(review)


@pytest.mark.parametrize(
    ("fmt", "setting", "look"),
    [
        (MeetingFormat.IN_PERSON, Setting.NON_SECURE, "Including a look at the ward"),
        (MeetingFormat.MIXED, Setting.MEDIUM_SECURE, "Including a look at the ward"),
        (MeetingFormat.IN_PERSON, Setting.COMMUNITY, "the person's home, if they want that"),
        (MeetingFormat.VIDEO, Setting.NON_SECURE, "By video"),
        (MeetingFormat.VIDEO, Setting.COMMUNITY, "By video"),
    ],
)
def test_the_agenda_fits_the_reviews_length_format_and_setting(review_world, fmt, setting, look):
    agenda = _agenda(review_world["review"], fmt, setting)

    assert agenda[0][0] == time(9, 30) and agenda[-1] == (time(13, 30), "Close", "")
    assert all(a[0] <= b[0] for a, b in zip(agenda, agenda[1:], strict=False))
    staff = next(detail for _, title, detail in agenda if title.startswith("Staff"))
    assert look in staff
    words = " ".join(f"{title} {detail}" for _, title, detail in agenda)
    if setting == Setting.COMMUNITY or fmt == MeetingFormat.VIDEO:
        assert "ward" not in words
    assert "Lunch" not in words  # a four-hour review breaks for no meal


def test_a_full_day_keeps_lunch_and_ends_at_its_end(review_world):
    agenda = _agenda(
        review_world["review"], MeetingFormat.IN_PERSON, Setting.NON_SECURE, time(9), 480
    )
    assert any(title == "Lunch and reading" for _, title, _ in agenda)
    assert agenda[-1][0] == time(17, 0)


def test_the_review_page_shows_the_agenda_in_12_hour_times(client_for, review_world):
    review = review_world["review"]
    review.starts_at = _at(timezone.localdate(review.starts_at), 9, 30)
    review.duration_minutes = 240
    review.save(update_fields=["starts_at", "duration_minutes"])
    services.agenda_generate(review=review)

    page = client_for("commissioner").get(reverse("reviews:review_detail", args=[review.pk]))

    assert "9:30am" in page.content.decode() and "1:30pm" in page.content.decode()


def test_the_first_date_is_told_to_those_already_invited_with_a_calendar_entry(
    users, planned_review
):
    from tests.reviews.factories import ConsentRecordFactory, ParticipantFactory

    ConsentRecordFactory(review=planned_review, recorded_by=users["commissioner"])
    invitee = ParticipantFactory(
        review=planned_review,
        role="person",
        user=None,
        email="daniel@example.com",
        name="Daniel Clarke",
        added_by=users["commissioner"],
    )
    services.review_schedule(
        actor=users["commissioner"],
        review=planned_review,
        starts_at=_at(_working_day(12)),
        duration_minutes=240,
        venue="Room 2",
    )
    [told] = Notification.objects.filter(template="review_changed")
    assert (told.recipient, told.context["first_date"]) == (invitee.email, True)
    calendar = _calendar(told)
    [event] = calendar.walk("VEVENT")
    assert (str(calendar["METHOD"]), event["SEQUENCE"]) == ("REQUEST", 0)
    assert event.decoded("DTSTART") == _at(_working_day(12))


def test_a_postponement_takes_the_review_out_of_calendars_until_a_new_date_puts_it_back(
    users, review_world
):
    review = review_world["review"]
    invitees = review.participants.exclude(email="").count()
    services.review_transition(
        actor=users["commissioner"],
        review=review,
        to=ReviewState.POSTPONED,
        reason="The person is unwell",
    )
    postponed = Notification.objects.filter(template="review_changed", context__postponed=True)
    assert postponed.count() == invitees
    calendar = _calendar(postponed.exclude(context__attachments=[]).first())
    [cancel] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "CANCEL"

    review = Review.objects.get(pk=review.pk)
    _reschedule(review, users["commissioner"], _working_day(25))
    again = Notification.objects.filter(
        template="review_changed", context__postponed=False, context__cancelled=False
    )
    assert again.count() == invitees  # each told once more: the new date
    calendar = _calendar(again.exclude(context__attachments=[]).first())
    [event] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert event["UID"] == cancel["UID"] and event["SEQUENCE"] > cancel["SEQUENCE"]
