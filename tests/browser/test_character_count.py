"""A commissioner records a blue light meeting: the character count under "What was agreed?"
counts down as she types and warns when she is over, under the site's own Content Security
Policy (this page is not opened with the policy bypassed, as the other journeys are, so axe,
which is injected inline, is not run here); the server refuses the same text with the same
limit, and keeps it."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import sign_in
from tests.reviews.factories import PersonFactory

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page_under_csp(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1024, "height": 800})
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and problems.append(m.text),
    )
    yield page
    context.close()
    assert not problems, f"Blocked or failing scripts on the page: {problems}"


def test_the_character_count_counts_down_and_the_server_agrees_with_it(
    page_under_csp, live_server, users, organisations
):
    page = page_under_csp
    person = PersonFactory(responsible_commissioner=organisations["icb"], dsr_rating="red")
    client = sign_in(Client(), users["commissioner"])
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )

    # Given the blue light meeting page
    page.goto(reverse("reviews:person_laep", args=[person.pk]))
    outcome = page.get_by_label("What was agreed?")
    status = page.locator(".nhsuk-character-count__status")

    # When she types, the count goes down from 5,000
    outcome.fill("Extra support at home")
    expect(status).to_have_text("You have 4,979 characters remaining")

    # And past the limit, it says by how much
    too_long = "Extra support at home. " + "x" * 5000
    outcome.fill(too_long)
    expect(status).to_have_text("You have 23 characters too many")
    expect(outcome).to_have_class("nhsuk-textarea nhsuk-js-character-count nhsuk-textarea--error")
    screenshot(page, "character-count-over")

    # Then the server refuses it with the same limit, beside the field and in the summary
    today = timezone.localdate()
    group = page.get_by_role("group", name="Date of the meeting")
    group.get_by_label("Day").fill(str(today.day))
    group.get_by_label("Month").fill(str(today.month))
    group.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Save meeting").click()

    message = "Outcome must be 5,000 characters or fewer"
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(message)
    expect(page.locator("#id_outcome-error")).to_contain_text(message)
    assert page.get_by_label("What was agreed?").input_value() == too_long
    expect(status).to_have_text("You have 23 characters too many")
    screenshot(page, "character-count-refused")
    assert not person.laep_meetings.exists()
