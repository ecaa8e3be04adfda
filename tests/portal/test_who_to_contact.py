"""Who to contact about their review: the case manager's name, role and phone on every page the
person and family reach, in easy read when that is how they read (issue 22, point 3)."""

import pytest
from django.urls import reverse

from tests.conftest import sign_in
from tests.reviews.factories import ParticipantFactory, UserFactory

from .factories import held_review_like

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(review_world, users, organisations):
    organisations["icb"].contact_phone = "0113 496 0000"
    organisations["icb"].save()
    manager = UserFactory(email="sam.patel@example.nhs.uk", display_name="Sam Patel")
    ParticipantFactory(
        review=review_world["review"],
        role="commissioner",
        user=manager,
        added_by=review_world["review"].created_by,
    )
    return {**review_world, "users": users}


def box(html: str) -> str:
    """The "who to contact" inset of a page, or "" when it has none."""
    start = html.find("data-who-to-contact")
    return html[start : html.find("</section>", start)] if start >= 0 else ""


def portal_pages(review):
    return [
        reverse("dashboard"),
        reverse("portal:home"),
        reverse("portal:words"),
        reverse("portal:about_your_review"),
        reverse("portal:review", args=[review.pk]),
        reverse("portal:ask", args=[review.pk]),
        reverse("portal:planner", args=[review.pk]),
        reverse("portal:planner_question", args=[review.pk, 1]),
        reverse("accounts:account"),
        reverse("accounts:reading_format"),
    ]


@pytest.mark.parametrize("role", ["person", "family_carer"])
def test_every_page_the_person_and_family_reach_says_who_to_contact(world, client, role):
    sign_in(client, world["users"][role])
    for url in portal_pages(world["review"]):
        contact = box(client.get(url).content.decode())
        assert "Who to contact about" in contact, url
        assert "Sam Patel" in contact and "case manager at NHS North Shore ICB" in contact, url
        assert "the person who organises your review" in contact, url
        assert 'href="tel:01134960000">0113 496 0000</a>' in contact, url
        assert "sam.patel@example.nhs.uk" in contact, url


def test_in_easy_read_the_contact_is_short_sentences_beside_a_picture(world, client):
    person = world["users"]["person"]
    person.reading_format = "easy_read"
    person.save()
    sign_in(client, person)
    contact = box(client.get(reverse("portal:home")).content.decode())
    assert "<strong>Sam Patel</strong> is the person who organises your review" in contact
    assert "You can phone them on" in contact and "0113 496 0000" in contact
    assert '<svg class="app-symbol"' in contact and "<title>A person with a calendar</title>" in (
        contact
    )
    assert 'aria-hidden="true"' in contact  # the sentence beside it says the same


def test_without_a_case_manager_the_contact_is_who_planned_the_review(world, client):
    world["review"].participants.filter(role="commissioner").delete()
    sign_in(client, world["users"]["family_carer"])
    contact = box(client.get(reverse("portal:words")).content.decode())
    assert world["review"].created_by.display_name in contact
    assert "Sam Patel" not in contact


def test_staff_pages_have_no_contact_box(world, client):
    for role in ("commissioner", "chair"):
        sign_in(client, world["users"][role])
        assert box(client.get(reverse("dashboard")).content.decode()) == ""


def test_a_page_about_one_review_names_that_reviews_contact_only(world, client):
    older = held_review_like(world, days_ago=400)
    older.state = "closed"
    older.save()
    ParticipantFactory(
        review=older,
        role="commissioner",
        user=UserFactory(email="old.manager@example.nhs.uk", display_name="Jo Old"),
        added_by=older.created_by,
    )
    sign_in(client, world["users"]["family_carer"])
    on_older = box(client.get(reverse("portal:review", args=[older.pk])).content.decode())
    assert "Jo Old" in on_older and "Sam Patel" not in on_older
    on_home = box(client.get(reverse("portal:home")).content.decode())
    assert "Sam Patel" in on_home and "Jo Old" not in on_home  # the closed review's is not


def _count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_contact_costs_the_same_queries_however_many_reviews(world, client):
    family = world["users"]["family_carer"]
    sign_in(client, family)
    one = _count(client, reverse("portal:words"))
    for n in range(8):
        held_review_like(world, days_ago=10 + n)
    assert _count(client, reverse("portal:words")) == one
