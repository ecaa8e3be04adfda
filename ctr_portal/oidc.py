"""OpenID Connect with NHS CIS2 and NHS login (ADR 0023): the authorization code flow, the
service's client authentication (`private_key_jwt`, signed RS512, five minutes, key id the key's
JWK thumbprint) and every check of what the provider sends back. Nothing here writes to the
database: `services` links and signs in the account these checks let through.

The flow is authlib's (as in NHS England's own Django service); the tokens are checked here, one
named check at a time, so each refusal has its own reason, page and audit event."""

import hmac
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jwt
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT, private_key_jwt_sign
from django.conf import settings
from joserfc.jwk import RSAKey

from .models import AuditEvent, SignInIdentity

Action = AuditEvent.Action
CIS2 = SignInIdentity.Provider.CIS2
NHS_LOGIN = SignInIdentity.Provider.NHS_LOGIN

CLIENT_ASSERTION_SECONDS = 5 * 60
SIGNING_ALG = "RS512"
ID_TOKEN_ALGS = ["RS512", "RS256"]
LEEWAY_SECONDS = 30
METADATA_SECONDS = 60 * 60
PENDING_SECONDS = 10 * 60  # from leaving for the provider to coming back
# How long ago the provider may have checked the person: prompt=login asks it to check them now,
# and an older auth_time means it did not (issue 24).
MAX_AUTH_AGE_SECONDS = 5 * 60
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"

# The assurance a CIS2 `acr_values` request asks for, as the authentication_assurance_level the
# ID token must then show.
CIS2_AAL_ASKED = {"AAL3_ANY": 3, "AAL2_OR_AAL3_ANY": 2, "AAL2_ANY": 2, "AAL1_USERPASS": 1}
CIS2_MIN_ID_ASSURANCE = 3
# NHS login's identity proofing levels, weakest first.
PROOFING_LEVELS = ["P0", "P5", "P9"]


class Refused(Exception):
    """A sign-in this service will not accept. `action` is the audit event; `reason` picks the
    words on the refusal page (REASONS in views.accounts)."""

    def __init__(self, action, reason, detail="", user=None):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.action, self.reason, self.user = action, reason, user


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    issuer: str
    discovery_url: str
    client_id: str
    scope: str
    params: dict = field(default_factory=dict)


def provider(name) -> Provider | None:
    """The provider's set-up, or None while it is switched off."""
    if name == CIS2 and settings.CIS2_ISSUER and settings.CIS2_CLIENT_ID:
        return Provider(
            name=CIS2,
            label="NHS CIS2",
            issuer=settings.CIS2_ISSUER,
            discovery_url=settings.CIS2_DISCOVERY_URL or _discovery(settings.CIS2_ISSUER),
            client_id=settings.CIS2_CLIENT_ID,
            scope="openid profile email nationalrbacaccess associatedorgs selectedrole",
            params={"acr_values": settings.CIS2_ACR_VALUES, "prompt": "login"},
        )
    if name == NHS_LOGIN and settings.NHS_LOGIN_ISSUER and settings.NHS_LOGIN_CLIENT_ID:
        return Provider(
            name=NHS_LOGIN,
            label="NHS login",
            issuer=settings.NHS_LOGIN_ISSUER,
            discovery_url=settings.NHS_LOGIN_DISCOVERY_URL
            or _discovery(settings.NHS_LOGIN_ISSUER),
            client_id=settings.NHS_LOGIN_CLIENT_ID,
            scope="openid profile email phone",
            params={"vtr": settings.NHS_LOGIN_VTR, "prompt": "login"},
        )
    return None


def _discovery(issuer):
    return f"{issuer}/.well-known/openid-configuration"


# --- The service's key ----------------------------------------------------------------------


def private_key_pem() -> str:
    if settings.SIGN_IN_PRIVATE_KEY:
        return settings.SIGN_IN_PRIVATE_KEY
    if settings.SIGN_IN_PRIVATE_KEY_PATH:
        try:
            return Path(settings.SIGN_IN_PRIVATE_KEY_PATH).read_text()
        except OSError as error:
            raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "unavailable", error.strerror) from None
    return ""


@lru_cache(maxsize=4)
def _key_from(pem: str) -> RSAKey:
    return RSAKey.import_key(pem)


def private_key() -> RSAKey:
    pem = private_key_pem()
    if not pem:
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "unavailable", "no private key")
    return _key_from(pem)


def key_id(key: RSAKey) -> str:
    """The key's JWK thumbprint (RFC 7638): the same key always has the same id."""
    return key.thumbprint()


def public_jwks() -> dict:
    """The service's public keys, for the providers to check its client assertions."""
    if not private_key_pem():
        return {"keys": []}
    key = private_key()
    public = key.as_dict(private=False)
    public.update(kid=key_id(key), use="sig", alg=SIGNING_ALG)
    return {"keys": [public]}


def make_key_pem() -> str:
    """A new 4096-bit RSA private key, PEM, for a new deployment."""
    return RSAKey.generate_key(4096, private=True).as_pem(private=True).decode()


class _ClientAssertion(PrivateKeyJWT):
    """authlib's private_key_jwt, signed RS512 with our key id and a five-minute life."""

    alg = SIGNING_ALG

    def sign(self, auth, token_endpoint):
        key = private_key()
        return private_key_jwt_sign(
            key,
            client_id=auth.client_id,
            token_endpoint=token_endpoint,
            alg=SIGNING_ALG,
            header={"kid": key_id(key), "typ": "JWT"},
            expires_in=CLIENT_ASSERTION_SECONDS,
        )


# --- The provider's documents ---------------------------------------------------------------

_cache: dict = {}


def _get_json(url, *, fresh=False):
    cached = _cache.get(url)
    if cached and not fresh and time.monotonic() - cached[0] < METADATA_SECONDS:
        return cached[1]
    try:
        response = requests.get(url, timeout=settings.SIGN_IN_HTTP_TIMEOUT_SECONDS)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "unavailable", str(error)) from None
    _cache[url] = (time.monotonic(), document)
    return document


def metadata(p: Provider) -> dict:
    document = _get_json(p.discovery_url)
    if document.get("issuer") != p.issuer:
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "unavailable", "discovery names another issuer")
    return document


def _signing_key(p: Provider, token: str):
    """The provider's public key the token names, fetching its keys again once for a new id."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError as error:
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "untrusted", str(error)) from None
    uri = metadata(p)["jwks_uri"]
    for fresh in (False, True):
        try:
            keys = jwt.PyJWKSet.from_dict(_get_json(uri, fresh=fresh)).keys
        except jwt.PyJWTError as error:
            raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "unavailable", str(error)) from None
        for key in keys:
            if key.key_id == kid:
                return key.key
    raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "untrusted", "signed with an unknown key")


# --- The flow -------------------------------------------------------------------------------


def _session(p: Provider, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=p.client_id,
        token_endpoint_auth_method=_ClientAssertion(),
        scope=p.scope,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )


def authorization_start(p: Provider, *, redirect_uri: str, login_hint: str = "") -> tuple:
    """The provider's sign-in address, and what to keep in the session until it answers."""
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    extra = dict(p.params)
    if login_hint:
        extra["login_hint"] = login_hint
    url, _ = _session(p, redirect_uri).create_authorization_url(
        metadata(p)["authorization_endpoint"],
        state=state,
        nonce=nonce,
        code_verifier=verifier,
        **extra,
    )
    pending = {
        "provider": p.name,
        "state": state,
        "nonce": nonce,
        "code_verifier": verifier,
        "started_at": time.time(),
    }
    return url, pending


@dataclass
class Answer:
    """What the provider said about who signed in, once every check has passed."""

    provider: str
    subject: str
    id_token: dict
    userinfo: dict


def authorization_finish(p: Provider, *, redirect_uri: str, params, pending: dict) -> Answer:
    """Exchange the code the provider sent back, check the ID token and the userinfo."""
    if not pending or not hmac.compare_digest(
        str(params.get("state", "")), str(pending.get("state", ""))
    ):
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "expired", "state does not match")
    if time.time() - pending.get("started_at", 0) > PENDING_SECONDS:
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "expired", "sign-in started too long ago")
    if params.get("iss") and params["iss"] != p.issuer:  # RFC 9207: another provider's answer
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "untrusted", "iss parameter differs")
    if params.get("error"):
        raise Refused(Action.LOGIN_FAILED, "cancelled", str(params.get("error"))[:100])
    if not params.get("code"):
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "expired", "no code")
    document = metadata(p)
    session = _session(p, redirect_uri)
    try:
        token = session.fetch_token(
            document["token_endpoint"],
            code=params["code"],
            code_verifier=pending["code_verifier"],
            timeout=settings.SIGN_IN_HTTP_TIMEOUT_SECONDS,
        )
    except Exception as error:  # noqa: BLE001 - authlib's OAuthError, or the network's
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "provider_refused", str(error)) from None
    if "id_token" not in token:
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "provider_refused", "no ID token")
    claims = check_id_token(
        token["id_token"],
        key=_signing_key(p, token["id_token"]),
        issuer=p.issuer,
        client_id=p.client_id,
        nonce=pending["nonce"],
    )
    if p.name == CIS2:
        check_cis2_assurance(claims, acr_values=p.params["acr_values"])
    try:
        response = session.get(
            document["userinfo_endpoint"], timeout=settings.SIGN_IN_HTTP_TIMEOUT_SECONDS
        )
        response.raise_for_status()
        userinfo = response.json()
    except (requests.RequestException, ValueError) as error:
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "unavailable", str(error)) from None
    check_userinfo_subject(userinfo, claims)
    return Answer(provider=p.name, subject=claims["sub"], id_token=claims, userinfo=userinfo)


# --- The checks -----------------------------------------------------------------------------


def check_id_token(token, *, key, issuer, client_id, nonce, now=None) -> dict:
    """The ID token's signature, issuer, audience, expiry and nonce (OpenID Connect Core 3.1.3.7),
    and how recently the person signed in: prompt=login asked the provider to check them now."""
    now = time.time() if now is None else now
    try:
        claims = jwt.decode(
            token,
            key=key,
            algorithms=ID_TOKEN_ALGS,
            audience=client_id,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "sub"], "verify_iat": False},
        )
    except jwt.PyJWTError as error:
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "untrusted", str(error)) from None
    if claims["iat"] > now + LEEWAY_SECONDS or claims["exp"] < now - LEEWAY_SECONDS:
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "untrusted", "outside its lifetime")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "untrusted", "azp is not this service")
    if not nonce or not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "untrusted", "nonce does not match")
    auth_time = claims.get("auth_time")
    if not isinstance(auth_time, int | float):
        raise Refused(Action.SIGN_IN_REFUSED_STALE, "stale", "no auth_time")
    if now - auth_time > MAX_AUTH_AGE_SECONDS:
        raise Refused(Action.SIGN_IN_REFUSED_STALE, "stale", "auth_time too old")
    return claims


def _level(value) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def check_cis2_assurance(claims: dict, *, acr_values: str) -> None:
    """CIS2 tells how well it knows the person (identity, level 3 needed) and how they proved it
    was them this time (at least the level `acr_values` asked for)."""
    if _level(claims.get("id_assurance_level")) < CIS2_MIN_ID_ASSURANCE:
        raise Refused(Action.SIGN_IN_REFUSED_ASSURANCE, "assurance", "id_assurance_level")
    needed = CIS2_AAL_ASKED.get(acr_values, 3)
    if _level(claims.get("authentication_assurance_level")) < needed:
        raise Refused(
            Action.SIGN_IN_REFUSED_ASSURANCE, "assurance", "authentication_assurance_level"
        )


def check_userinfo_subject(userinfo: dict, claims: dict) -> None:
    """OpenID Connect Core 5.3.2: userinfo about anyone else is not about this sign-in."""
    if not hmac.compare_digest(str(userinfo.get("sub", "")), str(claims["sub"])):
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "untrusted", "userinfo sub differs")


def proofing_level(claims: dict) -> str:
    """NHS login's identity proofing level (P0, P5, P9); the weakest when it is missing."""
    level = claims.get("identity_proofing_level") or str(claims.get("vot", "")).split(".")[0]
    return level if level in PROOFING_LEVELS else "P0"


def at_least(level: str, needed: str) -> bool:
    return PROOFING_LEVELS.index(level) >= PROOFING_LEVELS.index(needed)


def check_logout_token(token, *, key, issuer, client_id, now=None) -> dict:
    """A back-channel logout token (OpenID Connect Back-Channel Logout 1.0, 2.6): signed by the
    provider, for this service, in date, carrying the logout event and a subject, and no nonce."""
    now = time.time() if now is None else now
    try:
        claims = jwt.decode(
            token,
            key=key,
            algorithms=ID_TOKEN_ALGS,
            audience=client_id,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "iat", "exp"], "verify_iat": False},
        )
    except jwt.PyJWTError as error:
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "untrusted", str(error)) from None
    if claims["iat"] > now + LEEWAY_SECONDS:
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "untrusted", "issued in the future")
    events = claims.get("events")
    if not isinstance(events, dict) or BACKCHANNEL_EVENT not in events:
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "untrusted", "not a logout event")
    if "nonce" in claims:
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "untrusted", "a logout token has no nonce")
    if not claims.get("sub"):
        raise Refused(Action.SIGN_IN_REFUSED_TOKEN, "untrusted", "no subject")
    return claims


def logout_token_claims(p: Provider, token: str) -> dict:
    return check_logout_token(
        token, key=_signing_key(p, token), issuer=p.issuer, client_id=p.client_id
    )

