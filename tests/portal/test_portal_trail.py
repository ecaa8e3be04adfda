"""The person and family stay in their portal: the header and every page about their review
lead back to the portal's page for it, never to the professional review page."""

import re

import pytest
from django.urls import reverse

from reports import services as reports
from reviews.queries import review_for_user
from tests.conftest import sign_in
from tests.reports.factories import report_world

pytestmark = pytest.mark.django_db


def breadcrumb_links(html) -> list[str]:
    trail = re.search(r'<nav class="nhsuk-breadcrumb".*?</nav>', html, re.S).group(0)
    return re.findall(r'href="([^"]+)"', trail)


def header_links(html) -> list[str]:
    menu = re.search(r'<nav class="nhsuk-header__navigation".*?</nav>', html, re.S).group(0)
    return re.findall(r'href="([^"]+)"', menu)


@pytest.fixture
def issued(review_world, users):
    world = report_world(review_world)
    chair = world["chair"]
    reports.report_issue(actor=chair, review=review_for_user(chair, world["review"].pk))
    return {**world, "users": users}


@pytest.mark.parametrize("role", ["person", "family_carer"])
def test_the_report_leads_the_person_and_family_back_to_their_portal(issued, client, role):
    review = issued["review"]
    sign_in(client, issued["users"][role])
    html = client.get(reverse("reports:report", args=[review.pk])).content.decode()
    links = breadcrumb_links(html)
    assert reverse("portal:review", args=[review.pk]) in links
    assert reverse("portal:home") in links
    assert reverse("reviews:review_detail", args=[review.pk]) not in links
    assert reverse("reviews:review_list") not in header_links(html)
    assert reverse("portal:home") in header_links(html)


def test_a_professional_keeps_the_review_pages_trail(issued, client):
    review = issued["review"]
    sign_in(client, issued["users"]["commissioner"])
    html = client.get(reverse("reports:report", args=[review.pk])).content.decode()
    assert reverse("reviews:review_detail", args=[review.pk]) in breadcrumb_links(html)
    assert reverse("reviews:review_list") in header_links(html)


def test_hard_words_are_spelt_out_where_they_first_appear_and_explained_on_their_page(
    issued, client
):
    from recommendations.models import Recommendation

    review = issued["review"]
    Recommendation.objects.filter(review=review, number=1).update(
        action="Review the medicine under STOMP with the MDT. STOMP again."
    )
    sign_in(client, issued["users"]["family_carer"])
    html = client.get(reverse("portal:review", args=[review.pk])).content.decode()
    assert "under STOMP (stopping over-medication of people" in html
    assert "MDT (multi-disciplinary team)" in html
    assert html.count("(stopping over-medication") == 1  # once a page
    assert "What is a Care and Treatment Review?" in html
    words = reverse("portal:words")
    assert f'href="{words}"' in html

    page = client.get(words).content.decode()
    for word in ("CTR", "C(E)TR", "KLOE", "STOMP", "MDT", "ICB", "IMHA"):
        assert f">{word}:" in page, word
    assert 'id="imha"' in page
