"""Opening a page never writes a row: the panel is formed when the review is scheduled (or on the
first save), a workbook on its member's first save, the pack when the review is scheduled."""

import pytest
from django.apps import apps
from django.urls import reverse

from panels.models import Panel, Workbook
from reviews import services
from reviews.queries import review_for_user

pytestmark = pytest.mark.django_db

APPS = ("ctr_portal", "reviews", "panels", "documents", "recommendations")
# Rows a page view may write: the audit trail (who read what) and the session.
MAY_WRITE = {"auditevent", "documentaccess"}


def row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in APPS and model._meta.model_name not in MAY_WRITE
    }


PAGES = {
    "clinical_expert": [
        "panels:workbook",
        "panels:workbook_key_questions",
        "panels:workbook_submit",
    ],
    "chair": ["panels:consolidation", "panels:findings", "panels:workbook"],
    "provider": ["panels:provider_part", "documents:pack"],
    "commissioner": ["documents:pack", "panels:findings", "reviews:review_detail"],
}


@pytest.mark.parametrize("role", PAGES)
def test_opening_the_panel_and_pack_pages_writes_nothing(role, client_for, review_world):
    review = review_world["review"]
    client = client_for(role)
    before = row_counts()

    for name in PAGES[role]:
        response = client.get(reverse(name, args=[review.pk]))
        assert response.status_code == 200, name

    assert row_counts() == before
    assert not Panel.objects.exists()


def test_the_workbook_page_shows_the_kloes_before_anything_is_saved(client_for, review_world):
    page = client_for("clinical_expert").get(
        reverse("panels:workbook", args=[review_world["review"].pk])
    )
    assert "Does the person need to be in hospital?" in page.content.decode()
    assert not Workbook.objects.exists()


def test_the_first_save_makes_the_workbook_and_forms_the_panel(client_for, users, review_world):
    review = review_world["review"]
    client_for("clinical_expert").post(
        reverse("panels:workbook_key_questions", args=[review.pk]),
        {"is_safe": "Yes, on the ward", "version": "0"},
    )
    assert Workbook.objects.filter(participant__user=users["clinical_expert"]).count() == 1
    assert Panel.objects.filter(review=review).count() == 1


def test_scheduling_forms_the_panel_and_makes_the_pack(users, review_world):
    from datetime import timedelta

    from django.utils import timezone

    from documents.models import DocumentPack
    from tests.reviews.factories import ReviewFactory

    review = ReviewFactory(person=review_world["person"], created_by=users["commissioner"])
    services.review_schedule(
        actor=users["commissioner"],
        review=review_for_user(users["commissioner"], review.pk),
        starts_at=timezone.now() + timedelta(days=20),
        duration_minutes=420,
        venue="Willow ward",
    )

    assert Panel.objects.filter(review=review).exists()
    assert DocumentPack.objects.filter(review=review).exists()
