"""One permission source: the rules and the scoped queries agree, and templates ask only for
permissions that exist."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from ctr_portal.permissions import Perm
from reviews.models import Review
from reviews.queries import reviews_for_user

from ..conftest import ROLES
from .factories import ParticipantFactory, PersonFactory, ReviewFactory

HAS_PERM = re.compile(r"{%\s*has_perm\s+['\"]([^'\"]+)['\"]")


def test_every_permission_a_template_asks_for_is_a_named_permission():
    root = Path(settings.BASE_DIR)
    asked = {
        (str(path.relative_to(root)), name)
        for path in root.glob("*/templates/**/*.html")
        if ".venv" not in path.parts and "node_modules" not in path.parts
        for name in HAS_PERM.findall(path.read_text())
    }
    known = {p.value for p in Perm}
    assert asked, "no template asks has_perm: the pattern is wrong"
    assert not [(path, name) for path, name in asked if name not in known]


@pytest.fixture
def two_icbs(review_world, users, organisations):
    """The review world's review in one ICB, and another person's review in the other ICB, with
    the family carer of the first taking part in the second too."""
    person = PersonFactory(
        responsible_commissioner=organisations["icb_other"],
        created_by=users["commissioner_other_org"],
    )
    other = ReviewFactory(person=person, scheduled=True, created_by=users["commissioner_other_org"])
    ParticipantFactory(review=other, role="advocate", user=users["person"])
    return [review_world["review"], other]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_the_scoped_query_agrees_with_the_view_permission_for_every_review(role, users, two_icbs):
    user = users[role]
    allowed = {
        review.pk
        for review in Review.objects.select_related("person")
        if user.has_perm(Perm.VIEW_REVIEW, review)
    }

    assert set(reviews_for_user(user).values_list("pk", flat=True)) == allowed
