"""Issue 21: issuing the report sends its action plan; an unfinished recommendation stops the
issue, named and linked on the issue page; the issued version stays frozen while the plan
moves on, and a correction carries the plan as it stands."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from recommendations import services as recommendations
from recommendations.models import Recommendation, State
from reports.models import ReportVersion
from tests.recommendations.factories import RecommendationFactory

from .test_services import issue

pytestmark = pytest.mark.django_db


def test_issuing_sends_every_recommendation_to_its_owner_with_a_date(held_world):
    issue(held_world)
    rows = Recommendation.objects.filter(review=held_world["review"])
    assert {r.state for r in rows} == {State.AWAITING_OWNER}
    assert all(r.accept_by for r in rows)
    assert all(r.updates.filter(kind="sent").count() == 1 for r in rows)


def test_an_unfinished_recommendation_stops_the_issue_and_nothing_is_sent(held_world):
    review = held_world["review"]
    RecommendationFactory(review=review, number=4, owner=None, created_by=held_world["chair"])
    with pytest.raises(ValidationError, match="Finish recommendation 4 before issuing"):
        issue(held_world)
    assert not ReportVersion.objects.filter(review=review).exists()
    assert not Recommendation.objects.filter(review=review, state=State.AWAITING_OWNER).exists()


def test_the_issue_page_links_each_unfinished_recommendation(held_world, client_for):
    review = held_world["review"]
    unfinished = RecommendationFactory(
        review=review, number=4, owner=None, created_by=held_world["chair"]
    )
    chair = client_for("chair")
    page = chair.get(reverse("reports:issue", args=[review.pk])).content.decode()
    assert "Finish these recommendations before issuing the report" in page
    assert reverse("recommendations:edit", args=[unfinished.pk]) in page
    assert "Recommendation 4: Select the key lines of enquiry" in page
    response = chair.post(reverse("reports:issue", args=[review.pk]), {})
    assert response.status_code == 200
    assert not ReportVersion.objects.filter(review=review).exists()


def test_the_issued_version_stays_frozen_and_a_correction_carries_the_plan(held_world):
    version, review = issue(held_world)
    first = Recommendation.objects.get(review=review, number=1)
    recommendations.recommendation_dispute(
        actor=None, recommendation=first, reason="Not ours"
    )  # the owner is a contact here: the record is what matters
    recommendations.recommendation_resolve(
        actor=held_world["chair"], recommendation=first, outcome="redraft", note="Rewording"
    )
    first.action = "Action number 1, reworded: write the behaviour plan with Daniel"
    first.save(update_fields=["action"])
    frozen = ReportVersion.objects.get(pk=version.pk).html
    assert "reworded" not in frozen
    corrected, _ = issue(held_world, correction="Recommendation 1 reworded after a dispute")
    assert "reworded" in corrected.html
    first.refresh_from_db()
    assert first.state == State.AWAITING_OWNER  # the correction sent it again
    assert ReportVersion.objects.get(pk=version.pk).html == frozen
