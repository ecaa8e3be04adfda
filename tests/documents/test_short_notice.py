"""Short notice works (issue 21, item 6): a pack made inside the normal notice has deadlines
still ahead, asked "as soon as possible"; the provider's and local authority's invitations say
what they owe and by when; a section given online counts as given wherever items are counted."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ctr_portal.formatting import nhs_datetime
from ctr_portal.models import Notification
from ctr_portal.services import _render_email
from documents import services as documents
from documents.extensions import pack_check
from documents.models import ItemStatus, PackItem
from documents.policy import deadlines
from panels import queries as panel_queries
from panels import services as panels
from reviews.models import ParticipantRole, Review
from reviews.queries import review_for_user
from reviews.services import participant_add
from tests.panels.factories import kloe_of

pytestmark = pytest.mark.django_db


def _review_in(review, days):
    Review.objects.filter(pk=review.pk).update(starts_at=timezone.now() + timedelta(days=days))
    review.refresh_from_db()
    return review


def test_a_pack_made_five_days_ahead_has_its_deadlines_ahead_as_soon_as_possible(review_world):
    review = _review_in(review_world["review"], 5)

    pack = documents.pack_for_review(review=review)
    due = deadlines(review)

    now = timezone.now()
    assert due["target"].due_at > now and not due["target"].passed()
    assert due["core"].due_at > now and due["target"].due_at <= due["core"].due_at
    assert due["target"].short_notice
    assert due["target"].wording.startswith("As soon as possible, and by ")
    assert due == deadlines(review, pack_made_at=pack.created_at)


def test_a_pack_made_in_good_time_keeps_the_usual_deadlines(review_world):
    review = _review_in(review_world["review"], 30)
    documents.pack_for_review(review=review)

    due = deadlines(review)

    assert not due["target"].short_notice and not due["core"].short_notice
    assert due["target"].due_at == deadlines(review, pack_made_at=None)["target"].due_at
    assert not due["target"].wording.startswith("As soon as possible")


def test_the_pack_page_asks_as_soon_as_possible_and_says_nothing_passed(review_world, client_for):
    review = _review_in(review_world["review"], 5)
    documents.pack_for_review(review=review)

    page = client_for("commissioner").get(reverse("documents:pack", args=[review.pk]))

    html = page.content.decode()
    assert "As soon as possible, and by" in html
    assert ">Passed<" not in html


def test_the_providers_invitation_says_what_it_owes_and_by_when(review_world, users):
    review = _review_in(review_world["review"], 5)
    pack = documents.pack_for_review(review=review)
    owed = pack.items.filter(responsible="provider").count()
    core_owed = pack.items.filter(responsible="provider", core=True).count()
    core_by = deadlines(review)["core"].due_at

    participant_add(
        actor=users["commissioner"],
        review=review,
        role=ParticipantRole.PROVIDER,
        name="Provider contact",
        email="another.provider@example.nhs.uk",
    )

    notification = Notification.objects.get(
        template="review_invitation", recipient="another.provider@example.nhs.uk"
    )
    [ask] = notification.context["asks"]
    assert ask["count"] == owed > 0
    body = _render_email(notification).body
    assert f"What you are asked for: {owed} documents" in body
    assert f"- {core_owed} core documents: by {nhs_datetime(core_by)}" in body
    assert f"- {owed - core_owed} other documents: as soon as possible, and by " in body


def test_a_section_given_online_counts_as_the_pack_item_given(review_world, users):
    review = review_world["review"]
    pack = documents.pack_for_review(review=review)
    provider = users["provider"]
    before = pack_check(review)

    panels.provider_part_save(
        actor=provider,
        review=review_for_user(provider, review.pk),
        texts={5: "Epilepsy, well controlled.", 6: ""},
    )

    physical = pack.items.get(source__code="physical-health")
    medication = pack.items.get(source__code="medication")
    assert physical.status == ItemStatus.PROVIDED and "online" in physical.reason
    assert medication.status == ItemStatus.OUTSTANDING
    assert pack_check(review).detail != before.detail


def test_a_section_uploaded_to_the_pack_counts_in_the_workbook(review_world, users, client_for):
    review = review_world["review"]
    pack = documents.pack_for_review(review=review)
    PackItem.objects.filter(pack=pack, source__code="medication").update(status=ItemStatus.PROVIDED)
    panel = panels.panel_form(review=review)

    assert panel_queries.provider_section_in_pack(panel, kloe_of(panel, 6))
    assert not panel_queries.provider_section_in_pack(panel, kloe_of(panel, 5))
    page = client_for("clinical_expert").get(reverse("panels:workbook_kloe", args=[review.pk, 6]))
    assert "The provider gave this section as a document in the pack" in page.content.decode()
