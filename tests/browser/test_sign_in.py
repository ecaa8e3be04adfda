"""A commissioner signs in with a password and an authenticator code and sees the dashboard."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ctr_portal.models import Organisation
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

from .conftest import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_for(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def commissioner():
    user = UserFactory(email="asha.patel@example.nhs.uk", display_name="Asha Patel")
    icb = OrganisationFactory(name="NHS North Shore ICB", kind=Organisation.Kind.ICB)
    MembershipFactory(user=user, organisation=icb, job_title="Case manager")
    return user


def test_commissioner_signs_in_with_two_factor_and_sees_the_dashboard(page, commissioner):
    device = TOTPDevice.objects.create(user=commissioner, name="phone", confirmed=True)

    # Given the sign-in page
    page.goto("/")
    assert page.title().startswith("Sign in")
    assert_accessible(page)

    # When the commissioner gets the password wrong, the error shows in the summary and field
    page.get_by_label("Email address").fill(commissioner.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.title().startswith("Error: ")
    summary = page.locator(".nhsuk-error-summary")
    assert "Enter a correct email address and password" in summary.inner_text()
    assert page.get_by_label("Email address").input_value() == commissioner.email
    assert_accessible(page)
    screenshot(page, "sign-in-error")

    # And then signs in with the right password and the code from the app
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name="Enter your security code").is_visible()
    assert_accessible(page)
    page.get_by_label("Security code").fill(code_for(device))
    page.get_by_role("button", name="Continue").click()

    # Then the dashboard greets them by role
    heading = page.get_by_role("heading", level=1)
    assert "Hello, Asha" in heading.inner_text()
    assert "Case manager, NHS North Shore ICB" in page.locator("main").inner_text()
    assert_accessible(page)
    screenshot(page, "dashboard")

    # And the page, opened on a 320 px wide screen, works without sideways scrolling (the
    # header's links that do not fit go under its "More" button)
    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    screenshot(page, "dashboard-320")


def test_new_professional_sets_up_an_authenticator_from_the_qr_page(page, commissioner):
    page.goto("/account/sign-in/")
    page.get_by_label("Email address").fill(commissioner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    assert page.get_by_role("heading", name="Set up two-factor authentication").is_visible()
    assert page.locator(".app-qr-code svg").count() == 1
    assert_accessible(page)
    screenshot(page, "two-factor-setup")

    device = TOTPDevice.objects.get(user=commissioner, confirmed=False)
    page.get_by_label("Security code").fill(code_for(device))
    page.get_by_role("button", name="Continue").click()
    assert "Hello, Asha" in page.get_by_role("heading", level=1).inner_text()


def test_a_commissioner_signs_in_with_cis2(page, live_server, settings):
    """The one browser journey through the local OpenID provider set up like CIS2: the sign-in
    page's button, the provider's own page (the demo's chooser, standing in for the smartcard),
    and back to the dashboard with no authenticator code asked for."""
    from ctr_portal import oidc
    from tests.conftest import staff_roles_let_in
    from tests.oidc_provider import CLIENT_ID, LocalProvider

    provider = LocalProvider(
        "cis2", redirect_path="/account/sign-in/cis2/callback/", app=live_server.url
    )
    try:
        oidc._cache.clear()
        staff_roles_let_in()
        settings.CIS2_ISSUER = provider.issuer
        settings.CIS2_CLIENT_ID = CLIENT_ID
        settings.SIGN_IN_PRIVATE_KEY = provider.key_pem
        icb = OrganisationFactory(
            name="NHS North Shore ICB", kind=Organisation.Kind.ICB, ods_code="QXA"
        )
        commissioner = UserFactory(email="commissioner@example.nhs.uk", display_name="Asha Patel")
        MembershipFactory(user=commissioner, organisation=icb, job_title="Case manager")

        # Given the sign-in page, with CIS2 switched on
        page.goto("/account/sign-in/")
        assert_accessible(page)

        # When the commissioner signs in with CIS2
        page.get_by_role("button", name="Sign in with NHS CIS2").click()
        page.get_by_role("button", name="Commissioner at North Shore ICB").click()

        # Then the dashboard greets them, with no security code asked for
        heading = page.get_by_role("heading", level=1)
        assert "Hello, Asha" in heading.inner_text()
        assert "Case manager, NHS North Shore ICB" in page.locator("main").inner_text()
        assert_accessible(page)

        # And someone whose role is not taken here is told whom to ask
        page.context.clear_cookies()
        page.goto("/account/sign-in/")
        page.get_by_role("button", name="Sign in with NHS CIS2").click()
        page.get_by_role("button", name="Refused: a role this service does not take").click()
        assert page.get_by_role("heading", level=1).inner_text() == (
            "Your role cannot be used with this service"
        )
        assert "administrator" in page.locator("main").inner_text()
        assert_accessible(page)
    finally:
        provider.stop()
        oidc._cache.clear()
