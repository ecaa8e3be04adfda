"""The chair writes a recommendation with no owner (refused, with what was typed kept), names
the owner and sends it (added after the report was issued: sent on its own); the owner signs in
from the recommendation's link, accepts it and marks it done with evidence; the commissioner's
tracker shows it waiting for their check. (Issuing the report with its plan, and the check, are
test_action_plan_journey.py.)"""

import datetime

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from recommendations.models import Recommendation, State
from reviews.models import ReviewState
from tests.documents.factories import pdf_bytes
from tests.factories import PASSWORD

from .conftest import assert_accessible, become, screenshot
from .test_sign_in import code_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTION = "Arrange a housing assessment with North Shore Council for Daniel"


def test_a_recommendation_is_written_owned_and_done(
    page, live_server, review_world, users, tmp_path
):
    review = review_world["review"]
    evidence = tmp_path / "housing-assessment.pdf"
    evidence.write_bytes(pdf_bytes("Housing assessment for Daniel"))

    recommendation = the_chair_writes_it_without_an_owner_then_fixes_it(
        page, live_server, users, review
    )
    the_owner_signs_in_from_its_link_accepts_and_marks_it_done(
        page, users["provider"], recommendation, evidence
    )
    the_commissioners_tracker_shows_it_done(page, live_server, users)


def the_chair_writes_it_without_an_owner_then_fixes_it(page, live_server, users, review):
    become(page, live_server, users["chair"])
    page.goto(f"/reviews/{review.pk}/")
    page.get_by_role("link", name="Recommendations", exact=True).click()
    page.get_by_role("button", name="Write a recommendation").click()
    page.get_by_label("KLOE 9").check()
    page.get_by_label("What will be done").fill(ACTION)
    page.get_by_label("How will everyone know it is done?").fill(
        "The assessment report is shared with Daniel and his family"
    )
    page.get_by_label("Local authority").check()
    due = review.review_date + datetime.timedelta(days=60)
    page.get_by_label("Day").first.fill(str(due.day))
    page.get_by_label("Month").first.fill(str(due.month))
    page.get_by_label("Year").first.fill(str(due.year))
    page.get_by_role("button", name="Save recommendation").click()

    assert page.title().startswith("Error: ")
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert "Select the person responsible" in summary
    assert page.get_by_label("What will be done").input_value() == ACTION
    assert_accessible(page)
    screenshot(page, "recommendation-no-owner")

    page.get_by_label("Who is responsible?").select_option(
        label="Sam Whitfield (Riverside Hospital)"
    )
    page.get_by_role("button", name="Save recommendation").click()
    assert "Recommendation 1" in page.get_by_role("heading", level=1).inner_text()
    review.state = ReviewState.REPORT_ISSUED  # added after the report: sent on its own
    review.save(update_fields=["state"])
    page.reload()
    page.get_by_role("link", name="Send to the owner").click()
    page.get_by_role("button", name="Send to the owner").click()
    assert "Waiting for the owner to accept" in page.locator("main").inner_text()
    assert_accessible(page)
    return Recommendation.objects.get(review=review)


def the_owner_signs_in_from_its_link_accepts_and_marks_it_done(
    page, owner, recommendation, evidence
):
    device = TOTPDevice.objects.create(user=owner, name="phone", confirmed=True)
    page.context.clear_cookies()
    page.goto(f"/recommendations/{recommendation.pk}/")  # the link in the email
    page.get_by_label("Email address").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Security code").fill(code_for(device))
    page.get_by_role("button", name="Continue").click()
    assert "Recommendation 1" in page.get_by_role("heading", level=1).inner_text()

    page.get_by_role("link", name="Accept or dispute").click()
    page.get_by_label("Yes, I accept it").check()
    page.get_by_label("This action is within my remit").check()
    page.get_by_role("button", name="Send your answer").click()
    page.get_by_role("link", name="Mark as done").click()
    page.get_by_label("Evidence that it has been done").fill(
        "Assessment completed on the ward; report shared with Daniel and his mother"
    )
    page.locator("input[type=file]").set_input_files(str(evidence))
    page.get_by_role("button", name="Mark as done").click()
    main = page.locator("main").inner_text()
    assert "Marked done" in main and "housing-assessment.pdf" in main
    assert_accessible(page)
    screenshot(page, "recommendation-done")
    recommendation.refresh_from_db()
    assert recommendation.state == State.DONE_CLAIMED


def the_commissioners_tracker_shows_it_done(page, live_server, users):
    become(page, live_server, users["commissioner"])
    page.goto("/")
    page.get_by_role("link", name="Recommendations tracker").first.click()
    row = page.locator("tbody tr", has_text=ACTION[:40])
    assert "Marked done — waiting for the commissioner to check" in row.inner_text()
    assert_accessible(page)
