"""On a tablet-sized screen (768 px wide): a clinical expert fills two KLOEs and they save
themselves as she types; she reloads and her text is there. The chair then consolidates one
KLOE from the members' workbooks side by side."""

import pytest
from playwright.sync_api import expect

from panels import queries, services
from reviews.queries import review_for_user
from tests.panels.factories import ensure_kloe_sets, kloe_of, make_held

from .conftest import assert_accessible, become, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 768, "height": 1024}
KLOE_1_FINDINGS = (
    "Dan says he feels safe on Willow ward. No safeguarding referrals since admission."
)
KLOE_1_QUOTE = "The staff here are kind to me."
KLOE_2_FINDINGS = "The MDT agree Dan could live in the community with a specialist provider."
AGREED_FINDING = "Dan is safe on Willow ward. He told us the staff are kind to him."


def assert_fits(page):
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth)
            .map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' +
                 Math.round(e.getBoundingClientRect().right)).slice(0, 10)"""
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"], wide


@pytest.fixture
def quick_autosave(monkeypatch):
    from panels import policy

    monkeypatch.setattr(policy, "AUTOSAVE_DELAY_MS", 300)


def test_clinical_expert_fills_two_kloes_with_autosave_and_the_chair_consolidates_one(
    page, live_server, review_world, users, quick_autosave
):
    ensure_kloe_sets()
    console_errors = []
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
    review = review_world["review"]
    page.set_viewport_size(TABLET)

    given_the_clinical_expert_opens_kloe_1_of_her_workbook(page, live_server, users, review)
    when_she_types_rates_and_adds_a_quote_without_pressing_a_button(page)
    and_goes_on_to_kloe_2_and_types_there_too(page)
    then_after_a_reload_her_text_is_there(page, review)
    and_a_save_from_another_tab_based_on_the_old_version_is_not_applied(page, users, review)
    when_the_review_has_been_held_the_chair_consolidates_kloe_1(page, live_server, users, review)
    then_the_panels_view_of_kloe_1_is_saved(page)

    # And nothing was refused by the Content Security Policy along the way
    assert not console_errors, console_errors


# --- the journey's steps ---------------------------------------------------------------------


def autosave_status(page):
    return page.locator("#autosave-status")


def given_the_clinical_expert_opens_kloe_1_of_her_workbook(page, live_server, users, review):
    """On a tablet."""
    become(page, live_server, users["clinical_expert"])
    page.goto(f"/panels/reviews/{review.pk}/workbook/")
    assert "You have finished 0 of 11" in page.locator("main").inner_text()
    assert_accessible(page)
    assert_fits(page)
    page.get_by_role("link", name="KLOE 1: Key areas of concern").click()
    assert page.get_by_role("heading", level=1).inner_text().endswith("Key areas of concern")
    assert page.get_by_text("Where to look:").first.is_visible()
    assert_accessible(page)
    assert_fits(page)


def when_she_types_rates_and_adds_a_quote_without_pressing_a_button(page):
    """Her findings, a rating and a quote."""
    status = autosave_status(page)
    page.get_by_label("Your findings").fill(KLOE_1_FINDINGS)
    expect(status).to_contain_text("Saved at")
    page.get_by_label("No concerns").check()
    page.get_by_label("A conversation").check()
    page.get_by_label("Who you spoke to, what you saw, or a document not in the pack").fill("Dan")
    page.get_by_label("What it shows, or what was said").fill(KLOE_1_QUOTE)
    page.get_by_label("Yes, the person's own words").check()
    expect(status).to_contain_text("Saved at")
    page.wait_for_load_state("networkidle")  # let the last change's save land
    screenshot(page, "panels-kloe-autosaved-768")


def and_goes_on_to_kloe_2_and_types_there_too(page):
    page.get_by_role("link", name="Next: KLOE 2, Does the person need to be in hospital?").click()
    page.get_by_label("Your findings").fill(KLOE_2_FINDINGS)
    page.get_by_label("Some concerns").check()
    expect(autosave_status(page)).to_contain_text("Saved at")
    page.wait_for_load_state("networkidle")


def then_after_a_reload_her_text_is_there(page, review):
    page.reload()
    expect(page.get_by_label("Your findings")).to_have_value(KLOE_2_FINDINGS)
    expect(page.get_by_label("Some concerns")).to_be_checked()
    assert "Last saved: " in autosave_status(page).inner_text()
    page.goto(f"/panels/reviews/{review.pk}/workbook/kloe/1/")
    expect(page.get_by_label("Your findings")).to_have_value(KLOE_1_FINDINGS)
    expect(page.get_by_label("What it shows, or what was said").first).to_have_value(KLOE_1_QUOTE)
    expect(page.get_by_label("Yes, the person's own words").first).to_be_checked()


def and_a_save_from_another_tab_based_on_the_old_version_is_not_applied(page, users, review):
    expert = users["clinical_expert"]
    workbook = services.workbook_open(actor=expert, review=review_for_user(expert, review.pk))
    kloe = kloe_of(workbook.panel, 2)
    answer = queries.answer_for(workbook, kloe)
    services.kloe_answer_save(
        actor=expert,
        workbook=workbook,
        kloe=kloe,
        expected_version=answer.version,
        findings="Written in another tab.",
        rating="some_concerns",
    )
    page.goto(f"/panels/reviews/{review.pk}/workbook/kloe/2/")
    page.evaluate("document.getElementById('id_version').value = '1'")  # as if opened earlier
    page.get_by_label("Your findings").fill("Written in this tab.")
    expect(autosave_status(page)).to_contain_text("Not saved")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("This KLOE was changed somewhere else")).to_be_visible()
    expect(page.get_by_text("Written in another tab.")).to_be_visible()
    expect(page.get_by_label("Your findings")).to_have_value("Written in this tab.")
    assert_accessible(page)
    assert_fits(page)
    screenshot(page, "panels-kloe-conflict-768")
    page.get_by_role("button", name="Keep my version").click()
    expect(page.get_by_label("Your findings")).to_have_value("Written in this tab.")


def when_the_review_has_been_held_the_chair_consolidates_kloe_1(page, live_server, users, review):
    """On the tablet, from the members' workbooks side by side."""
    make_held(review)
    become(page, live_server, users["chair"])
    page.goto(f"/panels/reviews/{review.pk}/panel/")
    assert_accessible(page)
    assert_fits(page)
    page.get_by_role("link", name="KLOE 1: Key areas of concern").click()
    main = page.locator("main")
    assert "Dan says he feels safe on Willow ward." in main.inner_text()
    assert KLOE_1_QUOTE in main.inner_text()
    assert_accessible(page)
    assert_fits(page)
    page.get_by_label("The panel's agreed finding").fill(AGREED_FINDING)
    page.get_by_label("No concerns").check()
    page.get_by_label("How or why the panel decided").fill("Every member found the same.")
    page.get_by_role("button", name="Save", exact=True).click()


def then_the_panels_view_of_kloe_1_is_saved(page):
    assert "The panel's view of KLOE 1 is saved" in page.locator("main").inner_text()
    expect(page.get_by_label("The panel's agreed finding")).to_have_value(AGREED_FINDING)
    assert_accessible(page)
    screenshot(page, "panels-consolidate-kloe-768")


def test_autosave_works_under_the_content_security_policy_and_says_when_it_fails(
    browser, live_server, review_world, users, quick_autosave
):
    """The other journeys bypass the policy to inject axe; this one keeps it, so a script or
    style that htmx or our code puts on the page without the policy's leave would show."""
    ensure_kloe_sets()
    context = browser.new_context(base_url=live_server.url, viewport=TABLET)
    page = context.new_page()
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        become(page, live_server, users["clinical_expert"])
        page.goto(f"/panels/reviews/{review_world['review'].pk}/workbook/kloe/3/")
        findings = page.get_by_label("Your findings")
        findings.fill("Typed under the real policy.")
        expect(page.locator("#autosave-status")).to_contain_text("Saved at")
        # The box says so beside itself too, in its own polite live region right under it,
        # while the page's note far below the buttons stays silent
        beside = page.locator(f"#{findings.get_attribute('id')}-save-status")
        expect(beside).to_contain_text("Saved at")
        expect(beside).to_have_attribute("aria-live", "polite")
        expect(page.locator("#autosave-status")).to_have_attribute("aria-live", "off")
        box, note = findings.bounding_box(), beside.bounding_box()
        assert 0 <= note["y"] - (box["y"] + box["height"]) < 40
        page.get_by_label("Some concerns").check()
        page.wait_for_load_state("networkidle")
        page.reload()
        expect(page.get_by_label("Your findings")).to_have_value("Typed under the real policy.")

        # A save that never reaches the server says so, and the text stays in the form (the
        # browser and htmx log the failed request: expected here, so not counted)
        before = len(problems)
        page.route("**/workbook/kloe/3/", lambda route: route.abort())
        page.get_by_label("Your findings").fill("Typed with the network down.")
        expect(page.locator("#autosave-status")).to_contain_text("Not saved")
        expect(beside).to_contain_text("Not saved")
        expect(page.get_by_label("Your findings")).to_have_value("Typed with the network down.")
        page.unroute("**/workbook/kloe/3/")
        del problems[before:]
    finally:
        context.close()
    assert not problems, problems
