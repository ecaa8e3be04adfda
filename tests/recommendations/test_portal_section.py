"""How the recommendations are going, in the portal: plain English, never drafts, only while
the consent lets the family in; late ones say so."""

import datetime

import pytest
from django.urls import reverse

from recommendations.models import State
from tests.conftest import sign_in
from tests.reviews.factories import ConsentRecordFactory

from .factories import RecommendationFactory

pytestmark = pytest.mark.django_db


def portal_page(client, review):
    return client.get(reverse("portal:review", args=[review.pk])).content.decode()


@pytest.fixture
def recommendations(review_world, time_machine):
    time_machine.move_to("2026-11-30 09:00", tick=False)
    review = review_world["review"]
    made = {
        state: RecommendationFactory(
            review=review,
            state=state,
            action=f"Action that is {state}",
            owner=None,
            owner_name="Sam Whitfield",
            owner_organisation="Riverside Hospital",
            owner_email="sam@example.nhs.uk",
            due_date=due,
        )
        for state, due in (
            (State.DRAFT, datetime.date(2027, 1, 1)),
            (State.IN_PROGRESS, datetime.date(2027, 1, 1)),
            (State.AGREED, datetime.date(2026, 11, 1)),
            (State.DONE, datetime.date(2026, 10, 1)),
        )
    }
    return made


def test_the_family_sees_how_each_recommendation_is_going(
    recommendations, review_world, users, client
):
    sign_in(client, users["family_carer"])
    html = portal_page(client, review_world["review"])
    assert "What the panel recommended, and how it is going" in html
    assert "Action that is draft" not in html
    assert "Riverside Hospital has started." in html
    assert "Late" in html and "It was due by 1 November 2026." in html
    assert "Riverside Hospital has done it." in html

    ConsentRecordFactory(
        review=review_world["review"], withdrawn=True, recorded_by=review_world["review"].created_by
    )
    assert "Action that is" not in portal_page(client, review_world["review"])


def test_the_person_sees_them_too(recommendations, review_world, users, client):
    sign_in(client, users["person"])
    assert "Action that is in_progress" in portal_page(client, review_world["review"])
