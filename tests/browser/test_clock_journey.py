"""The review clock follows the person: a commissioner admits someone with a community review
open, sees the post-admission review's due date, records their discharge and is asked for their
new Dynamic Support Register rating, which they give."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ctr_portal.formatting import nhs_date
from ctr_portal.models import Organisation
from reviews import services
from reviews.models import ReviewKind, ReviewState
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.reviews.factories import PersonFactory

from .conftest import assert_accessible, become

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSPITAL = "Riverside Hospital"


@pytest.fixture
def world():
    commissioner = UserFactory(email="asha.patel@example.nhs.uk", display_name="Asha Patel")
    icb = OrganisationFactory(name="NHS North Shore ICB", kind=Organisation.Kind.ICB)
    MembershipFactory(user=commissioner, organisation=icb, job_title="Case manager")
    OrganisationFactory(name=HOSPITAL, kind=Organisation.Kind.PROVIDER)
    person = PersonFactory(
        given_name="Daniel", family_name="Clarke", responsible_commissioner=icb, dsr_rating="red"
    )
    community = services.review_plan(actor=commissioner, person=person, kind=ReviewKind.COMMUNITY)
    return commissioner, person, community


def record_change(page, what, *, hospital: bool):
    page.get_by_role("link", name="Record an admission, discharge or move").click()
    page.get_by_label(what).check()
    today = timezone.localdate()
    group = page.get_by_role("group", name="Date it happened", exact=True)
    group.get_by_label("Day").fill(str(today.day))
    group.get_by_label("Month").fill(str(today.month))
    group.get_by_label("Year").fill(str(today.year))
    if hospital:
        page.get_by_label("In hospital", exact=True).check()
        page.get_by_label("Non-secure").check()
        page.get_by_label("Hospital", exact=True).select_option(label=HOSPITAL)
        page.get_by_label("Ward (optional)").fill("Willow ward")
    else:
        page.get_by_label("In the community", exact=True).check()


def test_commissioner_admits_then_discharges_and_is_asked_for_a_new_rating(
    page, live_server, world
):
    commissioner, person, community = world
    today = timezone.localdate()
    become(page, live_server, commissioner)
    page.goto(f"/people/{person.pk}/")

    # When they record the admission, closing the community review it has overtaken
    record_change(page, "Admitted to hospital", hospital=True)
    question = page.get_by_role("group", name="What happens to the community review")
    assert question.is_visible()
    assert_accessible(page)
    page.get_by_label("Close it: the admission has overtaken it").check()
    page.get_by_role("button", name="Save").click()

    # Then the post-admission review is due 28 days from the admission
    due = nhs_date(today + timedelta(days=28))
    main = page.locator("main")
    assert f"A post-admission review is now due by {due}." in main.inner_text()
    reviews = page.locator("#reviews").locator("xpath=..")
    assert "Post-admission" in reviews.inner_text()
    assert "Blue" in page.locator("#dsr").locator("xpath=..").inner_text()
    community.refresh_from_db()
    assert community.state == ReviewState.CANCELLED
    assert_accessible(page)

    # When they record the discharge
    record_change(page, "Discharged to the community", hospital=False)
    page.get_by_role("button", name="Save").click()

    # Then the page asks for their new rating, and the post-admission review has ended
    prompt = page.locator(".nhsuk-warning-callout")
    assert f"Discharged from hospital on {nhs_date(today)}: record their new rating" in (
        prompt.inner_text()
    )
    assert "Not rated" in page.locator("#dsr").locator("xpath=..").inner_text()
    assert_accessible(page)
    assert not person.reviews.filter(state=ReviewState.PLANNED).exists()

    # When they give the new rating, the question goes away
    prompt.get_by_role("link", name="Record their Dynamic Support Register rating").click()
    page.get_by_label("Amber").check()
    page.get_by_label("Why is the rating changing?").fill("Home again; support still settling")
    page.get_by_role("button", name="Save rating").click()
    assert "rating changed to Amber" in page.locator("main").inner_text()
    assert page.locator(".nhsuk-warning-callout").count() == 0
