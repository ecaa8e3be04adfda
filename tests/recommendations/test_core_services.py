"""The one way a recommendation changes: locked, checked, recorded in its history and on the
review's timeline, audited, and its reminders kept in step."""

import pytest

from ctr_portal.models import AuditEvent, Organisation
from recommendations.models import RecommendationUpdate, Reminder, State
from recommendations.services import RecommendationError, recommendation_escalate
from reviews.models import ReviewEvent
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.recommendations.factories import RecommendationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel():
    return OrganisationFactory(kind=Organisation.Kind.OVERSIGHT_PANEL)


def test_escalation_is_recorded_everywhere_once(panel):
    recommendation = RecommendationFactory(state=State.IN_PROGRESS)
    commissioner = UserFactory()
    MembershipFactory(user=UserFactory(), organisation=panel, job_title="Panel lead")
    recommendation_escalate(
        actor=commissioner, recommendation=recommendation, panel=panel, reason=" Stuck "
    )

    recommendation.refresh_from_db()
    assert recommendation.escalated_to == panel
    assert recommendation.escalation_reason == "Stuck"
    assert recommendation.state == State.IN_PROGRESS
    update = RecommendationUpdate.objects.get(recommendation=recommendation)
    assert (update.kind, update.actor, update.note) == ("escalated", commissioner, "Stuck")
    event = ReviewEvent.objects.get(review=recommendation.review, kind="recommendation")
    assert "escalated" in event.summary.lower()
    assert AuditEvent.objects.filter(object_id=str(recommendation.pk)).exists()
    # The reminders were kept in step: the oversight panel's members are told, once.
    told = Reminder.objects.filter(recommendation=recommendation, kind="escalated")
    assert list(told.values_list("state", flat=True)) == ["sent"]

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
