"""Tag colours live on the model enums, so a state or rating has one colour everywhere."""

import pytest
from django.urls import reverse

from ctr_portal.templatetags.nhsuk import TAG_COLOURS
from documents.models import ItemStatus
from panels.models import Rating
from recommendations.models import State as RecommendationState
from reviews.models import DsrRating, ReviewState
from tests.reviews.factories import PersonFactory


@pytest.mark.parametrize(
    "choices", [ReviewState, DsrRating, ItemStatus, Rating, RecommendationState]
)
def test_every_state_and_rating_has_an_nhsuk_tag_colour(choices):
    for member in choices:
        assert member.tag_colour in TAG_COLOURS, member


def test_review_states_of_one_stage_share_a_colour_and_stages_differ():
    assert ReviewState.SCHEDULED.tag_colour == ReviewState.PREPARING.tag_colour == "blue"
    assert ReviewState.REPORT_DRAFTING.tag_colour == ReviewState.REPORT_ISSUED.tag_colour
    assert ReviewState.POSTPONED.tag_colour != ReviewState.REPORT_DRAFTING.tag_colour
    assert ReviewState.CANCELLED.tag_colour == "red"


def test_register_ratings_have_short_labels_and_amber_shows_orange():
    assert [r.short_label for r in DsrRating] == ["Red", "Amber", "Green", "Blue"]
    assert DsrRating.AMBER.tag_colour == "orange"


def test_a_review_state_has_the_same_colour_on_every_page(client_for, review_world):
    review = review_world["review"]
    client = client_for("commissioner")
    tag = '<strong class="nhsuk-tag nhsuk-tag--blue">Scheduled</strong>'

    for url in (
        reverse("reviews:review_list"),
        reverse("reviews:review_detail", args=[review.pk]),
        reverse("reviews:person_detail", args=[review.person.pk]),
        reverse("dashboard"),
    ):
        assert tag in client.get(url).content.decode(), url


def test_the_dashboard_shows_a_register_rating_with_its_own_colour(client_for, organisations):
    PersonFactory(responsible_commissioner=organisations["icb"], dsr_rating=DsrRating.RED)

    page = client_for("commissioner").get(reverse("dashboard")).content.decode()

    assert '<strong class="nhsuk-tag nhsuk-tag--red">Red</strong>' in page
