"""How the recommendations are going, in the portal: plain English, never drafts, only while
the consent lets the family in; late ones say so."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ctr_portal.formatting import nhs_date
from recommendations.models import State
from tests.conftest import sign_in
from tests.reviews.factories import ConsentRecordFactory

from .factories import RecommendationFactory

pytestmark = pytest.mark.django_db


def portal_page(client, review):
    return client.get(reverse("portal:review", args=[review.pk])).content.decode()


@pytest.fixture
def recommendations(review_world):
    review = review_world["review"]
    today = timezone.localdate()
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
            (State.DRAFT, today + datetime.timedelta(days=30)),
            (State.IN_PROGRESS, today + datetime.timedelta(days=30)),
            (State.AGREED, today - datetime.timedelta(days=29)),
            (State.DONE, today - datetime.timedelta(days=60)),
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
    late = nhs_date(timezone.localdate() - datetime.timedelta(days=29))
    assert "Late" in html and f"It was due by {late}." in html
    assert "Riverside Hospital has done it, and the commissioner has checked." in html

    ConsentRecordFactory(
        review=review_world["review"], withdrawn=True, recorded_by=review_world["review"].created_by
    )
    assert "Action that is" not in portal_page(client, review_world["review"])


def test_the_person_sees_them_too(recommendations, review_world, users, client):
    sign_in(client, users["person"])
    assert "Action that is in_progress" in portal_page(client, review_world["review"])
