"""The service measures against a hand-counted world (ADR 0014): each figure, and the rows its
drill-down lists, numerator and denominator, from the same query."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrics import measures, periods
from oversight.models import OversightVisit
from portal.models import Feedback
from recommendations.models import State
from reports.models import ReportVersion
from reviews.models import ParticipantRole, ReviewKind, ReviewState
from tests.documents.factories import DocumentPackFactory, PackItemFactory
from tests.factories import UserFactory
from tests.recommendations.factories import RecommendationFactory
from tests.reviews.factories import ParticipantFactory, PersonFactory, ReviewFactory

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 11, 30)

# What a person counts by hand in `world` (numerator, denominator) over the last 12 months.
EXPECTED = {
    "reviews-on-time": (2, 4),
    "post-admission": (1, 2),
    "reviews-overdue": (0, 1),
    "packs-complete": (1, 2),
    "reports-on-time": (1, 3),
    "recommendations-on-time": (1, 4),
    "recommendations-overdue": (0, 2),
    "recommendations-escalated": (0, 1),
    "families-involved": (2, 3),
    "feedback-involved": (2, 3),
    "feedback-clear": (2, 3),
    "visits-on-time": (2, 3),
}


def at(day, hour=10):
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def held(person, due, on, rule="repeat_adult_non_secure", **kw):
    kw.setdefault("state", ReviewState.HELD if on else ReviewState.SCHEDULED)
    return ReviewFactory(
        person=person,
        kind=ReviewKind.POST_ADMISSION if rule.startswith("post") else ReviewKind.INPATIENT_REPEAT,
        due_date=due,
        due_rule=rule,
        held_on=on,
        **kw,
    )


def build(icb, other_icb):
    """One batch of the world; called again to check the query counts do not grow."""
    adult = PersonFactory(responsible_commissioner=icb, in_hospital=True)
    adult.admission_date = date(2026, 1, 1)
    adult.save()
    child = PersonFactory(
        responsible_commissioner=icb, in_hospital=True, date_of_birth=date(2012, 1, 1)
    )
    child.admission_date = date(2026, 3, 1)
    child.save()
    r1 = held(
        adult,
        date(2026, 3, 10),
        date(2026, 3, 8),
        "post_admission_adult",
        starts_at=at(date(2026, 3, 8)),
    )
    r2 = held(
        child,
        date(2026, 4, 10),
        date(2026, 4, 20),
        "post_admission_child",
        starts_at=at(date(2026, 4, 20)),
    )
    r3 = held(adult, date(2026, 5, 10), date(2026, 5, 10))
    held(adult, date(2026, 6, 10), None)  # not held, past due: late
    held(adult, date(2026, 12, 20), None)  # not yet due: not counted
    held(adult, date(2026, 2, 1), None, state_reason="Moved", state=ReviewState.CANCELLED)
    held(adult, date(2024, 1, 10), date(2024, 1, 9))  # before the period
    held(PersonFactory(responsible_commissioner=other_icb), date(2026, 3, 1), date(2026, 3, 1))

    # Packs: r1's core item settled two days before; r2's the evening before (late).
    PackItemFactory(
        pack=DocumentPackFactory(review=r1),
        core=True,
        status="provided",
        settled_at=at(date(2026, 3, 6)),
    )
    PackItemFactory(
        pack=DocumentPackFactory(review=r2),
        core=True,
        status="provided",
        settled_at=at(date(2026, 4, 19), 23),
    )
    # Reports: r1 in 12 days, r2 in 20, r3 none yet (past due).
    issuer = UserFactory()
    for review, day in ((r1, date(2026, 3, 20)), (r2, date(2026, 5, 10))):
        ReportVersion.objects.create(
            review=review,
            number=1,
            html="<p>x</p>",
            easy_read_html="<p>x</p>",
            issued_by=issuer,
            issued_at=at(day),
        )
    # Families: r1 a family carer, r3 an advocate, r2 neither.
    ParticipantFactory(review=r1, role=ParticipantRole.FAMILY_CARER)
    ParticipantFactory(review=r3, role=ParticipantRole.ADVOCATE)
    ParticipantFactory(review=r2, role=ParticipantRole.CLINICAL_EXPERT)
    # Feedback (involved, clear): 2 of 3 "Mostly" or better on each.
    for review, involved, clear in ((r1, 4, 2), (r2, 1, 3), (r3, 3, 3)):
        Feedback.objects.create(
            review=review, given_by=UserFactory(), group="family", involved=involved, clear=clear
        )
    _recommendations(r1)
    _visits(adult, child)


def _recommendations(review):
    def rec(due, state, closed=None, **kw):
        return RecommendationFactory(
            review=review, due_date=due, state=state, closed_at=closed and at(closed), **kw
        )

    rec(date(2026, 6, 1), State.DONE, date(2026, 5, 30))  # on time
    rec(date(2026, 7, 1), State.DONE, date(2026, 7, 5))  # late
    rec(date(2026, 8, 1), State.IN_PROGRESS)  # overdue
    rec(date(2027, 1, 10), State.AGREED)  # not yet due
    rec(None, State.DRAFT)  # a draft: never counted
    rec(
        date(2026, 9, 1),
        State.IN_PROGRESS,
        escalated_to=review.commissioner.oversight_panel,
        escalated_at=at(date(2026, 10, 1)),
    )  # overdue and escalated


def _visits(adult, child):
    user = UserFactory()
    for person, day in (
        (adult, date(2026, 2, 20)),
        (adult, date(2026, 5, 1)),
        (child, date(2026, 4, 5)),
    ):
        OversightVisit.objects.create(
            person=person, visited_on=day, visited_by="A", found="B", actions="C", recorded_by=user
        )
    nowhere = PersonFactory(
        responsible_commissioner=adult.responsible_commissioner, in_hospital=True
    )
    nowhere.admission_date = None
    nowhere.save()
    OversightVisit.objects.create(
        person=nowhere,
        visited_on=date(2026, 6, 1),
        visited_by="A",
        found="B",
        actions="C",
        recorded_by=user,
    )


@pytest.fixture
def world(organisations):
    icb = organisations["icb"]
    icb.oversight_panel = organisations["oversight_panel"]
    icb.save()
    with time_machine.travel(at(TODAY, 12), tick=False):
        build(icb, organisations["icb_other"])
    return icb


@pytest.fixture
def today():
    with time_machine.travel(at(TODAY, 12), tick=False):
        yield TODAY


@pytest.mark.parametrize("key", list(EXPECTED))
def test_each_figure_is_the_hand_count_and_its_rows(world, today, key):
    measure, period = measures.BY_KEY[key], periods.last_12_months(today)
    figure = measures.figure(measure, [world.pk], period, today)
    rows = list(measures.rows(measure, [world.pk], period, today))
    met, total = EXPECTED[key]
    assert figure.total == len(rows) == total
    if not measure.snapshot:
        assert figure.met == sum(1 for r in rows if r.met) == met


@pytest.mark.parametrize("key", list(EXPECTED))
def test_the_drill_down_page_lists_the_rows_of_its_figure(world, today, client_for, key):
    client = client_for("commissioner")
    page = client.get(reverse("metrics:organisation", args=[world.pk])).content.decode()
    rows = client.get(reverse("metrics:rows", args=[world.pk, key])).content.decode()
    met, total = EXPECTED[key]
    listed = rows.count('<tr class="nhsuk-table__row"') - 1  # less the header row
    assert listed == total
    if not measures.BY_KEY[key].snapshot:
        assert rows.count(">Yes<") == met
        assert f"{met} of {total}" in page


def test_a_long_drill_down_is_paged_and_keeps_its_whole_count(
    world, today, client_for, monkeypatch
):
    import metrics.views

    key = next(k for k, (met, total) in EXPECTED.items() if total >= 3)
    met, total = EXPECTED[key]
    monkeypatch.setattr(metrics.views, "ROWS_PER_PAGE", 2)
    client = client_for("commissioner")
    url = reverse("metrics:rows", args=[world.pk, key])
    first = client.get(url).content.decode()
    assert first.count('<tr class="nhsuk-table__row"') - 1 == 2
    assert f"{total}" in first and "nhsuk-pagination" in first
    last = client.get(url + f"?page={(total + 1) // 2}").content.decode()
    assert last.count('<tr class="nhsuk-table__row"') - 1 == total - 2 * ((total - 1) // 2)


def test_a_month_counts_only_its_own_rows(world, today):
    period = periods.parse("2026-04", today)
    figure = measures.figure(measures.BY_KEY["reviews-on-time"], [world.pk], period, today)
    assert (figure.met, figure.total) == (0, 1)


def test_monthly_figures_add_up_to_the_figure(world, today):
    figure = measures.figure(
        measures.BY_KEY["reviews-on-time"], [world.pk], periods.last_12_months(today), today
    )
    assert len(figure.months) == 12
    march = next(m for m in figure.months if m.first == date(2026, 3, 1))
    assert (march.met, march.total) == (1, 1)


def test_the_oversight_panel_sees_the_commissioners_naming_it(world, today, client_for):
    page = client_for("oversight_panel").get(reverse("metrics:organisation", args=[world.pk]))
    assert page.status_code == 200
    assert "2 of 4" in page.content.decode()


def test_the_charts_are_svg_with_a_title_a_description_and_a_table(world, today, client_for):
    html = (
        client_for("commissioner")
        .get(reverse("metrics:organisation", args=[world.pk]))
        .content.decode()
    )
    assert html.count('role="img" aria-labelledby="chart-') == 3
    assert '<title id="chart-reviews-on-time-svg-title">' in html
    assert "<desc id=" in html and "Mar 100%" in html
    assert "<script" not in html.split("<main")[1].split("</main>")[0]


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_pages_make_the_same_queries_for_a_larger_world(
    world, today, client_for, organisations
):
    client = client_for("commissioner")
    urls = [reverse("metrics:organisation", args=[world.pk])] + [
        reverse("metrics:rows", args=[world.pk, key]) for key in EXPECTED
    ]
    _queries(client, urls[0])  # warm the session
    before = [_queries(client, url) for url in urls]
    for _ in range(3):
        build(world, organisations["icb_other"])
    assert [_queries(client, url) for url in urls] == before
    assert before[0] <= 20


def test_a_date_range_counts_its_days_and_the_drill_down_keeps_it(world, today, client_for):
    client = client_for("commissioner")
    query = {
        "period": "range",
        "start[day]": "1",
        "start[month]": "3",
        "start[year]": "2026",
        "end[day]": "30",
        "end[month]": "4",
        "end[year]": "2026",
    }
    page = client.get(reverse("metrics:organisation", args=[world.pk]), query)
    html = page.content.decode()
    assert "1 of 2 held on or before the due date" in html  # March on time, April late
    rows_url = reverse("metrics:rows", args=[world.pk, "reviews-on-time"])
    assert f'href="{rows_url}?period=range' in html.replace("&amp;", "&")
    rows = client.get(rows_url, query).content.decode()
    assert rows.count('<tr class="nhsuk-table__row"') - 1 == 2


def test_a_range_with_the_end_before_the_start_is_refused_beside_the_field(
    world, today, client_for
):
    query = {
        "period": "range",
        "start[day]": "1",
        "start[month]": "5",
        "start[year]": "2026",
        "end[day]": "1",
        "end[month]": "4",
        "end[year]": "2026",
    }
    page = client_for("commissioner").get(reverse("metrics:organisation", args=[world.pk]), query)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<title>Error:" in html
    assert html.count("The last day must be the same as or after the first day") == 2
    assert 'value="2026"' in html  # what was typed is kept
