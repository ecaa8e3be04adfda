"""Factories for the panels app, and helpers to put a review where the tests need it."""

import importlib
from datetime import timedelta

import factory
from django.apps import apps
from django.utils import timezone

from panels.models import (
    CarriedRecommendation,
    Concern,
    ConsolidatedKloe,
    Evidence,
    Kloe,
    KloeAnswer,
    KloeSet,
    Panel,
    ProviderPart,
    Rating,
    SuggestedRecommendation,
    Workbook,
    workbook_kind_for,
)
from tests.factories import UserFactory
from tests.reviews.factories import ParticipantFactory, ReviewFactory


def ensure_kloe_sets():
    """The KLOE sets arrive by data migration; a transactional test (the browser tests) flushes
    them, so tests that need them load them again the migration's way."""
    if KloeSet.objects.exists():
        return
    migration = importlib.import_module("panels.migrations.0002_kloe_set_version_1")
    migration.add_version_1(apps, None)
    importlib.import_module("panels.migrations.0004_kloe_set_version_2").add_version_2(apps, None)


def make_held(review, *, days_ago=1):
    """Move a review to "held" directly (the lifecycle's guards are tested in reviews)."""
    review.starts_at = timezone.now() - timedelta(days=days_ago)
    review.held_on = timezone.localdate(review.starts_at)
    review.state = "held"
    review.save(update_fields=["starts_at", "held_on", "state"])
    return review


def make_on_the_day(review, state="ready"):
    review.starts_at = timezone.now() - timedelta(minutes=30)
    review.state = state
    review.save(update_fields=["starts_at", "state"])
    return review


class PanelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Panel

    review = factory.SubFactory(ReviewFactory)
    kloe_set = factory.LazyFunction(lambda: (ensure_kloe_sets(), KloeSet.objects.current())[1])
    workbook_kind = factory.LazyAttribute(lambda o: workbook_kind_for(o.review))


class WorkbookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workbook

    panel = factory.SubFactory(PanelFactory)
    participant = factory.SubFactory(
        ParticipantFactory,
        review=factory.SelfAttribute("..panel.review"),
        independent=True,
    )

    class Params:
        submitted = factory.Trait(submitted_at=factory.LazyFunction(timezone.now))


def kloe_of(panel, number) -> Kloe:
    return Kloe.objects.get(kloe_set=panel.kloe_set, audience=panel.audience, number=number)


class KloeAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KloeAnswer

    workbook = factory.SubFactory(WorkbookFactory)
    kloe = factory.LazyAttribute(lambda o: kloe_of(o.workbook.panel, 1))
    findings = "Staff know Dan well; the care plan is out of date."
    rating = Rating.SOME_CONCERNS
    version = 1
    updated_at = factory.LazyFunction(timezone.now)


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    answer = factory.SubFactory(KloeAnswerFactory)
    position = factory.Sequence(lambda n: n + 1)
    source_kind = "document"
    source = "Positive behaviour support plan"
    shows = "Last reviewed 14 months ago"


class SuggestedRecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuggestedRecommendation

    answer = factory.SubFactory(KloeAnswerFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = "Review the positive behaviour support plan with Dan and his mother"
    owner = "Ward psychologist"
    timescale = "Within 4 weeks"


class ConcernFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Concern

    answer = factory.SubFactory(
        KloeAnswerFactory,
        rating=Rating.SERIOUS_CONCERNS,
        concern_detail="Bruising seen on Dan's arm; staff could not say how it happened.",
    )
    panel = factory.LazyAttribute(lambda o: o.answer.workbook.panel)
    kind = Concern.Kind.SERIOUS
    raised_by = factory.LazyAttribute(lambda o: o.answer.workbook.participant.user)


class ConsolidatedKloeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsolidatedKloe

    panel = factory.SubFactory(PanelFactory)
    kloe = factory.LazyAttribute(lambda o: kloe_of(o.panel, 1))
    finding = "The panel agreed that Dan is safe on the ward."
    for_you = "You are safe on the ward. The staff know how to help you."
    rating = Rating.NO_CONCERNS
    reasoning = "Every member found the same, and the care plan bears it out."
    version = 1
    updated_by = factory.SubFactory(UserFactory)


class CarriedRecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CarriedRecommendation

    consolidated = factory.SubFactory(ConsolidatedKloeFactory)
    text = "Review the positive behaviour support plan"


class ProviderPartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderPart

    panel = factory.SubFactory(PanelFactory)
    kloe = factory.LazyAttribute(lambda o: kloe_of(o.panel, 5))
    text = "Epilepsy, well controlled. Annual health check done in March."
    updated_by = factory.SubFactory(UserFactory)


class KloeSetFactory(factory.django.DjangoModelFactory):
    """A set of its own (version 100 and up), apart from the data migration's."""

    class Meta:
        model = "panels.KloeSet"

    version = factory.Sequence(lambda n: 100 + n)
    published_on = factory.LazyFunction(timezone.localdate)


class KloeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "panels.Kloe"

    kloe_set = factory.SubFactory(KloeSetFactory)
    audience = "adult"
    number = factory.Sequence(lambda n: n + 1)
    title = "Key areas of concern"


class KloePromptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "panels.KloePrompt"

    kloe = factory.SubFactory(KloeFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = "What worries the person most right now?"
