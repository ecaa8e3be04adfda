"""The pack's policy is written twice: `documents.queries.visible_items_filter` says which items a
user may know of (the rest are not found, 404) and `documents.rules` which they may open (403).
They must agree, role by role: every item is either found and opened, or not found and not
opened. The one deliberate difference is a panel member's "not yet" (the reading window shut,
or independence not declared): they take part in the review, so the items the consent lets the
panel know of are found and refused (403), as the access matrix says.

The world: review_world's pack, with items owed by the ICB, the provider, the local authority
and an organisation with no part in the review (as when the person has moved hospital since the
pack was made), and one item named to the provider's ward manager; consent given or withdrawn;
the panel's window open or shut.
"""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from ctr_portal.models import Organisation
from ctr_portal.permissions import Perm
from documents import queries
from documents.models import PackItem
from documents.policy import panel_window
from reviews.models import Review
from tests.conftest import ROLES
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.reviews.factories import ConsentRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(review_world, items, users, organisations):
    elsewhere = OrganisationFactory(name="Hilltop Hospital", kind=Organisation.Kind.PROVIDER)
    hilltop = UserFactory(email="hilltop.ward@example.nhs.uk")
    MembershipFactory(user=hilltop, organisation=elsewhere, job_title="Ward manager")
    owed = {
        "risk-assessments": organisations["local_authority"],
        "medication": elsewhere,
    }
    for code, organisation in owed.items():
        PackItem.objects.filter(pk=items[code].pk).update(organisation=organisation)
    PackItem.objects.filter(pk=items["progress-notes"].pk).update(assignee=users["provider"])
    return {"users": {**users, "elsewhere": hilltop}, "review": review_world["review"]}


def _found_and_opened(user, review_pk):
    """{item pk: (found by the query, opened by the rule)}, the rule asked of the review as
    loaded afresh (so for every user, not only those the query lets find it)."""
    review = Review.objects.select_related("person").get(pk=review_pk)
    answers = {}
    for item in PackItem.objects.filter(pack__review=review).select_related("pack"):
        item.pack.review = review
        found = queries.item_for_user(user, item.pk) is not None
        answers[item.pk] = (found, user.has_perm(Perm.VIEW_PACK_ITEM, item))
    return answers


def _panel_not_yet(role, window_open):
    """The panel members the rule refuses for now: outside the window, or not yet declared."""
    return role == "expert_by_experience" or (role == "clinical_expert" and not window_open)


@pytest.mark.parametrize("consent", ["given", "withdrawn"])
@pytest.mark.parametrize("window", ["open", "shut"])
def test_every_role_finds_exactly_the_items_it_may_open(world, consent, window):
    review = world["review"]
    if consent == "withdrawn":
        ConsentRecordFactory(review=review, withdrawn=True)
    day = timezone.localdate(review.starts_at) if window == "open" else timezone.localdate()
    noon = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
    disagreements, outcomes = [], set()
    with time_machine.travel(noon + timedelta(hours=12), tick=False):
        assert panel_window(review).is_open == (window == "open")
        for role in [*ROLES, "elsewhere"]:
            user = world["users"][role]
            for pk, (found, opened) in _found_and_opened(user, review.pk).items():
                outcomes.add((found, opened))
                # Found and opened, or neither; a panel member refused for now opens none.
                should_open = found and not _panel_not_yet(role, window == "open")
                if opened != should_open:
                    disagreements.append(f"{role}: item {pk} found={found} opened={opened}")

    assert not disagreements, "\n".join(disagreements)
    assert {(True, True), (False, False)} <= outcomes  # both answers were exercised
