"""`make run`'s local CIS2 and NHS login (ADR 0023): each persona they list signs in as that
persona; those with neither (panel experts, the administrator) keep their password."""

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from ctr_portal import oidc
from ctr_portal.demo import PERSONAS, demo_provider, local_provider_users, seed_accounts

from ..conftest import staff_roles_let_in
from ..oidc_provider import CLIENT_ID, LocalProvider

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("profile", ["cis2", "nhs_login"])
def test_every_persona_the_local_provider_lists_signs_in_as_that_persona(db, settings, profile):
    seed_accounts()
    staff_roles_let_in()
    users = local_provider_users(profile)
    assert set(users) == {p.key for p in PERSONAS if demo_provider(p) == profile}
    provider = LocalProvider(
        profile, redirect_path=f"/account/sign-in/{profile}/callback/", users=users
    )
    try:
        oidc._cache.clear()
        prefix = profile.upper()
        setattr(settings, f"{prefix}_ISSUER", provider.issuer)
        setattr(settings, f"{prefix}_CLIENT_ID", CLIENT_ID)
        settings.SIGN_IN_PRIVATE_KEY = provider.key_pem
        for persona in PERSONAS:
            if persona.key not in users:
                continue
            client = Client()
            start = reverse("accounts:oidc_start", args=[profile])
            response = client.get(f"{start}?{urlencode({'login_hint': persona.key})}")
            response = client.get(provider.sign_in(response["Location"]))
            assert response["Location"] == reverse("dashboard"), persona.key
            assert client.get(reverse("dashboard")).context["user"].email == persona.email
    finally:
        provider.stop()
        oidc._cache.clear()
