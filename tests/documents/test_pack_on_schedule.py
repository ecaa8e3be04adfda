from datetime import timedelta

import pytest
from django.utils import timezone

from documents.models import DocumentPack
from reviews import services
from tests.reviews.factories import ReviewFactory

pytestmark = pytest.mark.django_db


def test_scheduling_a_review_creates_its_pack_from_the_checklist(users):
    review = ReviewFactory(due_date=timezone.localdate() + timedelta(days=30))
    services.review_schedule(
        actor=users["commissioner"],
        review=review,
        starts_at=timezone.now() + timedelta(days=20),
        duration_minutes=420,
        venue="Room 1",
    )
    pack = DocumentPack.objects.get(review=review)
    assert pack.items.filter(core=True).exists()
