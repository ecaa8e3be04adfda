"""A commissioner registers a young person, plans and schedules their C(E)TR, records a
best-interests decision, invites the family carer and the panel, and watches the "Getting ready"
checklist fill in until the review can be marked as ready.

Bad input on the way (an invalid NHS number, a date of birth in the future, a review date in the
past) gets a message beside the field and in the error summary, and keeps what was typed.

Another app may add readiness checks (the document pack): the end of the journey checks that
consent, invitations and the panel are done, and that the review becomes ready only when nothing
else is left.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ctr_portal.models import Notification, Organisation
from ctr_portal.working_days import working_days_after
from reviews import services
from reviews.forms.participation import NO_PART_IN_CARE, NOT_EMPLOYED_BY_PROVIDER
from reviews.models import Invitation, Participant, ParticipantRole, Review, ReviewState
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

from .conftest import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ICB = "NHS North Shore ICB"
MOTHER = "Joanne Clarke"
MOTHER_EMAIL = "joanne.clarke@example.com"
EXPERT_PASSWORD = "lantern orchard pebble violet"
CORE = ("Consent or a best-interests decision", "Invitations to the person", "Core panel")
BOOKLETS = "The person had the booklets"


def code_for(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def nhs_number(first_nine: str) -> str:
    """The nine digits with their modulus-11 check digit (none fits when it would be 10)."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    assert check != 10, "no check digit fits: choose other digits"
    return first_nine + str(check)


def months_ago(day, years, months):
    month_index = day.month - 1 - months
    year, month = day.year - years + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, 28))


def date_group(page, legend):
    return page.get_by_role("group", name=legend, exact=True)


def fill_date(page, legend, day):
    group = date_group(page, legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def date_values(page, legend):
    group = date_group(page, legend)
    return tuple(group.get_by_label(part).input_value() for part in ("Day", "Month", "Year"))


def error_beside(page, field):
    """The error message in the form group that holds `field` (an input or a fieldset)."""
    group = page.locator(".nhsuk-form-group--error", has=field).last
    return group.locator(".nhsuk-error-message").first.inner_text()


def error_summary(page):
    summary = page.locator(".nhsuk-error-summary")
    summary.wait_for(state="visible")  # the page the form posted to may still be loading
    assert page.title().startswith("Error: ")
    return summary


def checklist(page):
    """{item label: (done, hint)} from the review page's "Getting ready" list."""
    items = {}
    for item in page.locator("#readiness > li").all():
        label = item.locator(".nhsuk-task-list__name-and-hint > div").first.inner_text().strip()
        hint = item.locator(".nhsuk-task-list__hint")
        status = item.locator(".nhsuk-task-list__status").inner_text().strip()
        items[label] = (status == "Done", hint.inner_text() if hint.count() else "")
    return items


def status_of(items, start):
    """The (done, hint) of the one checklist item whose label starts with `start`."""
    (found,) = [value for label, value in items.items() if label.startswith(start)]
    return found


def state_tag(page):
    return page.locator("main .nhsuk-tag").first.inner_text()


@pytest.fixture
def commissioner():
    user = UserFactory(email="asha.patel@example.nhs.uk", display_name="Asha Patel")
    icb = OrganisationFactory(name=ICB, kind=Organisation.Kind.ICB)
    MembershipFactory(user=user, organisation=icb, job_title="Case manager")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def sign_in_as_commissioner(page, user):
    page.goto("/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Security code").fill(code_for(user.totpdevice_set.get()))
    page.get_by_role("button", name="Continue").click()
    assert "Hello, Asha" in page.get_by_role("heading", level=1).inner_text()


def invitation_path(email):
    """The link in the invitation email for `email`: the outbox row keeps it only until the
    email is sent, then it is in the email alone."""
    notification = Notification.objects.get(recipient=email, template="review_invitation")
    if "link" in notification.secret_context:
        return urlsplit(notification.secret_context["link"]).path
    [body] = [m.body for m in mail.outbox if m.to == [email] and "/invitations/" in m.body]
    return re.search(r"/invitations/[A-Za-z0-9_-]+/", body).group(0)


def expert_declares_in_their_own_browser(browser, live_server, email, review_pk):
    """The clinical expert follows the emailed link, sets up an account and a second factor,
    and declares independence: a second browser, as they would on their own computer."""
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, viewport={"width": 1024, "height": 800}
    )
    errors = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(invitation_path(email))
        assert page.get_by_role("heading", name="Set up your account").is_visible()
        assert_accessible(page)
        page.get_by_label("Create a password").fill(EXPERT_PASSWORD)
        page.get_by_label("Confirm your password").fill(EXPERT_PASSWORD)
        page.get_by_role("button", name="Create account").click()

        # A professional sets up a second factor before seeing anything
        assert page.get_by_role("heading", name="Set up two-factor authentication").is_visible()
        device = TOTPDevice.objects.get(user__email=email, confirmed=False)
        page.get_by_label("Security code").fill(code_for(device))
        page.get_by_role("button", name="Continue").click()

        page.goto(f"/reviews/{review_pk}/")
        page.get_by_role("button", name="Declare your independence").click()
        assert page.get_by_role("heading", name="Declare your independence").is_visible()
        assert_accessible(page)
        page.get_by_label(NO_PART_IN_CARE).check()
        page.get_by_label(NOT_EMPLOYED_BY_PROVIDER).check()
        page.get_by_role("button", name="Make declaration").click()
        assert "Declaration made" in page.locator("main").inner_text()
        # Consent and the declaration open the review to them
        heading = page.get_by_role("heading", level=1).inner_text()
        assert "Care, Education and Treatment Review (C(E)TR) for Daniel Clarke" in heading
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the expert's pages: {errors}"


def declare_as(participant):
    """The expert by experience accepts their invitation and declares, through the services."""
    invitation = Invitation.objects.get(participant=participant)
    user = services.invitation_accept(
        invitation=invitation, display_name=participant.name, password=EXPERT_PASSWORD
    )
    participant.refresh_from_db()
    services.participant_declare_independence(
        actor=user,
        participant=participant,
        statement=f"{NO_PART_IN_CARE}. {NOT_EMPLOYED_BY_PROVIDER}.",
    )


def test_commissioner_takes_a_cetr_from_registration_to_ready(
    page, browser, live_server, commissioner
):
    today = timezone.localdate()
    born = months_ago(today, 16, 3)  # 16: old enough for a best-interests decision
    valid_nhs_number = nhs_number("401023456")
    next_year = today.replace(year=today.year + 1, day=1)

    given_a_commissioner_signed_in(page, commissioner)
    when_they_add_a_person_with_a_wrong_nhs_number_and_a_birth_next_year(page, next_year)
    then_both_problems_are_beside_their_fields_and_in_the_summary(page, next_year)
    when_they_correct_them_and_register_the_person(page, valid_nhs_number, born)
    then_the_persons_page_shows_them(page)
    when_they_add_the_mother_as_a_contact(page)
    and_plan_a_community_review(page)
    then_the_review_is_a_cetr_with_consent_invitations_and_panel_to_do(page)
    review = Review.objects.get(person__nhs_number=valid_nhs_number)
    review_url = f"/reviews/{review.pk}/"
    assert_accessible(page)
    screenshot(page, "reviews-review-before")

    last_week = today - timedelta(days=7)
    when_they_set_a_date_in_the_past(page, last_week)
    then_the_date_is_refused_and_what_was_typed_kept(page, last_week)
    # A working day three weeks or so ahead (a weekend or bank holiday would ask to confirm it).
    in_three_weeks = working_days_after(today + timedelta(days=20), 1)
    when_they_choose_a_date_after_the_due_date_and_say_why(page, in_three_weeks)
    then_the_review_is_scheduled(page)
    when_they_record_a_best_interests_decision_for_the_mother(page, today)
    then_the_checklist_shows_consent_done(page, review_url)
    when_they_invite_the_mother_daniel_and_the_panel(page)
    then_invitations_are_done_and_the_panel_waits_for_declarations(page)

    # When the clinical expert declares in their own browser, and the expert by experience too
    expert_declares_in_their_own_browser(
        browser, live_server, "tom.evans@example.nhs.uk", review.pk
    )
    declare_as(Participant.objects.get(review=review, role=ParticipantRole.EXPERT_BY_EXPERIENCE))

    when_they_record_that_daniel_had_the_booklets(page, review_url, today)
    left = then_the_commissioner_reloading_sees_the_panel_done(page, review_url)
    and_the_review_page_fits_a_320_px_wide_screen(page)
    when_they_start_preparing_and_mark_the_review_as_ready(page)
    then_the_review_is_ready_unless_only_another_apps_check_is_left(page, review, left)


# --- the journey's steps ---------------------------------------------------------------------

VENUE = "Northgate Community Centre, room 3"


def given_a_commissioner_signed_in(page, commissioner):
    """A commissioner of an ICB, with their password and security code."""
    sign_in_as_commissioner(page, commissioner)


def when_they_add_a_person_with_a_wrong_nhs_number_and_a_birth_next_year(page, next_year):
    page.get_by_role("link", name="People", exact=True).first.click()
    assert_accessible(page)
    page.get_by_role("button", name="Add a person").click()
    assert page.get_by_role("heading", name="Register a person").is_visible()
    page.get_by_label("First name").fill("Daniel")
    page.get_by_label("Last name").fill("Clarke")
    page.get_by_label("NHS number").fill("1234567890")
    fill_date(page, "Date of birth", next_year)
    page.get_by_label("Learning disability").check()
    page.get_by_label("Autism").check()
    page.get_by_label("In the community", exact=True).check()
    assert page.get_by_label("Responsible commissioner").input_value()  # their only ICB
    page.get_by_role("button", name="Register person").click()


def then_both_problems_are_beside_their_fields_and_in_the_summary(page, next_year):
    """And what was typed is kept."""
    summary = error_summary(page)
    nhs_message = "Enter a valid NHS number. Check you have typed all 10 digits correctly"
    dob_message = "Date of birth must be in the past"
    assert nhs_message in summary.inner_text()
    assert dob_message in summary.inner_text()
    assert summary.get_by_role("link", name=nhs_message).is_visible()
    assert nhs_message in error_beside(page, page.get_by_label("NHS number"))
    assert dob_message in error_beside(page, date_group(page, "Date of birth"))
    assert page.get_by_label("NHS number").input_value() == "1234567890"
    assert date_values(page, "Date of birth") == (
        str(next_year.day),
        str(next_year.month),
        str(next_year.year),
    )
    assert page.get_by_label("First name").input_value() == "Daniel"
    assert page.get_by_label("In the community", exact=True).is_checked()
    assert_accessible(page)
    screenshot(page, "reviews-person-form-errors")


def when_they_correct_them_and_register_the_person(page, valid_nhs_number, born):
    page.get_by_label("NHS number").fill(valid_nhs_number)
    fill_date(page, "Date of birth", born)
    page.get_by_label("Responsible commissioner").select_option(label=ICB)
    page.get_by_role("button", name="Register person").click()


def then_the_persons_page_shows_them(page):
    assert page.get_by_role("heading", level=1).inner_text().endswith("Daniel Clarke")
    assert "Daniel Clarke has been registered" in page.locator("main").inner_text()
    assert_accessible(page)


def when_they_add_the_mother_as_a_contact(page):
    """A family carer with an email address."""
    page.get_by_role("link", name="Add a contact").click()
    page.get_by_label("Full name").fill(MOTHER)
    page.get_by_label("Family carer").check()
    page.get_by_label("Relationship (optional)").fill("Mother")
    page.get_by_label("Email address (optional)").fill(MOTHER_EMAIL)
    assert_accessible(page)
    page.get_by_role("button", name="Add contact").click()
    assert f"{MOTHER} has been added as a contact" in page.locator("main").inner_text()
    assert page.get_by_role("cell", name=MOTHER_EMAIL).is_visible()


def and_plan_a_community_review(page):
    """From the person's page."""
    page.get_by_role("button", name="Plan a review").click()
    page.get_by_label("Community (pre-admission)").check()
    assert_accessible(page)
    page.get_by_role("button", name="Plan the review").click()


def then_the_review_is_a_cetr_with_consent_invitations_and_panel_to_do(page):
    heading = page.get_by_role("heading", level=1).inner_text()
    assert "Care, Education and Treatment Review (C(E)TR) for Daniel Clarke" in heading
    assert page.title().startswith("Care, Education and Treatment Review for Daniel Clarke")
    assert state_tag(page) == "Planned"
    items = checklist(page)
    for start in CORE:
        assert status_of(items, start)[0] is False, items
    assert "no decision recorded yet" in status_of(items, CORE[0])[1].lower()


def when_they_set_a_date_in_the_past(page, last_week):
    page.get_by_role("link", name="Set the date and place").click()
    assert "C(E)TR for Daniel Clarke" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("link", name="C(E)TR for Daniel Clarke").is_visible()  # breadcrumb
    fill_date(page, "Date of the review", last_week)
    page.get_by_label("Venue").fill(VENUE)
    page.get_by_role("button", name="Save the date").click()


def then_the_date_is_refused_and_what_was_typed_kept(page, last_week):
    """Beside the field and in the summary."""
    summary = error_summary(page)
    past_message = "The date must be today or in the future"
    assert past_message in summary.inner_text()
    assert past_message in error_beside(page, date_group(page, "Date of the review"))
    assert date_values(page, "Date of the review") == (
        str(last_week.day),
        str(last_week.month),
        str(last_week.year),
    )
    assert page.get_by_label("Venue").input_value() == VENUE
    assert_accessible(page)
    screenshot(page, "reviews-schedule-errors")


def when_they_choose_a_date_after_the_due_date_and_say_why(page, in_three_weeks):
    """Three weeks ahead: after the 14-day due date."""
    fill_date(page, "Date of the review", in_three_weeks)
    page.get_by_role("button", name="Save the date").click()
    why_late = page.get_by_label("Why will the review be after its due date?")
    assert "Enter why it will be later" in error_beside(page, why_late)
    assert date_values(page, "Date of the review")[0] == str(in_three_weeks.day)
    why_late.fill("The family can only come in the school holidays")
    page.get_by_role("button", name="Save the date").click()


def then_the_review_is_scheduled(page):
    """For that day."""
    assert "The review is set for" in page.locator("main").inner_text()
    assert state_tag(page) == "Scheduled"
    assert VENUE in page.locator("main").inner_text()


def when_they_record_a_best_interests_decision_for_the_mother(page, today):
    """One that lets the mother come and have the report."""
    page.get_by_role("link", name="Record consent").click()
    assert page.get_by_role("heading", name="Record consent").is_visible()
    page.get_by_label("Best-interests decision", exact=True).check()
    page.get_by_label("Mental Capacity Act: they lack capacity to decide").check()
    page.get_by_label("Who assessed their capacity to make this decision?").fill(
        "Dr A Khan, consultant psychiatrist"
    )
    page.get_by_label("Who made the best-interests decision?").fill("Asha Patel, case manager")
    page.get_by_label("Who was consulted?").fill("His mother, his advocate and his teacher")
    fill_date(page, "Date of the decision", today)
    page.get_by_role("group", name="Do they agree to their information being shared").get_by_label(
        "Yes"
    ).check()
    page.get_by_role("group", name="Who may come to the review?").get_by_label(MOTHER).check()
    page.get_by_role("group", name="Who may receive the report?").get_by_label(MOTHER).check()
    # The revealing radios carry no aria-expanded, which ARIA does not allow on a radio.
    assert page.locator('input[type="radio"][aria-controls]').count() > 0
    assert page.locator('input[type="radio"][aria-expanded]').count() == 0
    assert_accessible(page)
    screenshot(page, "reviews-consent-record")
    page.get_by_role("button", name="Save decision").click()
    assert "Decision saved: best-interests decision" in page.locator("main").inner_text()


def then_the_checklist_shows_consent_done(page, review_url):
    page.goto(review_url)
    items = checklist(page)
    assert status_of(items, CORE[0])[0] is True, items
    assert status_of(items, CORE[1])[0] is False


def invite(page, role, name="", email="", contact=None):
    page.get_by_role("link", name="Add a participant").click()
    page.get_by_label(role, exact=True).check()
    if contact:
        page.get_by_label("Who are they to the person?").select_option(label=contact)
    if name:
        page.get_by_label("Full name").fill(name)
    if email:
        page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Add and invite").click()
    assert "has been added" in page.locator("main").inner_text()


def when_they_invite_the_mother_daniel_and_the_panel(page):
    """A chair, a clinical expert and an expert by experience."""
    invite(page, "Family carer", contact=f"{MOTHER} (Mother)")
    invite(page, "The person", "Daniel Clarke", "daniel.clarke@example.com")
    invite(page, "Chair", "Priya Shah", "priya.shah@example.nhs.uk")
    invite(page, "Clinical expert", "Dr Tom Evans", "tom.evans@example.nhs.uk")
    invite(page, "Expert by experience", "Sam Okafor", "sam.okafor@example.nhs.uk")


def then_invitations_are_done_and_the_panel_waits_for_declarations(page):
    """The experts' declarations of independence."""
    items = checklist(page)
    assert status_of(items, CORE[1]) == (True, "Everyone invited"), items
    done, hint = status_of(items, CORE[2])
    assert not done
    assert "independence not declared by the clinical expert, expert by experience" in hint.lower()
    assert_accessible(page)


def when_they_record_that_daniel_had_the_booklets(page, review_url, today):
    """The booklets are on the checklist; a date is asked for unless they did not have them."""
    page.goto(review_url)
    assert status_of(checklist(page), BOOKLETS) == (False, "Not recorded yet")
    page.get_by_role("link", name="Booklets for the person").click()
    page.get_by_label("Read through together with them").check()
    page.get_by_role("button", name="Save").click()
    assert "Enter the date they had them" in error_summary(page).inner_text()
    assert page.get_by_label("Read through together with them").is_checked()  # kept
    assert_accessible(page)
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Save").click()
    assert status_of(checklist(page), BOOKLETS)[0] is True


def then_the_commissioner_reloading_sees_the_panel_done(page, review_url):
    """Returns the labels of the checklist items still to do."""
    page.goto(review_url)
    items = checklist(page)
    for start in CORE:
        assert status_of(items, start)[0] is True, items
    left = [label for label, (done, _) in items.items() if not done]
    screenshot(page, "reviews-review-after")
    return left


def and_the_review_page_fits_a_320_px_wide_screen(page):
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    screenshot(page, "reviews-review-320")
    page.set_viewport_size({"width": 1024, "height": 800})


def when_they_start_preparing_and_mark_the_review_as_ready(page):
    page.get_by_role("button", name="Start preparing").click()
    page.get_by_role("button", name="Continue").click()
    assert state_tag(page) == "Preparing"
    page.get_by_role("button", name="Mark as ready").click()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()


def then_the_review_is_ready_unless_only_another_apps_check_is_left(page, review, left):
    """Only another app's check (the document pack) may hold it back, and then it says so."""
    if not left:
        assert "The review's status is now ready" in page.locator("main").inner_text()
        assert state_tag(page) == "Ready"
        assert Review.objects.get(pk=review.pk).state == ReviewState.READY
    else:
        assert left == ["Document pack"], left
        summary = error_summary(page)
        assert "Document pack" in summary.inner_text()
        assert Review.objects.get(pk=review.pk).state == ReviewState.PREPARING
    assert_accessible(page)
    screenshot(page, "reviews-review-ready" if not left else "reviews-ready-refused")
