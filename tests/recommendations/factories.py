import datetime

import factory

from recommendations.models import (
    EscalationAction,
    EscalationClosure,
    EscalationDecision,
    EvidenceFile,
    FollowUpCheck,
    ForWhom,
    Recommendation,
    RecommendationUpdate,
)
from tests.factories import UserFactory
from tests.reviews.factories import ReviewFactory

# A recommendation in plain words, as the chair writes it for the person (issue 22).
PLAIN_WORDS = (
    "Someone from the council will find out what kind of home would suit you. They will tell "
    "you and your family what they found."
)


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    review = factory.SubFactory(ReviewFactory)
    number = factory.Sequence(lambda n: n + 1)
    action = "Arrange a housing assessment with the local authority"
    measure = "The assessment report is shared with the person and their family"
    plain_words = PLAIN_WORDS
    for_whom = ForWhom.LOCAL_AUTHORITY
    owner = factory.SubFactory(UserFactory)
    due_date = factory.LazyAttribute(lambda r: datetime.date(2026, 6, 1))
    created_by = factory.SubFactory(UserFactory)


class RecommendationUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecommendationUpdate

    recommendation = factory.SubFactory(RecommendationFactory)
    kind = RecommendationUpdate.Kind.PROGRESS
    actor = factory.SubFactory(UserFactory)
    note = "First meeting held with the council"


class FollowUpCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpCheck

    review = factory.SubFactory(ReviewFactory)
    checked_on = factory.LazyFunction(datetime.date.today)
    found = "Two of the three recommendations are done"
    next_steps = "Chase the housing assessment"
    recorded_by = factory.SubFactory(UserFactory)


class EvidenceFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvidenceFile

    update = factory.SubFactory(RecommendationUpdateFactory)
    recommendation = factory.SelfAttribute("update.recommendation")
    file = factory.Sequence(lambda n: f"documents/evidence-{n}")
    original_name = "report.pdf"
    kind = "pdf"
    content_type = "application/pdf"
    size = 1024
    sha256 = "0" * 64
    scan_status = "not_scanned"
    uploaded_by = factory.SubFactory(UserFactory)


class ReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "recommendations.Reminder"

    recommendation = factory.SubFactory(RecommendationFactory)
    kind = "due_soon"
    due_date = factory.LazyAttribute(lambda r: r.recommendation.due_date)
    send_on = factory.LazyAttribute(
        lambda r: r.recommendation.due_date - datetime.timedelta(days=7)
    )
    recipient_email = "owner@example.nhs.uk"
    recipient_name = "Owner"


class EscalationDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EscalationDecision

    recommendation = factory.SubFactory(RecommendationFactory)
    met_on = factory.LazyFunction(datetime.date.today)
    decision = "Ask the provider's director to attend the next meeting"
    recorded_by = factory.SubFactory(UserFactory)


class EscalationActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EscalationAction

    recommendation = factory.SubFactory(RecommendationFactory)
    action = "Write to the provider's director"
    owner_name = "Rita Gomez"
    owner_organisation = "North Shore Council"
    owner_email = "rita.gomez@example.gov.uk"
    due_date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=14))
    recorded_by = factory.SubFactory(UserFactory)


class EscalationClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EscalationClosure

    recommendation = factory.SubFactory(RecommendationFactory)
    outcome = "resolved"
    closed_by = factory.SubFactory(UserFactory)
