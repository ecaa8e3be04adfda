"""The report's "since the last review": each key line of enquiry's rating then and now, how the
previous review's recommendations went, and restraint and segregation recorded since; checked
against the data it is drawn from, on the page, in the PDFs and in a fixed number of queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from panels.models import Rating
from reports import queries, rendering, services
from reports.models import PdfKind
from reviews.models import RestrictivePractice
from tests.panels.factories import ConsolidatedKloeFactory, PanelFactory, kloe_of
from tests.pdf_ua import pdf_ua_problems
from tests.recommendations.factories import RecommendationFactory
from tests.reviews.factories import RestrictivePracticeFactory, ReviewFactory

from .factories import seen_by


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def days_ago(n):
    return timezone.localdate() - timedelta(days=n)


@pytest.fixture
def over_time(held_world):
    """`held_world` (held yesterday: KLOE 1 no concerns, KLOE 7 serious concerns) with a review
    held 180 days ago before it: its ratings, its recommendations in four states, and
    restraint recorded before, between and after the two reviews."""
    review = held_world["review"]
    person = review.person
    chair = held_world["chair"]
    previous = ReviewFactory(
        person=person, state="follow_up", kind="post_admission", held_on=days_ago(180)
    )
    panel = PanelFactory(review=previous)
    for number, rating in (
        (1, Rating.SERIOUS_CONCERNS),
        (7, Rating.SOME_CONCERNS),
        (3, Rating.NO_CONCERNS),
    ):
        ConsolidatedKloeFactory(panel=panel, kloe=kloe_of(panel, number), rating=rating)

    def made(number, state, action, due):
        return RecommendationFactory(
            review=previous,
            number=number,
            state=state,
            action=action,
            owner=None,
            owner_name="Sam Whitfield",
            owner_organisation="Riverside Hospital",
            owner_email="sam@example.nhs.uk",
            due_date=due,
            created_by=chair,
        )

    made(1, "done", "Review the positive behaviour support plan", days_ago(90))
    made(2, "in_progress", "Find a home near his mum", days_ago(10))
    made(3, "not_achieved", "Start college in September", days_ago(30))
    made(4, "draft", "Never sent to anyone", None)
    RestrictivePracticeFactory(person=person, occurred_on=days_ago(200), note="Before it")
    RestrictivePracticeFactory(
        person=person,
        kind=RestrictivePractice.Kind.PRONE,
        occurred_on=days_ago(120),
        ended_on=days_ago(91),
        count=4,
        note="At mealtimes",
    )
    RestrictivePracticeFactory(
        person=person, kind=RestrictivePractice.Kind.SECLUSION, occurred_on=days_ago(20)
    )
    RestrictivePracticeFactory(person=person, occurred_on=timezone.localdate(), note="After it")
    person.segregation_started_on = days_ago(60)
    person.segregation_ward = "Oak ward"
    person.save()
    return {**held_world, "previous": previous}


def content_of(world):
    return queries.report_content(seen_by(world["chair"], world["review"]))


def test_a_first_review_has_no_since_the_last_review(held_world):
    content = content_of(held_world)

    assert content.since_last_review is None
    assert "Since the last review" not in rendering.report_body(content)


def test_each_kloes_rating_then_and_now_is_drawn_from_both_reviews(over_time):
    since = content_of(over_time).since_last_review

    assert since.previous == over_time["previous"]
    by_kloe = {r.label.split(":")[0]: (r.then, r.now, r.change) for r in since.ratings}
    assert by_kloe["KLOE 1"] == ("Serious concerns", "No concerns", "Better")
    assert by_kloe["KLOE 7"] == ("Some concerns", "Serious concerns", "Worse")
    assert by_kloe["KLOE 3"] == ("No concerns", "Not yet agreed", "")
    assert by_kloe["KLOE 2"] == ("Not rated", "Not yet agreed", "")


def test_the_previous_recommendations_say_where_each_stands_in_plain_words(over_time):
    since = content_of(over_time).since_last_review

    assert [(r.number, r.status) for r in since.recommendations] == [
        (1, "Done"),
        (2, "Late"),
        (3, "Not done"),
    ]
    html = text_of(rendering.report_body(content_of(over_time)))
    assert "Recommendation 1: Done Review the positive behaviour support plan" in html
    assert "Riverside Hospital has done it, and the commissioner has checked." in html
    assert f"It was due by {days_ago(10):%-d %B %Y}." in html
    assert "Never sent to anyone" not in html


def test_restraint_and_segregation_since_the_previous_review_are_listed(over_time):
    since = content_of(over_time).since_last_review

    assert [r.note for r in since.restrictive_practices] == ["", "At mealtimes"]
    html = text_of(rendering.report_body(content_of(over_time)))
    section = html.split("Restraint, seclusion and segregation recorded since")[1]
    assert f"In long-term segregation from {days_ago(60):%-d %B %Y}, and still in it." in section
    assert (
        f"{days_ago(120):%-d %B %Y} to {days_ago(91):%-d %B %Y} Prone restraint, 4 times "
        "At mealtimes"
    ) in section
    assert f"{days_ago(20):%-d %B %Y} Seclusion, 1 time" in section
    assert "Before it" not in section and "After it" not in section


def test_the_report_page_shows_the_section_within_twenty_queries_however_many_rows(
    over_time, client_for
):
    client = client_for("chair")
    url = reverse("reports:report", args=[over_time["review"].pk])
    client.get(url)  # the session and the draft settle
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert "Since the last review" in page
    previous, person = over_time["previous"], over_time["review"].person
    for n in range(5, 12):
        RecommendationFactory(
            review=previous,
            number=n,
            state="agreed",
            owner_name="Sam Whitfield",
            owner_organisation="Riverside Hospital",
            owner_email="sam@example.nhs.uk",
            owner=None,
            due_date=days_ago(-30),
        )
        RestrictivePracticeFactory(person=person, occurred_on=days_ago(100 - n))

    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()

    assert "Recommendation 11: Agreed" in text_of(page)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many.captured_queries) <= 20


@pytest.mark.parametrize(
    ("kind", "points"), [(PdfKind.FULL, 12), (PdfKind.LARGE_PRINT, 18)], ids=str
)
def test_the_pdfs_with_the_section_pass_the_pdf_ua_check(over_time, kind, points):
    review = seen_by(over_time["chair"], over_time["review"])
    body = services._body(queries.report_content(review), kind)
    assert "Since the last review" in body
    title = rendering.document_title(review, variant=kind)
    data = rendering.pdf_from_html(rendering.print_document(body, title=title, variant=kind))[0]

    assert pdf_ua_problems(data, min_points=points) == []
