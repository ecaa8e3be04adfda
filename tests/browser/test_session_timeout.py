"""The time-out warning, gentler: typing keeps the session alive, a space typed as the warning
opens does not press "Stay signed in", Escape stays signed in, tabs agree, and a worry being
typed survives a sign-out. A one-minute session (warning at 40 seconds), with Playwright's clock
moving the browser's time."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from tests.factories import PASSWORD

from .conftest import assert_accessible, become

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEEPALIVE = "**/session/keep-alive/"


@pytest.fixture(autouse=True)
def short_session(settings):
    settings.SESSION_COOKIE_AGE = 60
    settings.SESSION_WARNING_SECONDS = 40
    settings.SESSION_RENEW_SECONDS = 5


def dialog(page):
    return page.locator("#session-timeout-dialog")


def is_open(page) -> bool:
    return page.evaluate("document.getElementById('session-timeout-dialog').open")


def test_typing_keeps_the_warning_away_and_the_warning_does_not_take_a_typed_space(
    page, live_server, review_world, users
):
    # Given the person writing a worry
    become(page, live_server, users["person"])
    page.clock.install()
    page.goto(reverse("portal:ask", args=[review_world["review"].pk]))
    box = page.get_by_label("What would you like to tell us?")
    box.click()

    # When they keep typing, past the time the warning would have come
    page.clock.run_for(30_000)
    with page.expect_response(KEEPALIVE):
        page.keyboard.type("Staff shouted")
    page.clock.run_for(30_000)

    # Then no warning: their typing renewed the session
    assert not is_open(page)

    # When they stop, the warning opens with the focus on its heading, not its button
    page.clock.run_for(15_000)
    assert is_open(page)
    assert page.evaluate("document.activeElement.id") == "session-timeout-heading"
    assert_accessible(page)

    # And a space meant for their text does not press "Stay signed in"
    page.keyboard.press("Space")
    page.clock.run_for(100)
    assert is_open(page)

    # When they press Escape, they stay signed in, back where they were typing
    with page.expect_response(KEEPALIVE) as answer:
        page.keyboard.press("Escape")
    assert answer.value.ok
    dialog(page).wait_for(state="hidden")
    assert page.evaluate("document.activeElement.name") == "details"
    assert box.input_value() == "Staff shouted"
    page.clock.run_for(35_000)
    assert not is_open(page)


def test_a_renewal_in_one_tab_keeps_the_other_tab_signed_in(page, live_server, review_world, users):
    # Given the person with their review open in two tabs
    become(page, live_server, users["person"])
    page.clock.install()
    other = page.context.new_page()
    review_page = reverse("portal:review", args=[review_world["review"].pk])
    page.goto(review_page)
    other.goto(review_page)

    # When both warn, and they stay signed in from the first tab
    page.clock.run_for(45_000)
    assert is_open(page) and is_open(other)
    with page.expect_response(KEEPALIVE):
        page.get_by_role("button", name="Stay signed in").click()

    # Then the second tab's warning closes, and it is not sent to sign in when its own time
    # would have run out
    dialog(other).wait_for(state="hidden")
    page.clock.run_for(30_000)
    assert other.url.endswith(review_page)
    assert not is_open(other)


def test_a_worry_being_typed_when_the_session_ends_is_offered_back_after_signing_in(
    page, live_server, review_world, users
):
    person = users["person"]
    ask = reverse("portal:ask", args=[review_world["review"].pk])

    # Given the person part way through a worry
    become(page, live_server, person)
    page.clock.install()
    page.goto(ask)
    page.get_by_label("Tell the commissioner about a worry").check()
    page.get_by_label("What would you like to tell us?").fill("Nobody came to my ward round.")

    # When the session ends on the server and the page sees its time run out
    Session.objects.all().delete()
    page.clock.run_for(61_000)
    page.wait_for_url("**/sign-in/**")
    assert "You were signed out" in page.locator("main").inner_text()

    # Then, signed in again, they are back on the form with what they wrote
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{ask}")
    box = page.get_by_label("What would you like to tell us?")
    assert box.input_value() == "Nobody came to my ward round."
    assert page.get_by_label("Tell the commissioner about a worry").is_checked()
    assert "We kept what you were writing" in page.locator("main").inner_text()
    assert_accessible(page)

    # And once it is sent, it is not offered again
    page.get_by_role("button", name="Send").click()
    assert "will reply to you here by" in page.locator("main").inner_text()
    page.goto(ask)
    assert page.get_by_label("What would you like to tell us?").input_value() == ""
