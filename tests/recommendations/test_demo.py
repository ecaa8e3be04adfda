"""seed_demo adds recommendations in every state, some overdue, one escalated, and an oversight
panel login; the second run changes nothing."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from ctr_portal.models import Organisation, User
from recommendations.models import EscalationAction, Recommendation, State

# Each test seeds the whole demo (twice to show it is idempotent).
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_seed_demo_adds_recommendations_in_every_state_and_is_idempotent():
    call_command("seed_demo", verbosity=0)
    states = set(Recommendation.objects.values_list("state", flat=True))
    assert states == set(State.values)
    assert Recommendation.objects.overdue(timezone.localdate()).count() >= 2
    escalated = Recommendation.objects.get(escalated_to__isnull=False)
    assert escalated.escalated_to.kind == Organisation.Kind.OVERSIGHT_PANEL
    oversight = User.objects.get(email="oversight@demo.example")
    assert oversight.memberships.get().organisation == escalated.escalated_to
    # The panel has met on it: a decision, and an action still open (issue 21).
    assert escalated.is_open
    assert escalated.escalation_decisions.get().recorded_by == oversight
    assert EscalationAction.objects.open().get().recommendation == escalated
    assert escalated.updates.filter(kind="panel_decision").exists()
    count = Recommendation.objects.count()
    call_command("seed_demo", verbosity=0)
    assert Recommendation.objects.count() == count
