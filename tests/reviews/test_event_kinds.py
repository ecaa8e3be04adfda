"""Timeline kinds are registered by the app that writes them: a new app's kind needs no reviews
migration, and the service refuses a kind nobody registered."""

from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from reviews import event_kinds
from reviews.models import ReviewEvent
from reviews.services import review_event_record

from .factories import ReviewFactory


@pytest.fixture
def registry(monkeypatch):
    """The registry as the apps left it, restored after the test."""
    monkeypatch.setattr(event_kinds, "_labels", dict(event_kinds._labels))
    return event_kinds


def test_the_kind_field_keeps_no_choices():
    field = ReviewEvent._meta.get_field("kind")
    assert field.choices is None
    assert field.max_length == event_kinds.MAX_LENGTH


def test_a_new_apps_kind_needs_no_reviews_migration(db, registry):
    registry.register([("visit_note", "Oversight visit note")])
    out = StringIO()
    call_command("makemigrations", "reviews", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_a_registered_kind_is_recorded_and_labelled_from_the_registry(db, registry):
    registry.register([("visit_note", "Oversight visit note")])
    review = ReviewFactory()
    event = review_event_record(review=review, kind="visit_note", summary="Visited")
    event.refresh_from_db()
    assert event.kind == "visit_note"
    assert event.get_kind_display() == "Oversight visit note"


def test_an_unregistered_kind_is_refused_and_nothing_is_written(db):
    review = ReviewFactory()
    before = review.events.count()
    with pytest.raises(ValueError, match="not a registered kind"):
        review_event_record(review=review, kind="visit_note", summary="Visited")
    assert review.events.count() == before


def test_every_app_registers_the_kinds_it_writes():
    from documents.services import EVENT_DOCUMENTS
    from panels.services import EVENT_CONCERN, EVENT_CONSOLIDATION, EVENT_WORKBOOK
    from recommendations.services import EVENT_RECOMMENDATION
    from reports.services import EVENT_REPORT

    written = [
        *ReviewEvent.Kind.values,
        EVENT_DOCUMENTS,
        EVENT_WORKBOOK,
        EVENT_CONCERN,
        EVENT_CONSOLIDATION,
        EVENT_RECOMMENDATION,
        EVENT_REPORT,
    ]
    assert all(event_kinds.is_registered(kind) for kind in written)
    assert event_kinds.label(EVENT_REPORT) == "Report"
    assert event_kinds.label(ReviewEvent.Kind.DUE_DATE) == "Due date set"


def test_two_apps_cannot_claim_one_kind_with_different_labels(registry):
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        registry.register([("report", "Something else")])
    registry.register([("report", "Report")])  # the same registration again is harmless


def test_a_kind_longer_than_the_field_is_refused_when_registered(registry):
    with pytest.raises(ImproperlyConfigured, match="over 20 characters"):
        registry.register([("x" * 21, "Too long")])
    assert not registry.is_registered("x" * 21)
