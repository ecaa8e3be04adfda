"""Production settings: the defaults tightened, and refusing what must never run live."""

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403
from .settings import env

if DEBUG:  # noqa: F405
    raise ImproperlyConfigured("DEBUG must be off in production.")
if DEMO_MODE:  # noqa: F405
    raise ImproperlyConfigured(
        "DEMO_MODE is refused in production: demo accounts sign in without two-factor."
    )

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# One cache for every process (the PDS access token, GOV.UK Notify's rate count): Redis.
if REDIS_URL:  # noqa: F405
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,  # noqa: F405
            "KEY_PREFIX": "ctr-cache",
        }
    }

# PDS (ADR 0019) is all set or all unset: half a configuration would fail at the first person
# registered, in front of the commissioner, instead of here.
_PDS_PARTS = {
    "PDS_BASE_URL": PDS_BASE_URL,  # noqa: F405
    "PDS_API_KEY": PDS_API_KEY,  # noqa: F405
    "PDS_KEY_ID": PDS_KEY_ID,  # noqa: F405
    "PDS_PRIVATE_KEY or PDS_PRIVATE_KEY_PATH": PDS_PRIVATE_KEY or PDS_PRIVATE_KEY_PATH,  # noqa: F405
}
if any(_PDS_PARTS.values()) and not all(_PDS_PARTS.values()):
    _missing = ", ".join(name for name, value in _PDS_PARTS.items() if not value)
    raise ImproperlyConfigured(f"PDS is half configured: set {_missing}, or unset them all.")
# GOV.UK Notify (ADR 0020) likewise: all of it, or none and OUTBOX_TRANSPORT left at "django".
_NOTIFY_PARTS = {
    "NOTIFY_API_KEY": NOTIFY_API_KEY,  # noqa: F405
    "NOTIFY_EMAIL_TEMPLATE_ID": NOTIFY_EMAIL_TEMPLATE_ID,  # noqa: F405
    "NOTIFY_SMS_TEMPLATE_ID": NOTIFY_SMS_TEMPLATE_ID,  # noqa: F405
    "NOTIFY_CALLBACK_TOKEN": NOTIFY_CALLBACK_TOKEN,  # noqa: F405
}
_notify_wanted = OUTBOX_TRANSPORT == "notify"  # noqa: F405
if (_notify_wanted or any(_NOTIFY_PARTS.values())) and not all(_NOTIFY_PARTS.values()):
    _missing = ", ".join(name for name, value in _NOTIFY_PARTS.items() if not value)
    raise ImproperlyConfigured(
        f"GOV.UK Notify is half configured: set {_missing}, or unset them all."
    )
if any(_NOTIFY_PARTS.values()) and not _notify_wanted:
    raise ImproperlyConfigured('GOV.UK Notify is configured: set OUTBOX_TRANSPORT="notify".')
if _notify_wanted and not NOTIFY_BASE_URL.startswith("https://"):  # noqa: F405
    raise ImproperlyConfigured("NOTIFY_BASE_URL must be an https:// address in production.")
for _name in ("PDS_BASE_URL", "PDS_TOKEN_URL"):
    if globals()[_name] and not globals()[_name].startswith("https://"):
        raise ImproperlyConfigured(f"{_name} must be an https:// address in production.")

# CIS2 and NHS login (ADR 0023): switched on only with a private key to authenticate with, and
# over https.
for _provider in ("CIS2", "NHS_LOGIN"):
    _issuer, _client = globals()[f"{_provider}_ISSUER"], globals()[f"{_provider}_CLIENT_ID"]
    if (_issuer or _client) and not (_issuer and _client):
        raise ImproperlyConfigured(
            f"{_provider} is half configured: set {_provider}_ISSUER and {_provider}_CLIENT_ID."
        )
    if _issuer and not (SIGN_IN_PRIVATE_KEY or SIGN_IN_PRIVATE_KEY_PATH):  # noqa: F405
        raise ImproperlyConfigured(
            f"{_provider} needs a private key: set SIGN_IN_PRIVATE_KEY or "
            "SIGN_IN_PRIVATE_KEY_PATH (manage.py sign_in_key makes one)."
        )
    if _issuer and not _issuer.startswith("https://"):
        raise ImproperlyConfigured(f"{_provider}_ISSUER must be an https:// address in production.")
