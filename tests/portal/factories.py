from datetime import timedelta

import factory
from django.utils import timezone

from reviews.models import ReviewState
from tests.reviews.factories import (
    ConsentInviteeFactory,
    ConsentRecordFactory,
    ParticipantFactory,
    ReviewFactory,
)


def held_review_like(world, *, days_ago=3):
    """A review of the world's person held `days_ago`, with the same people taking part and the
    same consent: what feedback and the portal's report sections need."""
    first = world["review"]
    held_on = timezone.localdate() - timedelta(days=days_ago)
    review = ReviewFactory(
        person=world["person"],
        kind="post_admission",
        state=ReviewState.HELD,
        starts_at=timezone.now() - timedelta(days=days_ago),
        held_on=held_on,
        duration_minutes=480,
        venue="Riverside Hospital, meeting room 2",
        created_by=first.created_by,
    )
    consent = ConsentRecordFactory(review=review, recorded_by=first.created_by)
    ConsentInviteeFactory(consent=consent, contact=world["contact"])
    for role, participant in world["participants"].items():
        ParticipantFactory(
            review=review,
            role=role,
            user=participant.user,
            contact=participant.contact,
            added_by=first.created_by,
            independence_declared_at=participant.independence_declared_at,
        )
    return review


class PlannerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "portal.Planner"

    review = factory.SubFactory(ReviewFactory)
    about_me = "I like music and walking my dog."
    take_part = "in_the_room"
