"""Settings for CTR Portal.

Every value comes from the environment (django-environ) with a default that runs on a laptop:
SQLite, Celery on kombu's filesystem broker, email to the console. Production settings
(`ctr_portal.settings_production`) import these and tighten them; they refuse demo mode.

The environment holds deployment only: where things are, secrets, time-outs, limits that follow
the machine. Policy (when a review is due, how long before a deadline) is in each app's policy.py,
each value with its source; the local choices an ICB may change are set by an administrator, not
here (ADR 0016). What Celery beat runs is in ctr_portal/celery.py.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
DEMO_MODE = env.bool("DEMO_MODE", default=False)

_DEV_SECRET = "insecure-development-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if (DEBUG or DEMO_MODE) else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "Set SECRET_KEY. It may be left out only when DEBUG or DEMO_MODE is on."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "ctr_portal",
    "reviews",
    "panels",
    "documents",
    "recommendations",
    "portal",
    "reports",
    "oversight",
    "metrics",
    "links",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "crispy_forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_htmx",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ctr_portal.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ctr_portal.middleware.SessionLifetimeMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "ctr_portal.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ctr_portal.middleware.NoStoreForSignedInMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ctr_portal.urls"
WSGI_APPLICATION = "ctr_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "ctr_portal.context_processors.service",
            ],
            "builtins": ["rules.templatetags.rules"],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Worker, beat and web share the file: wait for locks rather than fail, and take the write
    # lock at BEGIN so two writers never deadlock on an upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep each worker's connection for a minute rather than open one per request (~4 ms on
# PostgreSQL), checking it still works before reuse (ADR 0015, bench/RESULTS.md). 0 closes it
# after every request, as Django does by default.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "ctr_portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "ctr_portal.backends.EmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2  # a reset link lasts two hours

# Sessions: 15 minutes idle, 12 hours at most. The idle timer is renewed by a request at most
# once a minute (SessionLifetimeMiddleware), not by writing the session on every request: so a
# session ends between 14 and 15 minutes after the last request, never later.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=15 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_WARNING_SECONDS = env.int("SESSION_WARNING_SECONDS", default=13 * 60)
# The longest idle time the person and family may choose for themselves (User.idle_minutes);
# staff always have the usual one. The service's security owner sets it.
SESSION_IDLE_MAX_MINUTES = env.int("SESSION_IDLE_MAX_MINUTES", default=60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-axes: five failures for one email address lock it for 15 minutes, whether or not an
# account exists for it, so the lockout says nothing about who has an account.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns that locking by account alone lets an attacker rotate accounts from one address. We
# accept that: a hospital's staff share one NAT address, and an IP lockout would stop a whole
# ward from signing in. Guessing one account's password stays limited to 5 tries per 15 minutes.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "username"
# Counted against the address in its one normal form (the form accounts are looked up by), so
# "Local.Authority@…" and " local.authority@… " share the account's lock; look-alikes do not.
AXES_USERNAME_CALLABLE = "ctr_portal.backends.axes_username"
AXES_LOCKOUT_CALLABLE = "ctr_portal.views.accounts.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

OTP_TOTP_ISSUER = "CTR Portal"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # no one reads another person's authenticator secret

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    BASE_DIR / "build" / "static",
    ("nhsuk", BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"),
]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Uploads are never served by URL, only through permission-checked views: no URL pattern maps
# this prefix (Django's test live server is the only thing that reads it).
MEDIA_URL = "/private-media-is-never-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["nhsuk"]
CRISPY_TEMPLATE_PACK = "nhsuk"
CRISPY_FAIL_SILENTLY = False

# Email: console by default; EMAIL_URL (e.g. smtp+tls://user:pass@host:587) for SMTP.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="CTR Portal <no-reply@ctr-portal.invalid>"
)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport in var/.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE

# The notification outbox: how many times to try, and how long to wait between tries.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
OUTBOX_BACKOFF_SECONDS = env.int("OUTBOX_BACKOFF_SECONDS", default=60)
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=50)
OUTBOX_STALE_SENDING_SECONDS = env.int("OUTBOX_STALE_SENDING_SECONDS", default=15 * 60)

# How notices leave (ADR 0020): "django" (email through EMAIL_URL or the console; text messages
# and letters printed to the console in development only) or "notify" (GOV.UK Notify: email,
# text message and letter). Notify needs its API key, the ids of a generic email template
# (((subject)) and ((body))) and a text template (((body))), and the bearer token it sends
# with delivery receipts to /notify/receipts/.
OUTBOX_TRANSPORT = env.str("OUTBOX_TRANSPORT", default="django")
if OUTBOX_TRANSPORT not in ("django", "notify"):
    raise ImproperlyConfigured('OUTBOX_TRANSPORT must be "django" or "notify".')
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env.str(
    "NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk"
).rstrip("/")
NOTIFY_EMAIL_TEMPLATE_ID = env.str("NOTIFY_EMAIL_TEMPLATE_ID", default="")
NOTIFY_SMS_TEMPLATE_ID = env.str("NOTIFY_SMS_TEMPLATE_ID", default="")
NOTIFY_CALLBACK_TOKEN = env.str("NOTIFY_CALLBACK_TOKEN", default="")
# Notify allows 3,000 messages a minute for each key; every dispatcher together keeps under it.
NOTIFY_RATE_PER_MINUTE = env.int("NOTIFY_RATE_PER_MINUTE", default=3000)

# Content Security Policy (django-csp 4): our own origin only; inline scripts need the nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

SERVICE_NAME = "CTR Portal"
# Who runs this deployment, and how people reach them about access to it (the accessibility
# statement: a phone number is required there, and Relay UK is offered with it).
SERVICE_OPERATOR = env.str("SERVICE_OPERATOR", default="NHS England")
SERVICE_PHONE = env.str("SERVICE_PHONE", default="0300 311 22 33")
SERVICE_CONTACT_EMAIL = env.str("SERVICE_CONTACT_EMAIL", default="england.contactus@nhs.net")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ctr_portal.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Request lines carry the path; paths never hold a name or an NHS number (tested).
        "django.server": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- documents (add below this line) ---
# Uploads: the per-file limit, how many files one upload may carry. Deployment, not policy: they
# follow what the proxy in front accepts and the disk and memory a request may use.
DOCUMENTS_MAX_UPLOAD_BYTES = env.int("DOCUMENTS_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
DOCUMENTS_MAX_FILES_PER_UPLOAD = env.int("DOCUMENTS_MAX_FILES_PER_UPLOAD", default=20)
if DOCUMENTS_MAX_FILES_PER_UPLOAD < 1 or DOCUMENTS_MAX_UPLOAD_BYTES < 1:
    raise ImproperlyConfigured("DOCUMENTS_MAX_FILES_PER_UPLOAD and _UPLOAD_BYTES must be positive.")
# Virus scanning by clamd (INSTREAM): a UNIX socket, or a host and port. Unset: not scanned.
CLAMD_SOCKET = env.str("CLAMD_SOCKET", default="")
CLAMD_HOST = env.str("CLAMD_HOST", default="")
CLAMD_PORT = env.int("CLAMD_PORT", default=3310)
CLAMD_TIMEOUT = env.float("CLAMD_TIMEOUT", default=60.0)
# Where files are kept: a local folder under MEDIA_ROOT (never served by URL) unless
# DOCUMENTS_STORAGE_BACKEND names another, e.g. storages.backends.s3.S3Storage (django-storages,
# configured by its AWS_* settings).
STORAGES["documents"] = {
    "BACKEND": env.str(
        "DOCUMENTS_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
    ),
    "OPTIONS": {},
}
# Office documents are shown to the panel as PDFs that LibreOffice makes in the worker.
# DOCUMENTS_SOFFICE: the program (a name looked up on PATH, or a path).
DOCUMENTS_SOFFICE = env.str("DOCUMENTS_SOFFICE", default="soffice")
DOCUMENTS_CONVERSION_TIMEOUT_SECONDS = env.int("DOCUMENTS_CONVERSION_TIMEOUT_SECONDS", default=120)
if DOCUMENTS_CONVERSION_TIMEOUT_SECONDS < 1:
    raise ImproperlyConfigured("DOCUMENTS_CONVERSION_TIMEOUT_SECONDS must be at least 1.")

# --- reports ---
# A PDF still "rendering" after this long was lost, and is rendered again.
REPORTS_RENDER_TIMEOUT_SECONDS = env.int("REPORTS_RENDER_TIMEOUT_SECONDS", default=300)

# --- recommendations ---
# Where escalations go when a commissioner names no oversight panel and there is not exactly one
# (ADR 0011): the oversight panel's ODS code or name; empty for none. Deployment: which
# organisation, in this installation's data, receives them.
RECOMMENDATIONS_OVERSIGHT_PANEL = env.str("RECOMMENDATIONS_OVERSIGHT_PANEL", default="")

# --- reviews: the Personal Demographics Service (PDS FHIR R4, ADR 0019) ---
# Off unless PDS_BASE_URL is set: registering a person then checks the NHS number with PDS and
# offers its name, date of birth, address and GP practice. Application-restricted access: a JWT
# signed with our private key (RS512, key id PDS_KEY_ID) is exchanged for an access token at
# PDS_TOKEN_URL (by default the base URL's host + /oauth2/token). The key is PEM text in
# PDS_PRIVATE_KEY (newlines may be written as \n) or a file named by PDS_PRIVATE_KEY_PATH.
PDS_BASE_URL = env.str("PDS_BASE_URL", default="").rstrip("/")
PDS_TOKEN_URL = env.str("PDS_TOKEN_URL", default="")
PDS_API_KEY = env.str("PDS_API_KEY", default="")
PDS_KEY_ID = env.str("PDS_KEY_ID", default="")
PDS_PRIVATE_KEY = env.str("PDS_PRIVATE_KEY", default="").replace("\\n", "\n")
PDS_PRIVATE_KEY_PATH = env.str("PDS_PRIVATE_KEY_PATH", default="")
PDS_TIMEOUT_SECONDS = env.float("PDS_TIMEOUT_SECONDS", default=10.0)
if PDS_TIMEOUT_SECONDS <= 0:
    raise ImproperlyConfigured("PDS_TIMEOUT_SECONDS must be more than 0.")

# --- sign-in with NHS CIS2 (staff) and NHS login (the person and family), ADR 0023 ---
# Each is off until its issuer and client id are set. The service authenticates to both with
# `private_key_jwt`: a JWT signed RS512 with its private key, whose public half it publishes at
# /account/sign-in/jwks.json (key id: the key's JWK thumbprint). The key is PEM text in
# SIGN_IN_PRIVATE_KEY (newlines may be written as \n) or a file named by
# SIGN_IN_PRIVATE_KEY_PATH; `manage.py sign_in_key` makes one. Never commit it.
SIGN_IN_PRIVATE_KEY = env.str("SIGN_IN_PRIVATE_KEY", default="").replace("\\n", "\n")
SIGN_IN_PRIVATE_KEY_PATH = env.str("SIGN_IN_PRIVATE_KEY_PATH", default="")
# CIS2: the issuer (its discovery document is at <issuer>/.well-known/openid-configuration
# unless CIS2_DISCOVERY_URL says otherwise) and the assurance asked for.
CIS2_ISSUER = env.str("CIS2_ISSUER", default="").rstrip("/")
CIS2_DISCOVERY_URL = env.str("CIS2_DISCOVERY_URL", default="")
CIS2_CLIENT_ID = env.str("CIS2_CLIENT_ID", default="")
CIS2_ACR_VALUES = env.str("CIS2_ACR_VALUES", default="AAL2_OR_AAL3_ANY")
# NHS login: the vector of trust asked for (a JSON list, as NHS login takes it). The person is
# linked only at P9; a family carer at P5 or above.
NHS_LOGIN_ISSUER = env.str("NHS_LOGIN_ISSUER", default="").rstrip("/")
NHS_LOGIN_DISCOVERY_URL = env.str("NHS_LOGIN_DISCOVERY_URL", default="")
NHS_LOGIN_CLIENT_ID = env.str("NHS_LOGIN_CLIENT_ID", default="")
NHS_LOGIN_VTR = env.str("NHS_LOGIN_VTR", default='["P9.Cp.Cd", "P9.Cp.Ck", "P9.Cm", "P5.Cp.Cd"]')
# NHS login offers no session management: its sessions here end after 30 minutes idle.
NHS_LOGIN_SESSION_IDLE_SECONDS = env.int("NHS_LOGIN_SESSION_IDLE_SECONDS", default=30 * 60)
SIGN_IN_HTTP_TIMEOUT_SECONDS = env.float("SIGN_IN_HTTP_TIMEOUT_SECONDS", default=10.0)

# Behind a trusted proxy (docker-compose, a load balancer) the client address is the first hop of
# X-Forwarded-For; never trust it when clients can reach the app directly.
AUDIT_TRUST_X_FORWARDED_FOR = env.bool("AUDIT_TRUST_X_FORWARDED_FOR", default=False)
