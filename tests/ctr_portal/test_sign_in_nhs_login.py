"""Signing in with NHS login, against the real OpenID provider set up like NHS login (ADR 0023):
the person by their NHS number at P9, family only through their invitation, never by name."""

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from ctr_portal.models import AuditEvent, SignInIdentity, User
from reviews.models import Participant, Person
from reviews.services.participants import _invitation_create

from ..oidc_provider import user

pytestmark = pytest.mark.slow

NHS_NUMBER = "9000000009"  # the person's, in tests/oidc/users.json


@pytest.fixture
def world(review_world):
    Person.objects.filter(pk=review_world["person"].pk).update(nhs_number=NHS_NUMBER)
    return review_world


def sign_in(provider, client, hint, **query):
    response = client.get(
        reverse("accounts:oidc_start", args=["nhs_login"])
        + "?"
        + urlencode({"login_hint": hint, **query})
    )
    assert response.status_code == 302, response.content
    assert "vtr=" in response["Location"]
    assert "scope=openid+profile+email+phone" in response["Location"]
    return client.get(provider.sign_in(response["Location"]))


def refused_reason(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in_refused"))
    return response["Location"].split("reason=")[1].split("&")[0]


def last_action():
    return AuditEvent.objects.order_by("id").last().action


def test_the_person_at_p9_is_linked_by_their_nhs_number(nhs_login_on, users, world):
    client = Client()
    response = sign_in(nhs_login_on, client, "person")

    assert response["Location"] == reverse("dashboard")
    assert client.session["_auth_user_id"] == str(users["person"].pk)
    identity = SignInIdentity.objects.get(user=users["person"])
    assert identity.subject == user("nhs_login", "person")["sub"]
    # NHS login's sessions end after 30 minutes idle.
    assert client.session.get_expiry_age() == 30 * 60
    page = client.get(reverse("reviews:review_detail", args=[world["review"].pk]))
    assert page.status_code == 200
    # The claim is compared, never kept: not in the session, nor the audit trail.
    assert NHS_NUMBER not in str(dict(client.session))
    assert not any(NHS_NUMBER in str(event.__dict__) for event in AuditEvent.objects.all())


@pytest.mark.parametrize("hint", ["person_p0", "person_p5"])
def test_the_person_below_p9_is_refused(nhs_login_on, users, world, hint):
    client = Client()
    response = sign_in(nhs_login_on, client, hint)

    assert refused_reason(response) == "identity"
    assert "_auth_user_id" not in client.session
    assert last_action() == "sign_in_refused_assurance"
    assert not SignInIdentity.objects.exists()


def test_someone_whose_nhs_number_is_not_here_is_refused(nhs_login_on, users, world):
    client = Client()
    assert refused_reason(sign_in(nhs_login_on, client, "stranger")) == "not_linked"
    assert last_action() == "sign_in_refused_not_linked"


def test_a_family_carer_is_not_linked_by_name_or_email_without_their_invitation(
    nhs_login_on, users, world
):
    # Same name and email as the family carer's account here, but no invitation followed.
    client = Client()
    assert refused_reason(sign_in(nhs_login_on, client, "family_carer")) == "not_linked"
    assert not SignInIdentity.objects.exists()


def invite(world, users, email="second.carer@example.com"):
    participant = Participant.objects.create(
        review=world["review"],
        role="family_carer",
        name="Second Carer",
        email=email,
        added_by=users["commissioner"],
    )
    return participant, _invitation_create(participant)


def test_a_family_carer_is_linked_through_their_invitation(nhs_login_on, users, world):
    participant, token = invite(world, users)
    page = Client().get(reverse("reviews:invitation_accept", args=[token]))
    assert b"Continue to NHS login" in page.content

    client = Client()
    response = sign_in(nhs_login_on, client, "family_carer", invitation=token)

    participant.refresh_from_db()
    account = participant.user
    assert account.email == "second.carer@example.com"
    assert account.kind == User.Kind.PUBLIC
    assert not account.has_usable_password()
    assert client.session["_auth_user_id"] == str(account.pk)
    assert response["Location"] == reverse("dashboard")
    assert SignInIdentity.objects.get(user=account).provider == "nhs_login"
    # Next time, NHS login alone finds them; the link is used up.
    again = Client()
    sign_in(nhs_login_on, again, "family_carer")
    assert again.session["_auth_user_id"] == str(account.pk)
    used = Client()
    assert refused_reason(sign_in(nhs_login_on, used, "stranger", invitation=token)) == (
        "invitation"
    )


def test_a_family_carer_below_p5_is_refused_even_with_an_invitation(nhs_login_on, users, world):
    participant, token = invite(world, users)
    client = Client()
    assert refused_reason(sign_in(nhs_login_on, client, "person_p0", invitation=token)) == (
        "identity"
    )
    participant.refresh_from_db()
    assert participant.user is None


def test_a_linked_account_is_refused_below_p5(nhs_login_on, users, world):
    SignInIdentity.objects.create(
        user=users["family_carer"],
        provider="nhs_login",
        subject=user("nhs_login", "person_p0")["sub"],
    )
    client = Client()
    assert refused_reason(sign_in(nhs_login_on, client, "person_p0")) == "identity"
    assert "_auth_user_id" not in client.session


def test_the_person_is_linked_through_their_invitation_only_at_p9_with_their_nhs_number(
    nhs_login_on, users, world
):
    participant = Participant.objects.create(
        review=world["review"],
        role="person",
        name="Daniel Clarke",
        invited_through="paper",
        added_by=users["commissioner"],
    )
    Participant.objects.filter(role="person", user=users["person"]).delete()
    User.objects.filter(pk=users["person"].pk).update(email="someone.else@example.com")
    token = _invitation_create(participant)
    assert refused_reason(sign_in(nhs_login_on, Client(), "person_p5", invitation=token)) == (
        "identity"
    )
    assert refused_reason(sign_in(nhs_login_on, Client(), "stranger", invitation=token)) == (
        "not_linked"
    )

    client = Client()
    sign_in(nhs_login_on, client, "person", invitation=token)
    participant.refresh_from_db()
    assert participant.user.email == "person@example.com"  # NHS login's: no email was invited
    assert client.session["_auth_user_id"] == str(participant.user.pk)
