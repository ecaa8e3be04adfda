"""An integer a query string carries (a filter's id, a page number) past what the database takes,
or below 1, is handled as the page handles any bad value: the filter is ignored, the page is the
last (or first) one. Never a 500 (the tracker answered one to ?review=99999999999999999999 on
SQLite; on PostgreSQL the bound is the same: ids are bigint, limits.INTEGER_MAX)."""

import pytest
from django.test import Client
from django.urls import reverse

from ctr_portal.limits import INTEGER_MAX
from tests.conftest import sign_in
from tests.recommendations.factories import RecommendationFactory

pytestmark = pytest.mark.django_db
TOO_BIG = ["99999999999999999999", str(INTEGER_MAX + 1), "-1", "0"]


@pytest.fixture
def commissioner(review_world, users):
    return sign_in(Client(raise_request_exception=False), users["commissioner"])


@pytest.mark.parametrize("value", TOO_BIG)
@pytest.mark.parametrize("name", ["recommendations:tracker", "recommendations:tracker_csv"])
def test_the_tracker_ignores_a_review_filter_out_of_range(review_world, commissioner, name, value):
    RecommendationFactory(review=review_world["review"], action="Shown whatever the filter")
    response = commissioner.get(reverse(name), {"review": value})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Shown whatever the filter" in text


def test_the_tracker_still_filters_by_a_review_in_range(review_world, commissioner):
    RecommendationFactory(review=review_world["review"], action="Not this review's")
    text = commissioner.get(reverse("recommendations:tracker_csv"), {"review": INTEGER_MAX})
    assert text.status_code == 200
    assert "Not this review's" not in text.content.decode()


def metrics_rows(world):
    return reverse(
        "metrics:rows", args=[world["review"].person.responsible_commissioner.pk, "reviews-on-time"]
    )


@pytest.mark.parametrize("value", TOO_BIG)
@pytest.mark.parametrize(
    ("url", "param"),
    [
        (lambda w: reverse("recommendations:tracker"), "page"),
        (lambda w: reverse("reviews:review_list"), "page"),
        (lambda w: reverse("reviews:review_list"), "organisation"),
        (lambda w: reverse("reviews:person_list"), "page"),
        (lambda w: reverse("dashboard"), "organisation"),
        (lambda w: reverse("oversight:at"), "organisation"),
        (lambda w: reverse("oversight:at_csv"), "organisation"),
        (metrics_rows, "page"),
    ],
)
def test_every_integer_in_a_query_string_is_bounded(review_world, commissioner, url, param, value):
    response = commissioner.get(url(review_world), {param: value})
    assert response.status_code in (200, 302), (url(review_world), param, value)
