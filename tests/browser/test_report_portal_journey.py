"""The chair issues the report; the family carer signs in on a phone (390 px wide), reads the
report from the portal and sees how a recommendation is going."""

import pytest

from recommendations.models import Recommendation, State
from tests.reports.factories import report_world

from .conftest import assert_accessible, become, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_chair_issues_and_the_family_reads_it_on_a_phone(
    page, live_server, review_world, users
):
    world = report_world(review_world)
    review = world["review"]
    Recommendation.objects.filter(review=review, number=1).update(state=State.IN_PROGRESS)
    Recommendation.objects.filter(review=review, number__gt=1).update(state=State.AGREED)

    become(page, live_server, world["chair"])
    page.goto(f"/reviews/{review.pk}/")
    page.get_by_role("link", name="The report", exact=True).click()
    page.get_by_role("link", name="Issue the report").click()
    assert "Marion Carer" in page.locator("main").inner_text()  # the consent lets her have it
    assert_accessible(page)
    page.get_by_role("button", name="Issue the report").click()
    assert "Version 1 issued" in page.locator("main").inner_text()
    review.refresh_from_db()
    assert review.state == "report_issued"

    page.set_viewport_size({"width": 390, "height": 844})
    become(page, live_server, users["family_carer"])
    page.goto("/")
    page.get_by_role("link", name="Care and Treatment Review for Daniel Clarke").first.click()
    main = page.locator("main")
    assert "The report" in main.inner_text()
    progress = main.inner_text()
    assert "Riverside Hospital has started." in progress
    assert "Action number 1: review the positive behaviour support plan" in progress
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off
    screenshot(page, "portal-family-390")

    page.get_by_role("link", name="Read the report").click()
    body = page.locator("main").inner_text()
    assert "Daniel" in body and "Action number 1" in body
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    screenshot(page, "portal-report-390")
