"""The issued report in the portal: for the person, easy read first; for a family carer only
while the consent lets them receive it, asked again at every request."""

import pytest
from django.urls import reverse

from reports.services import report_issue
from tests.conftest import sign_in
from tests.reviews.factories import ConsentRecordFactory

from .factories import seen_by

pytestmark = pytest.mark.django_db


def portal_page(client, review):
    return client.get(reverse("portal:review", args=[review.pk])).content.decode()


def test_the_family_carer_reads_the_issued_report_until_consent_is_withdrawn(
    held_world, users, client
):
    review = held_world["review"]
    report_issue(actor=held_world["chair"], review=seen_by(held_world["chair"], review))
    sign_in(client, users["family_carer"])
    html = portal_page(client, review)
    full = reverse("reports:version", args=[review.pk, 1])
    assert "The report" in html and full in html
    easy = reverse("reports:version_easy_read", args=[review.pk, 1])
    assert html.index(f'href="{full}"') < html.index(f'href="{easy}"')
    assert client.get(full).status_code == 200

    ConsentRecordFactory(review=review, withdrawn=True, recorded_by=review.created_by)
    html = portal_page(client, review)
    assert full not in html
    assert client.get(full).status_code in (403, 404)


def test_the_person_is_offered_the_easy_read_report_first(held_world, users, client):
    review = held_world["review"]
    report_issue(actor=held_world["chair"], review=seen_by(held_world["chair"], review))
    sign_in(client, users["person"])
    html = portal_page(client, review)
    easy = f'href="{reverse("reports:version_easy_read", args=[review.pk, 1])}"'
    full = f'href="{reverse("reports:version", args=[review.pk, 1])}"'
    assert html.index(easy) < html.index(full)


def test_no_report_section_before_the_report_is_issued(held_world, users, client):
    sign_in(client, users["family_carer"])
    assert "Read the report" not in portal_page(client, held_world["review"])
