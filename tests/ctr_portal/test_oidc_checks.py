"""The checks of what CIS2 and NHS login send back, with keys made here (no provider)."""

import time

import jwt
import pytest
from django.core.management import call_command
from joserfc.jwk import RSAKey

from ctr_portal import oidc

ISSUER = "https://cis2.example/openam/oauth2/realms/root/realms/oidc"
CLIENT = "ctr-portal"
NONCE = "nonce-123"


@pytest.fixture(scope="module")
def keys():
    def make():
        return RSAKey.generate_key(2048, private=True).as_pem(private=True).decode()

    return {"provider": make(), "stranger": make()}


def public(pem):
    return jwt.algorithms.RSAAlgorithm.from_jwk(RSAKey.import_key(pem).as_dict(private=False))


def id_token(keys, signer="provider", **changes):
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "555000000001",
        "iat": now,
        "exp": now + 300,
        "auth_time": now - 10,
        "nonce": NONCE,
        "id_assurance_level": "3",
        "authentication_assurance_level": "3",
    }
    claims.update(changes)
    claims = {key: value for key, value in claims.items() if value is not None}
    return jwt.encode(claims, keys[signer], algorithm="RS512")


def check(keys, token):
    return oidc.check_id_token(
        token, key=public(keys["provider"]), issuer=ISSUER, client_id=CLIENT, nonce=NONCE
    )


def refusal(call):
    with pytest.raises(oidc.Refused) as caught:
        call()
    return caught.value


def test_a_good_id_token_passes(keys):
    assert check(keys, id_token(keys))["sub"] == "555000000001"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"iss": "https://someone.else"}, "untrusted"),
        ({"aud": "another-service"}, "untrusted"),
        ({"aud": [CLIENT, "another-service"]}, "untrusted"),  # several audiences, no azp
        ({"nonce": "replayed"}, "untrusted"),
        ({"nonce": None}, "untrusted"),
        ({"exp": ("now", -120)}, "untrusted"),
        ({"iat": ("now", 600)}, "untrusted"),
        ({"auth_time": ("now", -6 * 60)}, "stale"),
        ({"auth_time": None}, "stale"),
    ],
)
def test_an_id_token_that_fails_a_check_is_refused(keys, changes, reason):
    # Times are made when the test runs, not when it is collected (minutes earlier under xdist).
    changes = {
        name: int(time.time()) + value[1] if isinstance(value, tuple) else value
        for name, value in changes.items()
    }
    assert refusal(lambda: check(keys, id_token(keys, **changes))).reason == reason


def test_an_id_token_signed_by_another_key_is_refused(keys):
    refused = refusal(lambda: check(keys, id_token(keys, signer="stranger")))
    assert refused.action == oidc.Action.SIGN_IN_REFUSED_TOKEN


def test_an_unsigned_id_token_is_refused(keys):
    token = jwt.encode({"iss": ISSUER, "aud": CLIENT, "sub": "x"}, None, algorithm="none")
    assert refusal(lambda: check(keys, token)).reason == "untrusted"


@pytest.mark.parametrize(
    ("claims", "acr", "passes"),
    [
        ({"id_assurance_level": "3", "authentication_assurance_level": "3"}, "AAL3_ANY", True),
        ({"id_assurance_level": "3", "authentication_assurance_level": "2"}, "AAL3_ANY", False),
        (
            {"id_assurance_level": "3", "authentication_assurance_level": "2"},
            "AAL2_OR_AAL3_ANY",
            True,
        ),
        (
            {"id_assurance_level": "3", "authentication_assurance_level": "1"},
            "AAL2_OR_AAL3_ANY",
            False,
        ),
        (
            {"id_assurance_level": "2", "authentication_assurance_level": "3"},
            "AAL2_OR_AAL3_ANY",
            False,
        ),
        ({"authentication_assurance_level": "3"}, "AAL2_OR_AAL3_ANY", False),
    ],
)
def test_cis2_assurance_must_reach_what_was_asked(claims, acr, passes):
    def call():
        oidc.check_cis2_assurance(claims, acr_values=acr)

    if passes:
        call()
    else:
        assert refusal(call).action == oidc.Action.SIGN_IN_REFUSED_ASSURANCE


def test_userinfo_about_someone_else_is_refused():
    oidc.check_userinfo_subject({"sub": "a"}, {"sub": "a"})
    assert refusal(lambda: oidc.check_userinfo_subject({"sub": "b"}, {"sub": "a"})).reason == (
        "untrusted"
    )


def logout_token(keys, signer="provider", **changes):
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "555000000001",
        "iat": now,
        "exp": now + 120,
        "jti": "j1",
        "events": {oidc.BACKCHANNEL_EVENT: {}},
    }
    claims.update(changes)
    claims = {key: value for key, value in claims.items() if value is not None}
    return jwt.encode(claims, keys[signer], algorithm="RS512")


def check_logout(keys, token):
    return oidc.check_logout_token(
        token, key=public(keys["provider"]), issuer=ISSUER, client_id=CLIENT
    )


def test_a_good_logout_token_passes(keys):
    assert check_logout(keys, logout_token(keys))["sub"] == "555000000001"


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "https://someone.else"},
        {"aud": "another-service"},
        {"exp": int(time.time()) - 120},
        {"exp": None},
        {"events": None},
        {"events": {"http://example.com/other-event": {}}},
        {"nonce": "n"},
        {"sub": None},
    ],
)
def test_a_logout_token_that_fails_a_check_is_refused(keys, changes):
    assert refusal(lambda: check_logout(keys, logout_token(keys, **changes))).reason == "untrusted"


def test_a_logout_token_signed_by_another_key_is_refused(keys):
    assert refusal(lambda: check_logout(keys, logout_token(keys, signer="stranger")))


def test_the_client_assertion_is_rs512_for_five_minutes_with_the_thumbprint_as_key_id(
    keys, settings
):
    settings.SIGN_IN_PRIVATE_KEY = keys["provider"]
    settings.SIGN_IN_PRIVATE_KEY_PATH = ""

    class Auth:
        client_id = CLIENT

    assertion = oidc._ClientAssertion().sign(Auth(), "https://cis2.example/token")
    header = jwt.get_unverified_header(assertion)
    claims = jwt.decode(
        assertion,
        public(keys["provider"]),
        algorithms=["RS512"],
        audience="https://cis2.example/token",
    )
    assert header["alg"] == "RS512"
    assert header["kid"] == RSAKey.import_key(keys["provider"]).thumbprint()
    assert claims["iss"] == claims["sub"] == CLIENT
    assert claims["exp"] - claims["iat"] == 300
    assert claims["jti"]
    assert oidc.public_jwks()["keys"][0]["kid"] == header["kid"]
    assert "d" not in oidc.public_jwks()["keys"][0]  # the public half only


def test_the_key_command_writes_a_key_once_readable_by_its_owner_only(tmp_path):
    out = tmp_path / "key.pem"
    call_command("sign_in_key", out=str(out))
    assert out.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert out.stat().st_mode & 0o777 == 0o600
    with pytest.raises(Exception, match="exists"):
        call_command("sign_in_key", out=str(out))


def test_nhs_login_proofing_levels():
    assert oidc.proofing_level({"identity_proofing_level": "P9"}) == "P9"
    assert oidc.proofing_level({"vot": "P5.Cp.Cd"}) == "P5"
    assert oidc.proofing_level({}) == "P0"
    assert oidc.at_least("P9", "P5") and not oidc.at_least("P5", "P9")
