"""The recommendation pages through the test client: SMART refusals on the form, the lists'
query counts, the tracker's CSV, and what each role sees."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations import services
from recommendations.models import Recommendation, State
from tests.factories import UserFactory
from tests.recommendations.factories import RecommendationFactory
from tests.reviews.factories import ReviewFactory

pytestmark = pytest.mark.django_db


def form_data(world, **overrides):
    due = world["review"].review_date + datetime.timedelta(days=60)
    from panels.queries import kloes_for_panel, panel_or_unformed

    kloe = kloes_for_panel(panel_or_unformed(world["review"]))[8]
    data = {
        "kloes": [str(kloe.pk)],
        "action": "Arrange a housing assessment with North Shore Council",
        "plain_words": "The council will find out what kind of home would suit you, by March.",
        "measure": "The assessment report is shared with Daniel and his family",
        "for_whom": "local_authority",
        "priority": "urgent",
        "owner": str(world["users"]["provider"].pk),
        "owner_name": "",
        "owner_organisation": "",
        "owner_email": "",
        "due_date[day]": str(due.day),
        "due_date[month]": str(due.month),
        "due_date[year]": str(due.year),
    }
    data.update(overrides)
    return data


def create_url(world):
    return reverse("recommendations:create", args=[world["review"].pk])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"owner": ""}, "Select the person responsible, or enter the name"),
        ({"action": "Housing should be considered"}, "not an aspiration"),
        ({"measure": ""}, "Enter how everyone will know it is done"),
        ({"measure": "n/a"}, "Say what anyone will see when it is done; &#x27;n/a&#x27; does"),
        ({"measure": "Yes."}, "&#x27;Yes.&#x27; does not say"),
        ({"measure": "ongoing"}, "&#x27;ongoing&#x27; does not say"),
        ({"measure": "Monitoring"}, "&#x27;Monitoring&#x27; does not say"),
        ({"kloes": []}, "Select the key lines of enquiry"),
        ({"for_whom": ""}, "Select who the recommendation is for"),
        ({"due_date[day]": "", "due_date[month]": "", "due_date[year]": ""}, "Enter the date"),
        (
            {
                "owner": "",
                "owner_name": "The provider",
                "owner_organisation": "Riverside",
                "owner_email": "ward@example.nhs.uk",
            },
            "not a team or organisation",
        ),
    ],
)
def test_each_smart_rule_shows_beside_its_field_and_in_the_summary_keeping_what_was_typed(
    world, client_for, overrides, message
):
    response = client_for("chair").post(create_url(world), form_data(world, **overrides))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count(message) >= 2  # the error summary and beside the field
    assert "<title>Error:" in page
    assert "Arrange a housing assessment" in page or "Housing should be considered" in page
    assert not Recommendation.objects.exists()


def test_the_form_shows_a_good_and_a_bad_example(world, client_for):
    page = client_for("chair").get(create_url(world)).content.decode()
    assert "Good: " in page and "Not: " in page


def test_the_examples_name_this_reviews_person_and_organisation_not_someone_elses(
    world, client_for
):
    review = world["review"]
    person = review.person
    person.preferred_name = "Bea"
    person.save()
    place = person.local_authority or review.provider or review.commissioner

    page = client_for("chair").get(create_url(world)).content.decode()

    assert f"Arrange a housing assessment with {place.name} and share the result with Bea" in page
    assert "Bea&#x27;s housing options should be considered" in page
    assert "The assessment report is shared with Bea and their family" in page
    assert "with Daniel" not in page and "Daniel&#x27;s" not in page

    response = client_for("chair").post(create_url(world), form_data(world, measure="n/a"))
    assert "For example, &#x27;The assessment report is shared with Bea" in (
        response.content.decode()
    )


def test_the_chair_writes_it_in_plain_words_for_the_person_the_form_names(world, client_for):
    """Issue 22: the plain words are the chair's, for this review's person by the name they go
    by; a draft may wait for them, the report's issue may not."""
    person = world["review"].person
    person.preferred_name = "Bea"
    person.save()
    chair = client_for("chair")
    page = chair.get(create_url(world)).content.decode()
    assert "In plain words, for Bea" in page
    assert "What Bea reads in the easy read report and the portal." in page
    chair.post(create_url(world), form_data(world, plain_words=""))
    draft = Recommendation.objects.get()
    assert draft.plain_words == ""
    found = dict(services.plan_unfinished(world["review"]))[draft]
    assert found == {"plain_words": "Write it in plain words for Bea"}
    chair.post(
        reverse("recommendations:edit", args=[draft.pk]),
        form_data(world, plain_words="  The council will find you a home.  "),
    )
    draft.refresh_from_db()
    assert draft.plain_words == "The council will find you a home."
    assert services.plan_unfinished(world["review"]) == []


def test_the_chair_writes_sends_and_the_owner_accepts_and_finishes(world, client_for):
    chair = client_for("chair")
    response = chair.post(create_url(world), form_data(world))
    recommendation = Recommendation.objects.get()
    assert response.url == reverse("recommendations:detail", args=[recommendation.pk])
    # Issuing the report sends the plan; here, as issuing does it.
    services.recommendations_send_plan(actor=world["users"]["chair"], review=world["review"])
    owner = client_for("provider")
    response = owner.post(
        reverse("recommendations:respond", args=[recommendation.pk]), {"response": "accept"}
    )
    assert "Confirm this action is within your remit" in response.content.decode()
    owner.post(
        reverse("recommendations:respond", args=[recommendation.pk]),
        {"response": "accept", "remit_confirmed": "on"},
    )
    owner.post(
        reverse("recommendations:done", args=[recommendation.pk]),
        {"note": "Assessment done; report shared with Daniel"},
    )
    recommendation.refresh_from_db()
    assert recommendation.state == State.DONE_CLAIMED
    page = chair.get(reverse("recommendations:detail", args=[recommendation.pk])).content.decode()
    for heading in ("Drafted", "Sent to the owner", "Accepted by the owner", "Marked done"):
        assert heading in page
    timeline = chair.get(reverse("reviews:review_detail", args=[world["review"].pk]))
    assert "Recommendation 1: marked done" in timeline.content.decode()


def test_the_review_page_links_to_its_recommendations(world, client_for):
    page = client_for("chair").get(reverse("reviews:review_detail", args=[world["review"].pk]))
    assert reverse("recommendations:review", args=[world["review"].pk]) in page.content.decode()


def test_the_next_review_shows_the_previous_reviews_recommendations(world, client_for):
    RecommendationFactory(review=world["review"], state=State.IN_PROGRESS, action="Find a flat")
    later = ReviewFactory(person=world["person"], created_by=world["users"]["commissioner"])
    page = client_for("commissioner").get(reverse("recommendations:review", args=[later.pk]))
    text = page.content.decode()
    assert "From the previous review" in text and "Find a flat" in text
    assert "In progress" in text


def test_family_see_recommendations_but_not_drafts(world, client_for):
    RecommendationFactory(review=world["review"], state=State.DRAFT, action="Secret draft text")
    RecommendationFactory(review=world["review"], state=State.AGREED, action="Agreed action")
    page = client_for("family_carer").get(
        reverse("recommendations:review", args=[world["review"].pk])
    )
    text = page.content.decode()
    assert "Agreed action" in text and "Secret draft text" not in text


def many(world, count, owner=None):
    base = world["review"].review_date
    for n in range(count):
        RecommendationFactory(
            review=world["review"],
            state=State.IN_PROGRESS if n % 2 else State.AGREED,
            owner=owner or UserFactory(),
            due_date=base + datetime.timedelta(days=10 + n),
        )


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("role", "url_name"),
    [("provider", "recommendations:my_actions"), ("commissioner", "recommendations:tracker")],
)
def test_my_actions_and_the_tracker_make_the_same_queries_for_1_row_as_for_25(
    world, client_for, role, url_name
):
    owner = world["users"]["provider"]
    client = client_for(role)
    many(world, 1, owner=owner)
    one = queries_for(client, reverse(url_name))
    many(world, 24, owner=owner)
    assert queries_for(client, reverse(url_name)) == one


def table_rows(html) -> list[list[str]]:
    body = html.split('<tbody class="nhsuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    rows = []
    for tr in re.findall(r"<tr.*?</tr>", body, re.S):
        tr = re.sub(r'<span class="nhsuk-table__heading"[^>]*>.*?</span>', "", tr, flags=re.S)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells])
    return rows


def test_the_csv_rows_are_exactly_the_pages_rows(world, client_for):
    many(world, 60)
    RecommendationFactory(review=world["review"], state=State.DONE)
    client = client_for("commissioner")
    query = "?state=in_progress&owner="
    shown = []
    for page in (1, 2):
        html = client.get(reverse("recommendations:tracker") + f"{query}&page={page}")
        shown += table_rows(html.content.decode())
    response = client.get(reverse("recommendations:tracker_csv") + query)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))[1:]
    assert len(rows) == len(shown) == 30
    from html import unescape

    for page_row, csv_row in zip(shown, rows, strict=True):
        person, review, number, action, owner, _org, due, state, overdue, escalated = csv_row
        expected = [
            f"{person} Review on {review}",
            f"{number}. {action}",
            owner,
            due,
            " ".join(filter(None, [state, overdue, escalated])),
        ]
        assert [unescape(cell) for cell in page_row] == expected


def test_the_tracker_totals_and_filters(world, client_for):
    today = datetime.date.today()
    RecommendationFactory(
        review=world["review"], state=State.AGREED, due_date=today - datetime.timedelta(days=3)
    )
    RecommendationFactory(
        review=world["review"], state=State.DONE, due_date=today - datetime.timedelta(days=3)
    )
    client = client_for("commissioner")
    page = client.get(reverse("recommendations:tracker")).content.decode()
    assert "<strong>2</strong> in all" in page and "<strong>1</strong> overdue" in page
    page = client.get(reverse("recommendations:tracker") + "?overdue=on").content.decode()
    assert "<strong>1</strong> in all matching your filters" in page
    other = client_for("commissioner_other_org").get(reverse("recommendations:tracker"))
    assert "<strong>0</strong> in all" in other.content.decode()


def test_the_tracker_filters_by_review_from_the_reviews_page(world, client_for):
    RecommendationFactory(review=world["review"], state=State.AGREED, action="This review's")
    other = ReviewFactory(person=world["person"], created_by=world["users"]["commissioner"])
    RecommendationFactory(review=other, state=State.AGREED, action="Another review's")
    client = client_for("commissioner")
    page = client.get(reverse("recommendations:review", args=[world["review"].pk]))
    link = f"{reverse('recommendations:tracker')}?review={world['review'].pk}"
    assert link in page.content.decode()
    text = client.get(link).content.decode()
    assert "This review&#x27;s" in text and "Another review" not in text
    assert "<strong>1</strong> in all matching your filters" in text


def test_the_csv_writes_a_formula_as_text(world, client_for):
    RecommendationFactory(review=world["review"], state=State.AGREED, action="=1+1;-2")
    response = client_for("commissioner").get(reverse("recommendations:tracker_csv"))
    text = response.content.decode()
    assert '"\'=1+1;-2"' in text
    [row] = list(csv.reader(io.StringIO(text)))[1:]
    assert row[3] == "'=1+1;-2"
