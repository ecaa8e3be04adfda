"""A figure the dashboard and the service measures both show has one definition (issue 21): in a
hand-counted world, each card's number is its measure's number, and both are the hand count."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from metrics import measures, periods
from reports.models import ReportVersion
from reviews.models import ReviewState
from tests.factories import UserFactory
from tests.reviews.factories import PersonFactory, ReviewFactory

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 11, 30)  # the last 12 months run from 1 December 2025


def at(day, hour=10):
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def held(person, on, issued=None):
    """A review held `on`, its report issued on `issued` (or not yet)."""
    review = ReviewFactory(
        person=person,
        state=ReviewState.REPORT_ISSUED if issued else ReviewState.REPORT_DRAFTING,
        due_date=on,
        held_on=on,
        starts_at=at(on),
    )
    if issued:
        ReportVersion.objects.create(
            review=review,
            number=1,
            html="<p>x</p>",
            easy_read_html="<p>x</p>",
            issued_by=UserFactory(),
            issued_at=at(issued),
        )
    return review


def not_held(person, due, state=ReviewState.SCHEDULED, **kw):
    return ReviewFactory(person=person, state=state, due_date=due, **kw)


@pytest.fixture
def world(organisations):
    icb, other = organisations["icb"], organisations["icb_other"]
    person = PersonFactory(responsible_commissioner=icb)  # in the community: none "missed"
    with time_machine.travel(at(TODAY, 12), tick=False):
        # Six held reviews; a report is due 14 days after the review.
        held(person, date(2026, 3, 2), issued=date(2026, 3, 10))  # on time
        held(person, date(2026, 4, 1), issued=date(2026, 4, 20))  # issued late
        held(person, date(2026, 6, 1), issued=date(2026, 7, 1))  # issued late
        held(person, date(2026, 9, 1))  # not issued, due 15 September: late
        held(person, date(2026, 11, 25))  # not issued, not due until 9 December
        held(person, date(2025, 10, 15))  # not issued, but held before the period
        held(PersonFactory(responsible_commissioner=other), date(2026, 9, 1))  # not ours
        # Reviews not held: three overdue (one due before the period), one not yet due.
        not_held(person, date(2026, 10, 1))
        not_held(person, date(2026, 11, 1), ReviewState.POSTPONED, state_reason="Ill")
        not_held(person, date(2025, 1, 10), ReviewState.PLANNED)
        not_held(person, date(2026, 12, 20))
        not_held(person, date(2026, 10, 1), ReviewState.CANCELLED, state_reason="Moved")
        not_held(PersonFactory(responsible_commissioner=other), date(2026, 10, 1))
    return icb


@pytest.fixture
def dashboard(world, client_for):
    with time_machine.travel(at(TODAY, 12), tick=False):
        response = client_for("commissioner").get(reverse("dashboard"))
    assert response.status_code == 200
    cards = {card.heading: card.context for card in response.context["cards"]}
    return cards, response.content.decode()


def measure(key, icb):
    with time_machine.travel(at(TODAY, 12), tick=False):
        return measures.figure(measures.BY_KEY[key], [icb.pk], periods.last_12_months(TODAY), TODAY)


def test_late_reports_on_the_card_are_the_measures_late_reports(world, dashboard):
    cards, page = dashboard
    late = cards["Late reports"]["late"]
    figure = measure("reports-on-time", world)
    assert (figure.met, figure.total) == (1, 4)
    assert late.count == figure.total - figure.met == 3
    assert (late.not_issued, late.issued_late) == (1, 2)
    assert [r.held_on for r in late.reviews] == [date(2026, 9, 1)]
    assert (
        "<strong>3</strong> reports late in the last 12 months: 1 still not issued, "
        "2 issued late." in page
    )


def test_overdue_reviews_on_the_card_are_the_measures_overdue_reviews(world, dashboard):
    cards, page = dashboard
    counts = cards["Your organisation's reviews"]["data"].counts
    figure = measure("reviews-overdue", world)
    assert counts["overdue_reviews"] == figure.total == 3
    assert counts["missed"] == 0 and counts["overdue"] == 3
    # The share held by their due date counts the two overdue reviews due in the period as
    # not held in time, by the same definition (and the reports' reviews, due the day held).
    on_time = measure("reviews-on-time", world)
    assert (on_time.met, on_time.total) == (5, 7)


def test_the_late_reports_card_counts_every_row_in_one_query_whatever_it_lists(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ctr_portal.dashboard import last_12_months
    from reports.queries import late_reports

    start, end = last_12_months(TODAY)
    with CaptureQueriesContext(connection) as captured:
        late = late_reports([world.pk], start=start, end=end, today=TODAY, limit=1)
    assert len(captured) == 1
    assert (late.count, late.not_issued, late.issued_late) == (3, 1, 2)
    assert [r.held_on for r in late.reviews] == [date(2026, 9, 1)]
    none = late_reports([world.pk], start=start, end=date(2026, 2, 28), today=TODAY)
    assert (none.count, none.reviews) == (0, [])
