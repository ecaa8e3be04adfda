"""Every page about a review, in reviews, panels and documents, comes from one mixin
(reviews/views/base.py) and shows the same breadcrumbs."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def crumbs(response) -> list[str]:
    nav = re.search(r'<nav class="nhsuk-breadcrumb".*?</ol>', response.content.decode(), re.S)
    return re.findall(r'class="nhsuk-breadcrumb__link" href="[^"]*">([^<]*)</a>', nav[0])


@pytest.mark.parametrize(
    "url_name",
    ["reviews:review_schedule", "reviews:review_consent", "panels:concerns", "documents:pack"],
)
def test_review_pages_of_every_app_share_their_breadcrumbs(url_name, client_for, review_world):
    review = review_world["review"]

    response = client_for("commissioner").get(reverse(url_name, args=[review.pk]))

    assert response.status_code == 200
    assert crumbs(response) == ["Home", "Reviews", "CTR for Daniel Clarke"]


def test_a_pack_item_adds_the_pack_to_the_review_page_breadcrumbs(client_for, review_world):
    from documents import services

    review = review_world["review"]
    item = services.pack_for_review(review=review).items.order_by("pk").first()

    response = client_for("commissioner").get(reverse("documents:item", args=[item.pk]))

    assert crumbs(response) == ["Home", "Reviews", "CTR for Daniel Clarke", "Document pack"]


def test_the_breadcrumbs_keep_the_type_of_review_from_someone_the_consent_gate_keeps_out(
    client_for, review_world
):
    review = review_world["review"]

    response = client_for("expert_by_experience").get(
        reverse("reviews:review_independence", args=[review.pk])
    )

    assert response.status_code == 200
    assert crumbs(response) == ["Home", "Reviews", "Review for Daniel Clarke"]
