import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ctr_portal.forms import LOCKED_OUT_ERROR, SIGN_IN_ERROR
from ctr_portal.models import AuditEvent, Notification
from tests.conftest import sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def post_login(client, email, password=PASSWORD):
    return client.post(LOGIN, {"username": email, "password": password})


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_public_account_signs_in_to_the_dashboard_and_it_is_audited(client):
    user = UserFactory(public=True, display_name="Maureen Clarke")
    response = post_login(client, user.email.upper())
    assert response.status_code == 302 and response.url == reverse("dashboard")
    page = client.get(reverse("dashboard"))
    assert "Hello, Maureen" in page.content.decode()
    event = AuditEvent.objects.get(action="login")
    assert event.actor == user and event.object_id == str(user.pk) and event.request_id


def test_professional_must_set_up_two_factor_before_anything_else(client):
    user = UserFactory()
    post_login(client, user.email)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response.url == reverse("accounts:two_factor_setup")
    page = client.get(response.url).content.decode()
    assert "<svg" in page and "Set up two-factor authentication" in page


def test_confirming_the_authenticator_with_its_code_lets_the_professional_in(client, time_machine):
    time_machine.move_to("2026-11-23 09:00:00", tick=False)
    user = UserFactory()
    post_login(client, user.email)
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    wrong = client.post(reverse("accounts:two_factor_setup"), {"token": "000000"})
    assert "The security code is not right" in wrong.content.decode()

    time_machine.shift(5)  # django-otp refuses codes for a moment after a wrong one
    response = client.post(reverse("accounts:two_factor_setup"), {"token": current_code(device)})
    assert response.status_code == 302 and response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="two_factor_setup", actor=user).exists()


def test_professional_with_an_authenticator_enters_a_code_after_the_password(client):
    user = UserFactory()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    post_login(client, user.email)
    assert client.get(reverse("dashboard")).url == reverse("accounts:two_factor_verify")

    bad = client.post(reverse("accounts:two_factor_verify"), {"token": "12ab"})
    assert "Security code must be 6 digits" in bad.content.decode()

    response = client.post(reverse("accounts:two_factor_verify"), {"token": current_code(device)})
    assert response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_password_alone_cannot_replace_an_existing_authenticator(client):
    user = UserFactory()
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    post_login(client, user.email)
    response = client.get(reverse("accounts:two_factor_setup"))
    assert response.url == reverse("accounts:two_factor_verify")
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()


def test_wrong_password_and_unknown_email_get_the_same_message(client):
    UserFactory(email="known@example.nhs.uk")
    known = post_login(client, "known@example.nhs.uk", "wrong password here")
    unknown = post_login(client, "nobody@example.nhs.uk", "wrong password here")
    for response in (known, unknown):
        page = response.content.decode()
        assert response.status_code == 200
        assert SIGN_IN_ERROR in page
        assert page.count("There is a problem") == 1
        assert "<title>Error: " in page
        assert 'value="' in page and "example.nhs.uk" in page  # the email typed is kept
    assert AuditEvent.objects.filter(action="login_failed").count() == 2


def test_empty_sign_in_says_what_to_enter(client):
    page = client.post(LOGIN, {"username": "", "password": ""}).content.decode()
    assert "Enter your email address" in page and "Enter your password" in page


@pytest.mark.parametrize("exists", [True, False], ids=["existing", "unknown"])
def test_five_failures_lock_the_email_for_15_minutes_whether_or_not_it_exists(client, exists):
    email = "target@example.nhs.uk"
    if exists:
        UserFactory(email=email)
    for _ in range(5):
        post_login(client, email, "wrong password here")
    locked = post_login(client, email, PASSWORD)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert LOCKED_OUT_ERROR.split(".")[0] in page
    assert "/two-factor/" not in locked.get("Location", "")
    assert AuditEvent.objects.filter(action="locked_out").exists()


def test_lockout_ends_after_15_minutes(client, time_machine):
    user = UserFactory(public=True)
    time_machine.move_to("2026-11-23 09:00", tick=False)
    for _ in range(5):
        post_login(client, user.email, "wrong password here")
    assert post_login(client, user.email).status_code == 429
    time_machine.move_to("2026-11-23 09:16", tick=False)
    assert post_login(client, user.email).status_code == 302


def test_sign_out_is_a_post_and_is_audited(client):
    user = UserFactory(public=True)
    sign_in(client, user)
    assert "Sign out" in client.get(reverse("accounts:logout")).content.decode()
    response = client.post(reverse("accounts:logout"))
    assert "You have signed out" in response.content.decode()
    assert AuditEvent.objects.filter(action="logout", actor=user).exists()
    assert client.get(reverse("dashboard")).status_code == 302


def test_password_reset_goes_through_the_outbox_with_a_link_built_from_site_url(
    client, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.SITE_URL = "https://ctr.example.nhs.uk"
    user = UserFactory(email="reset.me@example.nhs.uk")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert response.url == reverse("accounts:password_reset_done")
    notification = Notification.objects.get(recipient=user.email)
    assert notification.template == "password_reset" and notification.state == "sent"
    assert len(mailoutbox) == 1
    link = re.search(r"https://\S+/password-reset/\S+/", mailoutbox[0].body).group(0)
    assert link.startswith("https://ctr.example.nhs.uk/account/password-reset/")
    assert mailoutbox[0].alternatives[0][1] == "text/html"

    path = link.removeprefix("https://ctr.example.nhs.uk")
    form_page = client.get(path, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "short", "new_password2": "short"},
    )
    assert "at least 12 characters" in done.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "maple river lantern 42", "new_password2": "maple river lantern 42"},
    )
    assert done.url == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("maple river lantern 42")


def test_password_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.nhs.uk"})
    assert response.url == reverse("accounts:password_reset_done")
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "password, ok",
    [
        ("short pass", False),  # under 12 characters
        ("password1234", False),  # common
        ("123456789012", False),  # numbers only
        ("maple river lantern", True),  # long, no composition rules
        ("alllowercasewords", True),
    ],
)
def test_passwords_need_12_characters_and_no_composition_rules(password, ok):
    user = UserFactory.build(email="someone@example.nhs.uk", display_name="Someone")
    if ok:
        validate_password(password, user)
    else:
        with pytest.raises(ValidationError):
            validate_password(password, user)


def test_session_ends_after_15_minutes_idle_and_the_page_warns_at_13(client, time_machine):
    time_machine.move_to("2026-11-23 09:00", tick=False)
    post_login(client, UserFactory(public=True).email)
    time_machine.move_to("2026-11-23 09:14", tick=False)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200  # activity renews the 15 minutes
    body = re.search(r"<body[^>]*>", response.content.decode()).group(0)
    assert 'data-session-warning-seconds="780"' in body
    assert 'data-session-idle-seconds="900"' in body
    assert 'id="session-timeout-dialog"' in response.content.decode()
    time_machine.move_to("2026-11-23 09:30", tick=False)
    assert client.get(reverse("dashboard")).status_code == 302


def test_session_ends_12_hours_after_sign_in_however_active(client, time_machine):
    user = UserFactory(public=True)
    time_machine.move_to("2026-11-23 08:00", tick=False)
    post_login(client, user.email)
    for minutes in range(10, 12 * 60, 10):  # active every 10 minutes all day
        time_machine.move_to(f"2026-11-23 {8 + minutes // 60:02d}:{minutes % 60:02d}", tick=False)
        assert client.get(reverse("healthz")).status_code == 200
    time_machine.move_to("2026-11-23 19:55", tick=False)
    assert client.get(reverse("dashboard")).status_code == 200
    time_machine.move_to("2026-11-23 20:01", tick=False)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and "expired=1" in response.url
    assert "You were signed out" in client.get(response.url).content.decode()


def test_keep_alive_renews_the_session(client):
    sign_in(client, UserFactory(public=True))
    response = client.post(reverse("accounts:session_keepalive"))
    assert response.status_code == 200 and response.json() == {"idle_seconds": 900}
    assert "sessionid" in response.cookies  # saved: the stored expiry is 15 minutes from now


def test_the_idle_timer_is_renewed_once_a_minute_not_on_every_page(client, time_machine):
    """Browsing renews the 15-minute idle limit, writing the session at most once a minute;
    15 minutes after the last renewal the session has ended."""
    time_machine.move_to("2026-11-23 09:00", tick=False)
    sign_in(client, UserFactory(public=True))
    dashboard = reverse("dashboard")
    assert "sessionid" not in client.get(dashboard).cookies  # renewed as they signed in
    time_machine.move_to("2026-11-23 09:00:50", tick=False)
    assert "sessionid" not in client.get(dashboard).cookies  # within the minute: no write
    time_machine.move_to("2026-11-23 09:12", tick=False)
    assert "sessionid" in client.get(dashboard).cookies  # renewed at 09:12
    time_machine.move_to("2026-11-23 09:26", tick=False)
    assert client.get(dashboard).status_code == 200  # 14 minutes idle: still signed in
    time_machine.move_to("2026-11-23 09:41:30", tick=False)
    assert client.get(dashboard).status_code == 302  # over 15 minutes since 09:26


def test_every_signed_in_answer_says_how_long_the_session_has_left(client, time_machine):
    """What the time-out warning counts down from: the page's body, and a header on every
    answer (an autosave's included), counted from the last renewal."""
    time_machine.move_to("2026-11-23 09:00", tick=False)
    sign_in(client, UserFactory(public=True))
    time_machine.move_to("2026-11-23 09:00:40", tick=False)
    response = client.get(reverse("dashboard"))
    assert response["X-Session-Idle-Remaining"] == "860"
    assert 'data-session-remaining-seconds="860"' in response.content.decode()
    time_machine.move_to("2026-11-23 09:00:50", tick=False)
    client.post(reverse("accounts:session_keepalive"))
    assert client.get(reverse("dashboard"))["X-Session-Idle-Remaining"] == "900"
    client.logout()
    assert "X-Session-Idle-Remaining" not in client.get(LOGIN)


@override_settings(DEMO_MODE=True)
def test_demo_mode_lists_personas_and_signs_in_without_two_factor(client):
    persona = UserFactory(demo_persona="Commissioner")
    page = client.get(LOGIN).content.decode()
    assert "Sign in as Commissioner" in page
    response = client.post(reverse("accounts:demo_sign_in"), {"user": persona.pk})
    assert response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_without_demo_mode_there_is_no_persona_sign_in_and_demo_accounts_need_two_factor(client):
    persona = UserFactory(demo_persona="Commissioner")
    assert "Sign in as" not in client.get(LOGIN).content.decode()
    assert client.post(reverse("accounts:demo_sign_in"), {"user": persona.pk}).status_code == 404
    assert persona.needs_two_factor


@override_settings(DEMO_MODE=True)
def test_demo_sign_in_refuses_an_account_that_is_not_a_persona(client):
    real = UserFactory()
    assert client.post(reverse("accounts:demo_sign_in"), {"user": real.pk}).status_code == 404


@override_settings(DEMO_MODE=True)
def test_demo_sign_in_answers_not_found_for_an_id_that_is_not_a_number(client):
    assert client.post(reverse("accounts:demo_sign_in"), {"user": "1 or 1"}).status_code == 404


def test_next_parameter_cannot_send_the_user_to_another_site(client):
    user = UserFactory(public=True)
    response = client.post(
        f"{LOGIN}?next=https://evil.example/", {"username": user.email, "password": PASSWORD}
    )
    assert response.url == reverse("dashboard")


def test_the_code_leads_back_to_the_page_a_link_asked_for(client):
    user = UserFactory()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    post_login(client, user.email)
    asked = reverse("accounts:account")
    verify = client.get(asked).url
    assert verify == reverse("accounts:two_factor_verify") + "?next=%2Faccount%2F"
    response = client.post(verify, {"token": current_code(device)})
    assert response.url == asked


def test_a_superuser_passes_the_admins_permissions_and_no_rule(review_world, users, client_for):
    """One guard (User.has_perm): the administrator, a superuser, may use the admin, and is asked
    every `rules` permission like anyone else, including one named as a Django model permission
    is (reviews.change_person), by views that use rules' PermissionRequiredMixin as they are."""
    from ctr_portal.permissions import Perm

    admin, person = users["administrator"], review_world["person"]
    assert admin.is_superuser
    assert admin.has_perm("ctr_portal.change_user")
    assert not admin.has_perm(Perm.CHANGE_PERSON, person)
    assert not admin.has_perm(Perm.ADD_PERSON)
    assert not admin.has_perm(Perm.VIEW_REVIEW, review_world["review"])
    client = client_for("administrator")
    assert client.get(reverse("reviews:person_list")).status_code == 403
    assert client.get(reverse("reviews:person_create")).status_code == 403


# --- One form of an email address: look-up, lock and reset -----------------------------------

ACCOUNT_EMAIL = "local.authority@demo.example"
# The same account typed another way: case, and spaces around it (a tab, a no-break space).
OTHER_SPELLINGS = [
    "Local.Authority@demo.example",
    "LOCAL.AUTHORITY@DEMO.EXAMPLE",
    "  local.authority@demo.example ",
    "\tLocal.Authority@Demo.Example\u00a0",
]
# Addresses that look like it and are not it: Cyrillic 'а', fullwidth letters (which NFKC turns
# into ASCII), the dotless i (which PostgreSQL's UPPER() turns into I), in the name or the domain.
# Some the form refuses as not an address; the others reach the sign-in check and find nobody.
LOOK_ALIKES = [
    "loc\u0430l.authority@demo.example",
    "\uff4c\uff4f\uff43\uff41\uff4c.authority@demo.example",
    "\uff2c\uff2f\uff23\uff21\uff2c.authority@demo.example",
    "local.author\u0131ty@demo.example",
    "local.authority@d\u0435mo.example",
    "local.authority@\uff44\uff45\uff4d\uff4f.example",
    "local.authority@DEM\uff2f.example",
]


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("Local.Authority@Demo.Example", ACCOUNT_EMAIL),
        (" \t local.authority@demo.example\u00a0\n", ACCOUNT_EMAIL),
        ("loc\u0430l.authority@demo.example", "loc\u0430l.authority@demo.example"),
        ("\uff2c\uff4f\uff43al@demo.example", "\uff2c\uff4f\uff43al@demo.example"),
        ("\u212aate@demo.example", "\u212aate@demo.example"),
        ("", ""),
        (None, ""),
    ],
)
def test_an_email_is_normalised_by_case_of_a_to_z_and_surrounding_spaces_only(typed, expected):
    from ctr_portal.models import normalise_email

    assert normalise_email(typed) == expected


@pytest.mark.parametrize("typed", OTHER_SPELLINGS)
def test_the_account_signs_in_however_its_address_is_typed(client, typed):
    UserFactory(public=True, email=ACCOUNT_EMAIL)
    assert post_login(client, typed).status_code == 302


@pytest.mark.parametrize("typed", OTHER_SPELLINGS)
def test_a_locked_account_is_not_signed_in_or_unlocked_by_another_spelling(client, typed):
    user = UserFactory(public=True, email=ACCOUNT_EMAIL)
    for _ in range(5):
        post_login(client, ACCOUNT_EMAIL, "wrong password here")
    assert post_login(client, typed).status_code == 429  # the right password, another case
    assert "_auth_user_id" not in client.session
    assert post_login(client, user.email).status_code == 429  # and the lock is still there


def test_failures_in_every_spelling_count_toward_one_lock(client):
    UserFactory(public=True, email=ACCOUNT_EMAIL)
    spellings = [ACCOUNT_EMAIL, *OTHER_SPELLINGS]  # five failures, each spelled differently
    statuses = [post_login(client, typed, "wrong password here").status_code for typed in spellings]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth locks
    assert post_login(client, OTHER_SPELLINGS[0]).status_code == 429


@pytest.mark.parametrize("typed", LOOK_ALIKES)
def test_a_look_alike_address_never_reaches_the_account_or_its_lock(client, typed):
    user = UserFactory(public=True, email=ACCOUNT_EMAIL)
    refused = post_login(client, typed)  # the right password
    assert refused.status_code == 200 and "There is a problem" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    for _ in range(5):
        post_login(client, typed, "wrong password here")
    assert post_login(client, user.email).status_code == 302  # the account is not locked


@pytest.mark.parametrize("typed", LOOK_ALIKES)
def test_a_look_alike_address_does_not_unlock_the_account(client, typed):
    user = UserFactory(public=True, email=ACCOUNT_EMAIL)
    for _ in range(5):
        post_login(client, user.email, "wrong password here")
    assert post_login(client, typed).status_code == 200
    assert post_login(client, user.email).status_code == 429


def test_a_failed_sign_in_is_audited_against_the_account_however_it_was_typed(client):
    user = UserFactory(public=True, email=ACCOUNT_EMAIL)
    post_login(client, " LOCAL.Authority@demo.example ", "wrong password here")
    post_login(client, "local.authority@d\u0435mo.example", "wrong password here")
    first, second = AuditEvent.objects.filter(action="login_failed").order_by("pk")
    assert first.object_id == str(user.pk) and second.object_id == ""


def test_an_account_made_or_changed_in_the_admin_keeps_the_normal_form():
    from ctr_portal.admin import UserChangeForm, UserCreationForm

    form = UserCreationForm(
        data={
            "email": "  New.Person@Example.NHS.uk ",
            "display_name": "New Person",
            "password1": "maple river lantern 42",
            "password2": "maple river lantern 42",
        }
    )
    assert form.is_valid(), form.errors
    user = form.save()
    assert user.email == "new.person@example.nhs.uk"
    data = {**UserChangeForm(instance=user).initial, "email": "Changed.Person@Example.NHS.uk"}
    form = UserChangeForm(data={k: v for k, v in data.items() if v is not None}, instance=user)
    assert form.is_valid(), form.errors
    assert form.save().email == "changed.person@example.nhs.uk"


@pytest.mark.parametrize("typed", OTHER_SPELLINGS)
def test_a_reset_asked_for_in_another_spelling_reaches_the_account(client, typed, mailoutbox):
    UserFactory(email=ACCOUNT_EMAIL)
    client.post(reverse("accounts:password_reset"), {"email": typed})
    assert Notification.objects.get().recipient == ACCOUNT_EMAIL


@pytest.mark.parametrize("typed", LOOK_ALIKES)
def test_a_reset_asked_for_a_look_alike_sends_nothing(client, typed):
    UserFactory(email=ACCOUNT_EMAIL)
    response = client.post(reverse("accounts:password_reset"), {"email": typed})
    # Refused as not an address, or taken and answered as for an unknown one: nothing is sent.
    assert response.status_code == 200 or response.url == reverse("accounts:password_reset_done")
    assert not Notification.objects.exists()


# --- The reset link is never kept or shown ----------------------------------------------------


def _reset_token(link):
    """The token of a reset link: /account/password-reset/<uidb64>/<token>/."""
    return link.rstrip("/").rsplit("/", 1)[-1]


def test_the_reset_link_is_kept_nowhere_once_sent_and_no_admin_page_shows_it(
    client, client_for, django_capture_on_commit_callbacks, mailoutbox
):
    user = UserFactory(email="reset.me@example.nhs.uk")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": user.email})
    [message] = mailoutbox
    link = re.search(r"https?://\S+/password-reset/\S+/", message.body).group(0)
    token = _reset_token(link)
    assert len(token) > 20
    notification = Notification.objects.get()
    assert notification.state == "sent"
    stored = str(
        Notification.objects.filter(pk=notification.pk).values().get()
    )  # every column of the row
    assert token not in stored and link not in stored

    admin = client_for("administrator")
    pages = [
        admin.get("/admin/ctr_portal/notification/"),
        admin.get(f"/admin/ctr_portal/notification/{notification.pk}/change/"),
    ]
    for page in pages:
        assert page.status_code == 200
        assert token not in page.content.decode()
    assert notification.idempotency_key in pages[1].content.decode()


def test_a_pending_reset_keeps_its_token_only_out_of_the_key_and_out_of_the_admin(
    client, client_for, django_capture_on_commit_callbacks
):
    user = UserFactory(email="reset.me@example.nhs.uk")
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("accounts:password_reset"), {"email": user.email})
    notification = Notification.objects.get()
    assert notification.state == "pending"
    assert "reset_url" not in notification.context
    token = _reset_token(notification.secret_context["reset_url"])
    assert token not in notification.idempotency_key
    assert notification.idempotency_key.startswith(f"password-reset:{user.pk}:")
    admin = client_for("administrator")
    for url in (
        "/admin/ctr_portal/notification/",
        f"/admin/ctr_portal/notification/{notification.pk}/change/",
    ):
        assert token not in admin.get(url).content.decode()


def test_the_migration_brings_addresses_saved_otherwise_to_the_normal_form(client):
    import importlib

    from django.apps import apps

    from ctr_portal.models import User

    migration = importlib.import_module("ctr_portal.migrations.0008_user_email_normal_form")
    user = UserFactory(public=True)
    User.objects.filter(pk=user.pk).update(email=" Saved.In.Admin@Example.NHS.uk")
    kept = UserFactory(email="loc\u0430l@example.nhs.uk")
    migration.normalise_emails(apps, None)
    assert User.objects.get(pk=user.pk).email == "saved.in.admin@example.nhs.uk"
    assert User.objects.get(pk=kept.pk).email == "loc\u0430l@example.nhs.uk"
    assert post_login(client, "SAVED.in.admin@example.nhs.uk").status_code == 302
