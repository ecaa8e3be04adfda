"""Issue 21, the action plan from issue to done: the chair issues the report, which sends both
recommendations to their owners; one owner, with no account, accepts from the link in their
email; the other disputes; the chair changes the disputed one and sends it again; the first
owner marks theirs done with evidence from a link the commissioner makes for them; the
commissioner sends it back, the owner marks it done again from the link in the send-back email,
and the commissioner confirms; the family carer sees each step in the portal on a 390 px phone."""

import datetime

import pytest

from recommendations import services
from recommendations.models import ForWhom, Recommendation, State
from tests.documents.factories import pdf_bytes
from tests.panels.factories import kloe_of
from tests.reports.factories import report_world

from .conftest import assert_accessible, become, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _draft(world, owner, action, **owner_without_account):
    review = world["review"]
    return services.recommendation_draft(
        actor=world["chair"],
        review=review,
        kloes=[kloe_of(world["panel"], 9)],
        action=action,
        plain_words=f"{action}. It will be done by the date below.",
        measure="The family have it in writing",
        for_whom=ForWhom.PROVIDER,
        priority="routine",
        owner=owner,
        due_date=review.review_date + datetime.timedelta(days=60),
        **owner_without_account,
    )


ONE_OFF_OWNER = "sam.okafor@example.org"


def _link_in_latest_email(recommendation, words):
    """The single-purpose link in the newest email to the one-off owner that says `words`."""
    from ctr_portal.models import Notification

    for notice in Notification.objects.filter(recipient=ONE_OFF_OWNER).order_by("-pk"):
        if words in " ".join(notice.context.get("paragraphs", [])):
            link = notice.context["link"]
            return link[link.index("/l/") :]
    raise AssertionError(f"No email to the owner says {words!r}")


def test_the_action_plan_from_issue_to_a_checked_done(
    page, live_server, review_world, users, tmp_path
):
    world = report_world(review_world, recommendations=0)
    review = world["review"]
    first = _draft(
        world,
        None,
        "Write a positive behaviour support plan with Daniel",
        owner_name="Sam Okafor",
        owner_organisation="Positive Steps Ltd",
        owner_email=ONE_OFF_OWNER,
    )
    second = _draft(world, users["local_authority"], "Find a supported living place near home")
    evidence = tmp_path / "pbs-plan.pdf"
    evidence.write_bytes(pdf_bytes("Positive behaviour support plan"))

    become(page, live_server, users["chair"])
    page.goto(f"/reports/reviews/{review.pk}/issue/")
    assert "The action plan goes with it" in page.locator("main").inner_text()
    page.get_by_role("button", name="Issue the report").click()
    for made in (first, second):
        made.refresh_from_db()
        assert made.state == State.AWAITING_OWNER and made.accept_by

    owner_without_account_accepts(page, first)
    owner_answers(page, live_server, users["local_authority"], second, accept=False)
    the_chair_changes_the_disputed_one(page, live_server, users["chair"], second, review)
    path = commissioner_makes_a_link(page, live_server, users["commissioner"], first)
    marks_done_from_the_link(page, path, first, evidence)
    commissioner_checks(page, live_server, users["commissioner"], first, confirm=False)
    marks_done_from_the_link(page, _link_in_latest_email(first, "not done yet"), first, evidence)
    commissioner_checks(page, live_server, users["commissioner"], first, confirm=True)
    the_family_sees_each_step(page, live_server, users["family_carer"], review)


def owner_without_account_accepts(page, recommendation):
    """Signed out, on a phone: the link in the email does this one thing, once."""
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    path = _link_in_latest_email(recommendation, "You do not need an account")
    page.goto(path)
    assert "Accept or dispute this recommendation" in page.locator("h1").inner_text()
    page.get_by_label("Yes, I accept it").check()
    page.get_by_label("This action is within my remit").check()
    page.get_by_role("button", name="Send your answer").click()
    assert "Your answer is recorded" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    recommendation.refresh_from_db()
    assert recommendation.state == State.AGREED
    page.goto(path)  # used once: refused
    assert "already been used" in page.locator("main").inner_text()
    page.set_viewport_size({"width": 1024, "height": 800})


def commissioner_makes_a_link(page, live_server, commissioner, recommendation):
    become(page, live_server, commissioner)
    page.goto(f"/links/recommendations/{recommendation.pk}/")
    page.get_by_role("button", name="Make a new link for the owner").click()
    url = page.locator("main code").inner_text()
    return url[url.index("/l/") :]


def marks_done_from_the_link(page, path, recommendation, evidence):
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(path)
    page.get_by_label("It is done, with evidence").check()
    assert "Who will see it:" in page.locator("main").inner_text()
    screenshot(page, "link-done-with-evidence-390")
    page.get_by_label("What has happened").fill("The plan was written with Daniel")
    page.locator("input[type=file]").set_input_files(str(evidence))
    page.get_by_role("button", name="Send").click()
    assert "recorded" in page.locator("main").inner_text()
    recommendation.refresh_from_db()
    assert recommendation.state == State.DONE_CLAIMED
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    page.set_viewport_size({"width": 1024, "height": 800})


def owner_answers(page, live_server, owner, recommendation, *, accept):
    become(page, live_server, owner)
    page.goto(f"/recommendations/{recommendation.pk}/")
    page.get_by_role("link", name="Accept or dispute").click()
    if accept:
        page.get_by_label("Yes, I accept it").check()
        page.get_by_label("This action is within my remit").check()
    else:
        page.get_by_label("No, I dispute it").check()
        page.get_by_label("Why can you not accept it?").fill("There is no place free this year")
    page.get_by_role("button", name="Send your answer").click()
    recommendation.refresh_from_db()
    assert recommendation.state == (State.AGREED if accept else State.DISPUTED)


def the_chair_changes_the_disputed_one(page, live_server, chair, recommendation, review):
    become(page, live_server, chair)
    page.goto(f"/recommendations/reviews/{review.pk}/recommendations/")
    assert "Owners who have not answered yet" not in page.locator("main").inner_text()
    page.goto(f"/recommendations/{recommendation.pk}/")
    page.get_by_role("link", name="Resolve the dispute").click()
    page.get_by_label("Change the recommendation, then send it again").check()
    page.get_by_label("What was agreed, and why").fill("Later date agreed with the council")
    page.get_by_role("button", name="Resolve the dispute").click()
    page.get_by_role("link", name="Change the draft").click()
    later = review.review_date + datetime.timedelta(days=200)
    page.get_by_label("Day").first.fill(str(later.day))
    page.get_by_label("Month").first.fill(str(later.month))
    page.get_by_label("Year").first.fill(str(later.year))
    progress = review.review_date + datetime.timedelta(days=60)
    page.get_by_label("Day").nth(1).fill(str(progress.day))
    page.get_by_label("Month").nth(1).fill(str(progress.month))
    page.get_by_label("Year").nth(1).fill(str(progress.year))
    page.get_by_role("button", name="Save recommendation").click()
    page.get_by_role("link", name="Send to the owner").click()
    page.get_by_role("button", name="Send to the owner").click()
    recommendation.refresh_from_db()
    assert recommendation.state == State.AWAITING_OWNER
    page.goto(f"/recommendations/reviews/{review.pk}/recommendations/")
    assert "Owners who have not answered yet" in page.locator("main").inner_text()
    assert_accessible(page)


def commissioner_checks(page, live_server, commissioner, recommendation, *, confirm):
    become(page, live_server, commissioner)
    page.goto(f"/recommendations/{recommendation.pk}/")
    page.get_by_role("link", name="Check the evidence it is done").click()
    if confirm:
        page.get_by_label("Yes, confirm it is done").check()
    else:
        page.get_by_label("No, send it back to the owner").check()
        page.get_by_label("Why is it not done yet?").fill("The plan is not signed by Daniel")
    page.get_by_role("button", name="Save the check").click()
    recommendation.refresh_from_db()
    assert recommendation.state == (State.DONE if confirm else State.IN_PROGRESS)
    assert_accessible(page)


def the_family_sees_each_step(page, live_server, family_carer, review):
    become(page, live_server, family_carer)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/portal/reviews/{review.pk}/")
    for details in page.locator("details[id^=plan-]").all():
        details.locator("summary").click()
    main = page.locator("main").inner_text()
    for step in (
        "Accepted by the owner",
        "Disputed by the owner",
        "Dispute resolved",
        "Marked done — waiting for the commissioner to check",
        "Sent back to the owner: not done yet",
        "The plan is not signed by Daniel",
        "Done — confirmed by the commissioner",
    ):
        assert step in main, step
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    screenshot(page, "action-plan-portal-390")
    assert Recommendation.objects.filter(review=review, state=State.DONE).count() == 1
