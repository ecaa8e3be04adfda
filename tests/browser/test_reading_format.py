"""Needs drive the service: the person reads easy read, so every page they reach is drawn for
easy read (the marker on the page, running text at least 20px at 320 px wide, no sideways
scroll); they fill their planner on a 390 px phone with the keyboard only; and the choice can be
changed and sticks, signed in or not."""

import pytest
from django.urls import reverse

from ctr_portal.services import reading_format_set
from portal.models import Planner

from .conftest import assert_accessible, become

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMALLEST_TEXT = """() => {
  const text = 'main p, main li, main label, main legend, main dd, main td, main a';
  const sizes = [...document.querySelectorAll(text)]
    .filter(e => e.offsetParent !== null && e.innerText.trim())
    .map(e => parseFloat(getComputedStyle(e).fontSize));
  return Math.min(...sizes);
}"""


def test_every_page_the_person_reaches_is_easy_read_at_320_px(page, live_server, review_world):
    person = review_world["participants"]["person"].user
    reading_format_set(user=person, reading_format="easy_read")
    review = review_world["review"]
    become(page, live_server, person)
    page.set_viewport_size({"width": 320, "height": 640})
    for url in (
        reverse("portal:home"),
        reverse("portal:review", args=[review.pk]),
        reverse("portal:planner", args=[review.pk]),
        reverse("portal:planner_question", args=[review.pk, 1]),
        reverse("portal:about_your_review"),
        reverse("portal:ask", args=[review.pk]),
        reverse("accounts:reading_format"),
    ):
        page.goto(live_server.url + url)
        assert "app-format-easy-read" in page.evaluate("document.body.className"), url
        assert page.evaluate(SMALLEST_TEXT) >= 20, url
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, url


def test_the_person_fills_the_planner_on_a_phone_with_the_keyboard_only(
    page, live_server, review_world
):
    person = review_world["participants"]["person"].user
    review = review_world["review"]
    become(page, live_server, person)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + reverse("portal:planner_question", args=[review.pk, 1]))
    assert_accessible(page)
    # Tab to the box, type, and press Enter on the button: no mouse.
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.tagName") != "TEXTAREA":
        page.keyboard.press("Tab")
    page.keyboard.type("I like trains and my dog.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.innerText").strip() == "Save and go on"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('portal:planner_question', args=[review.pk, 2])}")
    assert Planner.objects.get(review=review).about_me == "I like trains and my dog."
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_choice_sticks_signed_out_then_on_the_account(page, live_server, users):
    page.goto(live_server.url + reverse("accounts:reading_format"))
    page.get_by_label("Large print").check()
    page.get_by_role("button", name="Save").click()
    page.goto(live_server.url + reverse("accounts:login"))
    assert "app-format-large-print" in page.evaluate("document.body.className")
    assert page.evaluate(SMALLEST_TEXT) >= 24

    family = users["family_carer"]
    become(page, live_server, family)
    page.goto(live_server.url + reverse("accounts:reading_format"))
    page.get_by_label("Easy read, with pictures").check()
    page.get_by_role("button", name="Save").click()
    family.refresh_from_db()
    assert family.reading_format == "easy_read"
    page.goto(live_server.url + reverse("portal:home"))
    assert "app-format-easy-read" in page.evaluate("document.body.className")
