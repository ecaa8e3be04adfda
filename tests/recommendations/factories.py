import datetime

import factory

from recommendations.models import ForWhom, Recommendation
from tests.factories import UserFactory
from tests.reviews.factories import ReviewFactory


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    review = factory.SubFactory(ReviewFactory)
    number = factory.Sequence(lambda n: n + 1)
    action = "Arrange a housing assessment with the local authority"
    measure = "The assessment report is shared with the person and their family"
    for_whom = ForWhom.LOCAL_AUTHORITY
    owner = factory.SubFactory(UserFactory)
    due_date = factory.LazyAttribute(lambda r: datetime.date(2026, 6, 1))
    created_by = factory.SubFactory(UserFactory)
