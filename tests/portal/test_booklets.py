"""The booklets before the review: the easy-read "My Care and Treatment Review" pages, open to
anyone, and the commissioner's record of how and when the person had them (or why not), without
which the review is not ready."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ctr_portal.formatting import nhs_date
from portal.models import Booklets
from reviews.queries import review_for_user
from reviews.readiness import missing_before_ready
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_the_easy_read_booklet_is_open_to_anyone_signed_out(client):
    page = client.get(reverse("portal:about_your_review"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "A Care and Treatment Review is a meeting about you and your care." in body
    assert "call 999" in body and "app-easy-read" in body


def test_the_review_is_not_ready_until_the_booklets_are_recorded(client, review_world):
    review = review_world["review"]
    commissioner = review.created_by

    def missing():
        return [i.key for i in missing_before_ready(review_for_user(commissioner, review.pk))]

    assert "booklets" in missing()
    sign_in(client, commissioner)
    url = reverse("portal:booklets", args=[review.pk])
    day = timezone.localdate() - timedelta(days=6)
    response = client.post(
        url,
        {
            "how": "post",
            "given_on[day]": str(day.day),
            "given_on[month]": str(day.month),
            "given_on[year]": str(day.year),
            "reason_not_given": "",
        },
    )
    assert response.status_code == 302, response.content.decode()
    booklets = Booklets.objects.get(review=review)
    assert booklets.how == "post" and booklets.given_on == day
    assert "booklets" not in missing()
    page = client.get(reverse("reviews:review_detail", args=[review.pk])).content.decode()
    assert f"Posted to them, {nhs_date(day)}" in page


def test_not_having_them_needs_a_reason_and_keeps_what_was_typed(client, review_world):
    review = review_world["review"]
    sign_in(client, review.created_by)
    url = reverse("portal:booklets", args=[review.pk])
    response = client.post(url, {"how": "not_given", "reason_not_given": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter why they did not have them" in body
    assert not Booklets.objects.exists()
    response = client.post(
        url, {"how": "not_given", "reason_not_given": "He did not want them this time."}
    )
    assert response.status_code == 302
    assert Booklets.objects.get().reason_not_given == "He did not want them this time."


def test_only_the_reviews_commissioners_record_them(client, review_world):
    review = review_world["review"]
    sign_in(client, review_world["participants"]["family_carer"].user)
    assert client.get(reverse("portal:booklets", args=[review.pk])).status_code == 403
