import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import get_resolver, reverse

from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run_manage(*args, **env):
    # The browser tests allow sync ORM calls in their own process; a deployment never does.
    env = {"DJANGO_ALLOW_ASYNC_UNSAFE": None, **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={k: v for k, v in {**os.environ, **env}.items() if v is not None},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "ctr_portal.settings_production",
    "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "ctr.example.nhs.uk",
    "DEBUG": "0",
    "DEMO_MODE": "0",
}


def test_production_settings_pass_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_demo_mode():
    result = run_manage("check", **{**PRODUCTION, "DEMO_MODE": "1"})
    assert result.returncode != 0 and "DEMO_MODE is refused in production" in result.stderr


@pytest.mark.parametrize("provider", ["CIS2", "NHS_LOGIN"])
def test_production_settings_refuse_a_sign_in_provider_without_a_key(provider):
    """CIS2 and NHS login (ADR 0023) authenticate this service by its key alone."""
    configured = {
        f"{provider}_ISSUER": "https://sign-in.example.nhs.uk",
        f"{provider}_CLIENT_ID": "ctr-portal",
    }
    result = run_manage("check", **{**PRODUCTION, **configured})
    assert result.returncode != 0 and f"{provider} needs a private key" in result.stderr
    key = {"SIGN_IN_PRIVATE_KEY_PATH": "/run/secrets/sign-in-key.pem"}
    assert run_manage("check", **{**PRODUCTION, **configured, **key}).returncode == 0
    plain = {**configured, f"{provider}_ISSUER": "http://sign-in.example.nhs.uk", **key}
    result = run_manage("check", **{**PRODUCTION, **plain})
    assert result.returncode != 0 and "https://" in result.stderr


def test_production_settings_refuse_debug():
    result = run_manage("check", **{**PRODUCTION, "DEBUG": "1"})
    assert result.returncode != 0 and "DEBUG must be off" in result.stderr


def test_secret_key_is_required_outside_development():
    result = run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="ctr_portal.settings",
        SECRET_KEY=None,
        DEBUG="0",
        DEMO_MODE="0",
    )
    assert result.returncode != 0 and "Set SECRET_KEY" in result.stderr


def test_signed_in_pages_are_never_stored(client):
    sign_in(client, UserFactory(public=True))
    response = client.get(reverse("dashboard"))
    assert "no-store" in response["Cache-Control"]


def test_content_security_policy_is_self_only_with_a_nonce_for_the_inline_script(client):
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    page = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert inline and all(f'nonce="{nonce}"' in attrs for attrs in inline)
    assert "https://" not in re.sub(r'xmlns="[^"]+"', "", page.split("</head>")[0])


def test_every_response_carries_a_request_id_and_nosniff(client):
    response = client.get(reverse("accounts:login"))
    assert re.fullmatch(r"[0-9a-f-]{36}", response["X-Request-ID"])
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_a_well_formed_request_id_from_the_proxy_is_kept_and_a_bad_one_replaced(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abcd1234-proxy")["X-Request-ID"] == (
        "abcd1234-proxy"
    )
    assert client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


def test_error_pages_are_in_the_service_style_without_a_traceback(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code in (302, 404)
    sign_in(client, UserFactory(public=True))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode() and "Traceback" not in page


def test_server_error_page_shows_no_detail(rf):
    from ctr_portal.views.errors import server_error

    response = server_error(rf.get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page and "Traceback" not in page


def test_no_url_pattern_carries_a_name_or_nhs_number():
    """Paths may hold numeric ids, uuids and tokens, never a person's name or NHS number: a
    text parameter is allowed only for tokens and the admin's own routes."""
    from django.urls.converters import IntConverter, UUIDConverter

    # "measure" names one of the service measures (a fixed list of codes), never anyone;
    # "provider" names the sign-in provider (cis2 or nhs_login).
    text_allowed = {
        "provider",
        "uidb64",
        "token",
        "object_id",
        "app_label",
        "content_type_id",
        "url",
        "id",
        "measure",
    }

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, route)
            else:
                converters = getattr(p.pattern, "converters", {})
                for name in p.pattern.regex.groupindex:
                    yield route, name, converters.get(name)

    for route, name, converter in walk(get_resolver().url_patterns):
        assert "nhs" not in name.lower() and "name" not in name.lower(), route
        if not isinstance(converter, IntConverter | UUIDConverter):
            assert name in text_allowed, f"{route} takes <{name}> as text"


def test_log_lines_carry_the_request_id_and_not_the_email_typed(client, caplog):
    caplog.set_level("INFO")
    client.post(
        reverse("accounts:login"), {"username": "private.person@example.com", "password": "wrong"}
    )
    assert "private.person@example.com" not in caplog.text
