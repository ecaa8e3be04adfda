"""review_for_user asks the scope of the row it loaded, in Python, rather than in the database
(issue 13: the query planned seven tables with the scope's ORs on every review page). It must
answer exactly as reviews_for_user does: for every user, every review."""

import pytest
from django.contrib.auth.models import AnonymousUser

from reviews.queries import review_for_user, reviews_for_user


@pytest.mark.django_db
def test_review_for_user_agrees_with_reviews_for_user(users, review_world, second_review_world):
    from reviews.models import Review

    reviews = list(Review.objects.order_by("pk"))
    assert len(reviews) >= 2
    seen = set()
    for name, user in users.items():
        in_scope = set(reviews_for_user(user).values_list("pk", flat=True))
        for review in reviews:
            found = review_for_user(user, review.pk)
            assert (found is not None) == (review.pk in in_scope), (name, review.pk)
            seen.add(found is not None)
    assert seen == {True, False}, "some users see a review and some do not"
    assert review_for_user(AnonymousUser(), reviews[0].pk) is None
    assert review_for_user(users["commissioner"], 10**9) is None
