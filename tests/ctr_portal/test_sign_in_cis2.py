"""Signing in with NHS CIS2, against the real OpenID provider set up like CIS2 (ADR 0023).

Each user of tests/oidc/users.json is picked by login_hint; the provider's own checks (client
authentication by our signed assertion, PKCE, the code) run as they would at CIS2."""

import time
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from ctr_portal.models import AuditEvent, Membership, SignInIdentity, User

from ..oidc_provider import new_key_pem, user

pytestmark = pytest.mark.slow

ODS_CODES = {
    "icb": "QXA",
    "icb_other": "QXB",
    "provider": "RXY",
    "local_authority": "E06000901",
    "oversight_panel": "QXA01",
}


@pytest.fixture
def ods_codes(organisations):
    for key, code in ODS_CODES.items():
        organisations[key].ods_code = code
        organisations[key].save(update_fields=["ods_code"])
    return organisations


def start(client, hint, **query):
    response = client.get(
        reverse("accounts:oidc_start", args=["cis2"])
        + "?"
        + urlencode({"login_hint": hint, **query})
    )
    assert response.status_code == 302, response.content
    return response["Location"]


def sign_in(provider, client, hint, **query):
    """The whole journey: our start page, the provider, back to our callback."""
    callback = provider.sign_in(start(client, hint, **query))
    return client.get(callback)


def refused_reason(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in_refused"))
    return response["Location"].split("reason=")[1].split("&")[0]


def actions():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_the_start_asks_cis2_for_its_scopes_assurance_and_a_fresh_sign_in(cis2_on, db):
    location = start(Client(), "commissioner")
    assert location.startswith(cis2_on.issuer + "/auth?")
    for part in (
        "scope=openid+profile+email+nationalrbacaccess+associatedorgs+selectedrole",
        "acr_values=AAL2_OR_AAL3_ANY",
        "prompt=login",
        "response_type=code",
        "code_challenge_method=S256",
        "nonce=",
        "state=",
    ):
        assert part in location


@pytest.mark.parametrize(
    ("hint", "organisation", "role"),
    [
        ("commissioner", "icb", "commissioner"),
        ("commissioner_other_org", "icb_other", "commissioner_other_org"),
        ("provider", "provider", "provider"),
        ("local_authority", "local_authority", "local_authority"),
        ("oversight_panel", "oversight_panel", "oversight_panel"),
    ],
)
def test_staff_sign_in_and_are_linked_to_their_account_and_organisation(
    cis2_on, users, ods_codes, hint, organisation, role
):
    client = Client()
    response = sign_in(cis2_on, client, hint)

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    account = users[role]  # found by the email CIS2 gives, then linked by its subject
    assert client.session["_auth_user_id"] == str(account.pk)
    identity = SignInIdentity.objects.get(user=account)
    assert (identity.provider, identity.subject) == ("cis2", user("cis2", hint)["sub"])
    assert account.memberships.filter(organisation=ods_codes[organisation]).exists()
    # CIS2 checked two factors: no authenticator code is asked for.
    assert client.get(reverse("dashboard")).status_code == 200
    assert actions()[-2:] == ["sign_in_linked", "login"]


def test_someone_new_gets_an_account_and_membership_with_their_roles_job_title(
    cis2_on, users, ods_codes
):
    client = Client()
    sign_in(cis2_on, client, "new_commissioner")

    account = User.objects.get(email="priya.shah@example.nhs.uk")
    assert account.display_name == "Priya Shah"
    assert account.kind == User.Kind.PROFESSIONAL
    assert not account.has_usable_password()
    membership = Membership.objects.get(user=account)
    assert membership.organisation == ods_codes["icb"]
    assert membership.job_title == "Administrative and clinical support"
    assert client.get(reverse("reviews:person_list")).status_code == 200  # a commissioner


def test_a_second_sign_in_finds_the_account_by_its_cis2_subject(cis2_on, users, ods_codes):
    sign_in(cis2_on, Client(), "commissioner")
    users["commissioner"].email = "renamed@example.nhs.uk"
    users["commissioner"].save()

    client = Client()
    sign_in(cis2_on, client, "commissioner")
    assert client.session["_auth_user_id"] == str(users["commissioner"].pk)
    assert SignInIdentity.objects.count() == 1


@pytest.mark.parametrize(
    ("hint", "reason", "action"),
    [
        ("low_identity", "assurance", "sign_in_refused_assurance"),
        ("password_only", "assurance", "sign_in_refused_assurance"),
        ("stale", "stale", "sign_in_refused_stale"),
        ("other_subject", "untrusted", "sign_in_refused_token"),
        ("unknown_role", "role", "sign_in_refused_role"),
        ("unknown_org", "organisation", "sign_in_refused_org"),
    ],
)
def test_a_refused_sign_in_shows_why_and_is_recorded(
    cis2_on, users, ods_codes, hint, reason, action
):
    client = Client()
    response = sign_in(cis2_on, client, hint)

    assert refused_reason(response) == reason
    assert "_auth_user_id" not in client.session
    assert actions()[-1] == action
    page = client.get(response["Location"])
    assert page.status_code == 403
    assert b"You have not been signed in" in page.content


def test_an_unknown_role_of_a_linked_account_is_recorded_against_it(cis2_on, users, ods_codes):
    someone = users["commissioner"]
    SignInIdentity.objects.create(
        user=someone, provider="cis2", subject=user("cis2", "unknown_role")["sub"]
    )
    sign_in(cis2_on, Client(), "unknown_role")

    event = AuditEvent.objects.order_by("id").last()
    assert (event.action, event.object_id) == ("sign_in_refused_role", str(someone.pk))
    page = Client().get(reverse("accounts:sign_in_refused") + "?reason=role")
    assert b"administrator" in page.content


def test_a_key_the_provider_does_not_know_is_refused(cis2_on, settings, users, ods_codes):
    settings.SIGN_IN_PRIVATE_KEY = new_key_pem()
    client = Client()
    response = sign_in(cis2_on, client, "commissioner")

    assert refused_reason(response) == "provider_refused"
    assert "_auth_user_id" not in client.session
    assert actions()[-1] == "sign_in_refused_token"


def test_a_callback_with_another_state_is_refused(cis2_on, users, ods_codes):
    client = Client()
    callback = cis2_on.sign_in(start(client, "commissioner"))
    forged = callback.replace("state=", "state=x")
    assert refused_reason(client.get(forged)) == "expired"
    assert "_auth_user_id" not in client.session


def test_a_back_channel_logout_ends_every_session_of_that_user(cis2_on, users, ods_codes):
    desk, ward = Client(), Client()
    sign_in(cis2_on, desk, "commissioner")
    sign_in(cis2_on, ward, "commissioner")
    other = Client()
    sign_in(cis2_on, other, "provider")
    time.sleep(0.01)

    cis2_on.logout(user("cis2", "commissioner")["sub"])
    token = cis2_on.logouts.get(timeout=10)
    response = Client().post(reverse("accounts:cis2_backchannel_logout"), {"logout_token": token})

    assert response.status_code == 200
    for client in (desk, ward):
        response = client.get(reverse("dashboard"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert other.get(reverse("dashboard")).status_code == 200
    assert "backchannel_logout" in actions()
    # Signing in again afterwards works.
    again = Client()
    sign_in(cis2_on, again, "commissioner")
    assert again.get(reverse("dashboard")).status_code == 200


def test_a_logout_token_that_is_not_signed_by_the_provider_is_refused(cis2_on, users, ods_codes):
    sign_in(cis2_on, Client(), "commissioner")
    cis2_on.logout(user("cis2", "commissioner")["sub"])
    token = cis2_on.logouts.get(timeout=10)
    head, body, signature = token.split(".")
    tampered = f"{head}.{body}.{signature[:-4]}AAAA"

    response = Client().post(
        reverse("accounts:cis2_backchannel_logout"), {"logout_token": tampered}
    )
    assert response.status_code == 400
    assert User.objects.get(pk=users["commissioner"].pk).sessions_ended_at is None


def test_password_sign_in_is_refused_where_the_organisation_uses_cis2_only(
    cis2_on, users, ods_codes
):
    users["commissioner"].set_password("a long enough password")
    users["commissioner"].save()
    ods_codes["icb"].password_sign_in = False
    ods_codes["icb"].save()

    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": "commissioner@example.nhs.uk", "password": "a long enough password"},
    )
    assert response.status_code == 200
    assert b"signs in with NHS CIS2" in response.content
    assert "_auth_user_id" not in client.session
    assert actions()[-1] == "sign_in_refused_password"
    assert b"Sign in with NHS CIS2" in response.content


def test_an_answer_for_a_sign_in_started_long_ago_is_refused(cis2_on, users, ods_codes):
    client = Client()
    callback = cis2_on.sign_in(start(client, "commissioner"))
    session = client.session
    session["_sign_in_pending"]["started_at"] -= 11 * 60
    session.save()
    assert refused_reason(client.get(callback)) == "expired"


def test_the_jwks_publishes_the_public_key_the_provider_checks(cis2_on, db):
    keys = Client().get(reverse("accounts:oidc_jwks")).json()["keys"]
    assert [key["alg"] for key in keys] == ["RS512"]
    assert "d" not in keys[0]
