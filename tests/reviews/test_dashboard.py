"""The commissioner's dashboard: what it shows, to whom, and at a fixed number of queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.reviews.factories import PersonFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def make_reviews(icb, n):
    for _ in range(n):
        ReviewFactory(
            person=PersonFactory(responsible_commissioner=icb),
            scheduled=True,
            starts_at=timezone.now() + timedelta(days=5),
            due_date=timezone.localdate() - timedelta(days=1),
        )
        PersonFactory(responsible_commissioner=icb, dsr_rating="red")


def queries_for(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_dashboard_makes_the_same_queries_for_1_row_as_for_25(client_for, organisations):
    client = client_for("commissioner")
    make_reviews(organisations["icb"], 1)
    one, page = queries_for(client)
    assert page.count("Plan a review") == 1
    make_reviews(organisations["icb"], 24)
    many, page = queries_for(client)
    assert many == one
    assert "Showing the first 10 of 25" in page


def test_the_dashboard_shows_only_the_users_own_organisations_reviews(client_for, organisations):
    mine = ReviewFactory(
        person=PersonFactory(responsible_commissioner=organisations["icb"], family_name="Mine"),
        scheduled=True,
    )
    ReviewFactory(
        person=PersonFactory(
            responsible_commissioner=organisations["icb_other"], family_name="Theirs"
        ),
        scheduled=True,
    )
    page = client_for("commissioner").get(reverse("dashboard")).content.decode()
    assert mine.person.full_name in page and "Theirs" not in page


def test_the_dashboard_filters_by_kind_and_type(client_for, organisations):
    icb = organisations["icb"]
    child = ReviewFactory(
        person=PersonFactory(child=True, responsible_commissioner=icb, family_name="Young"),
        scheduled=True,
    )
    ReviewFactory(
        person=PersonFactory(responsible_commissioner=icb, family_name="Older"),
        scheduled=True,
        kind="requested",
    )
    page = client_for("commissioner").get(reverse("dashboard"), {"review_type": "cetr"})
    text = page.content.decode()
    assert child.person.full_name in text and "Older" not in text
    page = client_for("commissioner").get(reverse("dashboard"), {"kind": "requested"})
    assert "Older" in page.content.decode() and "Young" not in page.content.decode()


def test_panel_members_and_family_see_their_own_reviews_not_the_commissioners_lists(
    client_for, review_world
):
    page = client_for("family_carer").get(reverse("dashboard")).content.decode()
    assert "Your reviews" in page and "Daniel Clarke" in page
    assert "Overdue reviews" not in page


def filter_labels(response) -> list[tuple[str, str]]:
    page = response.content.decode()
    form = page[page.index('method="get"') :]
    form = form[: form.index("</form>")]
    return re.findall(r'<label class="nhsuk-label" for="id_(\w+)">\s*(.*?)\s*</label>', form)


def test_the_dashboard_and_the_review_list_offer_the_same_filters(client_for, organisations):
    client = client_for("commissioner")

    dashboard = filter_labels(client.get(reverse("dashboard")))
    review_list = filter_labels(client.get(reverse("reviews:review_list")))

    assert (
        dashboard
        == review_list
        == [
            ("organisation", "Commissioner"),
            ("review_type", "Type"),
            ("kind", "Kind"),
            ("state", "Status"),
        ]
    )


def test_a_dashboard_filter_that_makes_no_sense_is_ignored_and_the_others_apply(
    client_for, organisations
):
    icb = organisations["icb"]
    soon = timezone.now() + timedelta(days=5)
    young = PersonFactory(responsible_commissioner=icb, family_name="Young", child=True)
    ReviewFactory(person=young, scheduled=True, starts_at=soon)
    older = PersonFactory(responsible_commissioner=icb, family_name="Older")
    ReviewFactory(person=older, scheduled=True, starts_at=soon)

    page = client_for("commissioner").get(
        reverse("dashboard"), {"review_type": "cetr", "state": "nonsense"}
    )

    text = page.content.decode()
    assert young.full_name in text and older.full_name not in text
