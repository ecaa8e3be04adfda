"""The one way a recommendation changes: locked, checked, recorded in its history and on the
review's timeline, audited, and announced to the reminder planner."""

import pytest

from ctr_portal.models import AuditEvent, Organisation
from recommendations.models import RecommendationUpdate, State
from recommendations.services import RecommendationError, recommendation_escalate
from recommendations.signals import recommendation_changed
from reviews.models import ReviewEvent
from tests.factories import OrganisationFactory, UserFactory
from tests.recommendations.factories import RecommendationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel():
    return OrganisationFactory(kind=Organisation.Kind.OVERSIGHT_PANEL)


def test_escalation_is_recorded_everywhere_once(panel):
    recommendation = RecommendationFactory(state=State.IN_PROGRESS)
    commissioner = UserFactory()
    heard = []

    def listener(sender, *, recommendation, update, previous_due_date, **kwargs):
        heard.append(update.kind)

    recommendation_changed.connect(listener, dispatch_uid="test.listener")
    try:
        recommendation_escalate(
            actor=commissioner, recommendation=recommendation, panel=panel, reason=" Stuck "
        )
    finally:
        recommendation_changed.disconnect(dispatch_uid="test.listener")

    recommendation.refresh_from_db()
    assert recommendation.escalated_to == panel
    assert recommendation.escalation_reason == "Stuck"
    assert recommendation.state == State.IN_PROGRESS
    update = RecommendationUpdate.objects.get(recommendation=recommendation)
    assert (update.kind, update.actor, update.note) == ("escalated", commissioner, "Stuck")
    event = ReviewEvent.objects.get(review=recommendation.review, kind="recommendation")
    assert "escalated" in event.summary.lower()
    assert AuditEvent.objects.filter(object_id=str(recommendation.pk)).exists()
    assert heard == ["escalated"]

    with pytest.raises(RecommendationError, match="already been escalated"):
        recommendation_escalate(
            actor=commissioner, recommendation=recommendation, panel=panel, reason="Again"
        )
    assert RecommendationUpdate.objects.filter(recommendation=recommendation).count() == 1


def test_escalation_needs_a_reason_and_an_open_recommendation(panel):
    done = RecommendationFactory(state=State.DONE)
    with pytest.raises(RecommendationError) as refused:
        recommendation_escalate(actor=None, recommendation=done, panel=panel, reason="  ")
    assert refused.value.errors == {"reason": "Enter why this recommendation is escalated"}
    with pytest.raises(RecommendationError, match="still being worked on"):
        recommendation_escalate(actor=None, recommendation=done, panel=panel, reason="Stuck")
    assert not RecommendationUpdate.objects.exists()
