"""Settings for CTR Portal.

Every value comes from the environment (django-environ) with a default that runs on a laptop:
SQLite, Celery on kombu's filesystem broker, email to the console. Production settings
(`ctr_portal.settings_production`) import these and tighten them; they refuse demo mode.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
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
    "django_celery_beat",
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
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "outbox-dispatch": {"task": "ctr_portal.tasks.outbox_dispatch", "schedule": 60.0},
    "reviews-birthdays": {
        "task": "reviews.tasks.recompute_birthdays",
        "schedule": crontab(hour=2, minute=15),
    },
}

# The notification outbox: how many times to try, and how long to wait between tries.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
OUTBOX_BACKOFF_SECONDS = env.int("OUTBOX_BACKOFF_SECONDS", default=60)
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=50)
OUTBOX_STALE_SENDING_SECONDS = env.int("OUTBOX_STALE_SENDING_SECONDS", default=15 * 60)

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

# --- reviews: the review clock (reviews/policy.py, domain.md §3) ---
# Children's post-admission C(E)TR: within this many working days of admission (2017 policy: 10).
# NHS England's interim measure for children's commissioners is 5 working days: switch it on with
# REVIEWS_CHILD_POST_ADMISSION_INTERIM=true.
REVIEWS_CHILD_POST_ADMISSION_WORKING_DAYS = env.int(
    "REVIEWS_CHILD_POST_ADMISSION_WORKING_DAYS", default=10
)
REVIEWS_CHILD_POST_ADMISSION_INTERIM = env.bool(
    "REVIEWS_CHILD_POST_ADMISSION_INTERIM", default=False
)
# Local settings with no NHS source (product choice): days to hold an event-triggered review
# (adult, child), a community review from when it is planned, a requested one from the request.
REVIEWS_EVENT_DAYS_ADULT = env.int("REVIEWS_EVENT_DAYS_ADULT", default=28)
REVIEWS_EVENT_DAYS_CHILD = env.int("REVIEWS_EVENT_DAYS_CHILD", default=14)
REVIEWS_COMMUNITY_DAYS = env.int("REVIEWS_COMMUNITY_DAYS", default=14)
REVIEWS_REQUESTED_DAYS = env.int("REVIEWS_REQUESTED_DAYS", default=28)
# An Independent C(E)TR for someone in long-term segregation, from when it is planned.
REVIEWS_INDEPENDENT_DAYS = env.int("REVIEWS_INDEPENDENT_DAYS", default=28)
for _name in (
    "REVIEWS_CHILD_POST_ADMISSION_WORKING_DAYS",
    "REVIEWS_EVENT_DAYS_ADULT",
    "REVIEWS_EVENT_DAYS_CHILD",
    "REVIEWS_COMMUNITY_DAYS",
    "REVIEWS_REQUESTED_DAYS",
    "REVIEWS_INDEPENDENT_DAYS",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more.")

# --- documents (add below this line) ---
# Uploads: the per-file limit, how many files one upload may carry.
DOCUMENTS_MAX_UPLOAD_BYTES = env.int("DOCUMENTS_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
DOCUMENTS_MAX_FILES_PER_UPLOAD = env.int("DOCUMENTS_MAX_FILES_PER_UPLOAD", default=20)
# Deadlines: core items 24 hours before the review (policy); the rest a number of working days
# before it (product choice, for reading time). Reminders go this many days before each deadline,
# and on it.
DOCUMENTS_CORE_HOURS_BEFORE = env.int("DOCUMENTS_CORE_HOURS_BEFORE", default=24)
DOCUMENTS_TARGET_WORKING_DAYS = env.int("DOCUMENTS_TARGET_WORKING_DAYS", default=5)
DOCUMENTS_REMINDER_DAYS = env.list("DOCUMENTS_REMINDER_DAYS", cast=int, default=[7, 3, 1])
# The panel's window on the pack: open once the review is ready or this many days before the
# day, closed this many days after it.
DOCUMENTS_PANEL_OPENS_DAYS_BEFORE = env.int("DOCUMENTS_PANEL_OPENS_DAYS_BEFORE", default=7)
DOCUMENTS_PANEL_CLOSES_DAYS_AFTER = env.int("DOCUMENTS_PANEL_CLOSES_DAYS_AFTER", default=14)
if DOCUMENTS_MAX_FILES_PER_UPLOAD < 1 or DOCUMENTS_MAX_UPLOAD_BYTES < 1:
    raise ImproperlyConfigured("DOCUMENTS_MAX_FILES_PER_UPLOAD and _UPLOAD_BYTES must be positive.")
if any(days < 0 for days in DOCUMENTS_REMINDER_DAYS):
    raise ImproperlyConfigured("DOCUMENTS_REMINDER_DAYS must be whole days, 0 or more.")
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
CELERY_BEAT_SCHEDULE["documents-reminders"] = {
    "task": "documents.tasks.pack_reminders",
    "schedule": crontab(minute=5),
}
# Office documents are shown to the panel as PDFs that LibreOffice makes in the worker.
# DOCUMENTS_SOFFICE: the program (a name looked up on PATH, or a path).
DOCUMENTS_SOFFICE = env.str("DOCUMENTS_SOFFICE", default="soffice")
DOCUMENTS_CONVERSION_TIMEOUT_SECONDS = env.int("DOCUMENTS_CONVERSION_TIMEOUT_SECONDS", default=120)
if DOCUMENTS_CONVERSION_TIMEOUT_SECONDS < 1:
    raise ImproperlyConfigured("DOCUMENTS_CONVERSION_TIMEOUT_SECONDS must be at least 1.")
CELERY_BEAT_SCHEDULE["documents-renditions"] = {
    "task": "documents.tasks.renditions_resume",
    "schedule": crontab(minute="*/5"),
}

# --- panels (add below this line) ---
# How long after the last keystroke a workbook saves itself (htmx autosave).
PANELS_AUTOSAVE_DELAY_MS = env.int("PANELS_AUTOSAVE_DELAY_MS", default=1500)

# --- portal (add below this line) ---
# Feedback is asked for once, from everyone who took part, for reviews held this many days ago or
# fewer (a daily sweep; the outbox's key makes each invitation once only).
PORTAL_FEEDBACK_WITHIN_DAYS = env.int("PORTAL_FEEDBACK_WITHIN_DAYS", default=14)
CELERY_BEAT_SCHEDULE["portal-feedback-invitations"] = {
    "task": "portal.tasks.feedback_invitations",
    "schedule": crontab(hour=9, minute=30),
}

# --- reports ---
# The report is due this many days after the review (domain.md §3, to confirm); the chair is
# reminded these many days before; a PDF still "rendering" after the timeout was lost.
REPORTS_DUE_DAYS = env.int("REPORTS_DUE_DAYS", default=14)
REPORTS_REMINDER_DAYS = env.list("REPORTS_REMINDER_DAYS", cast=int, default=[3, 1])
REPORTS_RENDER_TIMEOUT_SECONDS = env.int("REPORTS_RENDER_TIMEOUT_SECONDS", default=300)
if REPORTS_DUE_DAYS < 1 or any(days < 0 for days in REPORTS_REMINDER_DAYS):
    raise ImproperlyConfigured("REPORTS_DUE_DAYS must be 1 or more; reminder days 0 or more.")
CELERY_BEAT_SCHEDULE["reports-deadlines"] = {
    "task": "reports.tasks.report_deadlines",
    "schedule": crontab(hour=7, minute=30),
}
CELERY_BEAT_SCHEDULE["reports-pdfs"] = {
    "task": "reports.tasks.report_pdfs_resume",
    "schedule": crontab(minute="*/5"),
}

# --- recommendations (add below this line) ---
# A recommendation due more than this many days after its review needs a date to check progress.
RECOMMENDATIONS_PROGRESS_CHECK_AFTER_DAYS = env.int(
    "RECOMMENDATIONS_PROGRESS_CHECK_AFTER_DAYS", default=91
)
# Reminders (issue 11): to the owner this many days before the due date and on the day; when
# overdue, every RECOMMENDATIONS_OVERDUE_EVERY_DAYS to the owner, and to the commissioner once it
# is RECOMMENDATIONS_COMMISSIONER_AFTER_DAYS overdue; escalated to the ICS oversight panel once
# RECOMMENDATIONS_ESCALATE_AFTER_DAYS overdue (0: never by time, only by the commissioner).
RECOMMENDATIONS_REMINDER_DAYS_BEFORE = tuple(
    env.list("RECOMMENDATIONS_REMINDER_DAYS_BEFORE", cast=int, default=[14, 7, 1])
)
RECOMMENDATIONS_OVERDUE_EVERY_DAYS = env.int("RECOMMENDATIONS_OVERDUE_EVERY_DAYS", default=7)
RECOMMENDATIONS_COMMISSIONER_AFTER_DAYS = env.int(
    "RECOMMENDATIONS_COMMISSIONER_AFTER_DAYS", default=7
)
RECOMMENDATIONS_ESCALATE_AFTER_DAYS = env.int("RECOMMENDATIONS_ESCALATE_AFTER_DAYS", default=28)
# The commissioners' weekly digest goes on this weekday (0 is Monday) or the first sweep after it.
RECOMMENDATIONS_DIGEST_WEEKDAY = env.int("RECOMMENDATIONS_DIGEST_WEEKDAY", default=0)
# Where escalations go when a commissioner names no oversight panel and there is not exactly one
# (ADR 0011): the oversight panel's ODS code or name; empty for none.
RECOMMENDATIONS_OVERSIGHT_PANEL = env.str("RECOMMENDATIONS_OVERSIGHT_PANEL", default="")
if any(days < 1 for days in RECOMMENDATIONS_REMINDER_DAYS_BEFORE):
    raise ImproperlyConfigured(
        "RECOMMENDATIONS_REMINDER_DAYS_BEFORE must be whole days, 1 or more."
    )
if RECOMMENDATIONS_OVERDUE_EVERY_DAYS < 1 or RECOMMENDATIONS_COMMISSIONER_AFTER_DAYS < 1:
    raise ImproperlyConfigured(
        "RECOMMENDATIONS_OVERDUE_EVERY_DAYS and _COMMISSIONER_AFTER_DAYS must be at least 1."
    )
if RECOMMENDATIONS_ESCALATE_AFTER_DAYS < 0 or not 0 <= RECOMMENDATIONS_DIGEST_WEEKDAY <= 6:
    raise ImproperlyConfigured(
        "RECOMMENDATIONS_ESCALATE_AFTER_DAYS must be 0 or more; _DIGEST_WEEKDAY 0 to 6."
    )
CELERY_BEAT_SCHEDULE["recommendations-sweep"] = {
    "task": "recommendations.tasks.reminders_sweep",
    "schedule": crontab(minute=20),
}

# --- oversight (add below this line) ---
# Commissioner oversight visits to people placed in hospital out of their home area (domain.md
# §3): every 8 weeks for adults, every 6 for children; "due soon" on the dashboard this many days
# ahead.
OVERSIGHT_VISIT_WEEKS_ADULT = env.int("OVERSIGHT_VISIT_WEEKS_ADULT", default=8)
OVERSIGHT_VISIT_WEEKS_CHILD = env.int("OVERSIGHT_VISIT_WEEKS_CHILD", default=6)
OVERSIGHT_VISIT_DUE_SOON_DAYS = env.int("OVERSIGHT_VISIT_DUE_SOON_DAYS", default=14)
if min(OVERSIGHT_VISIT_WEEKS_ADULT, OVERSIGHT_VISIT_WEEKS_CHILD) < 1:
    raise ImproperlyConfigured("Oversight visit intervals must be at least one week.")

# Behind a trusted proxy (docker-compose, a load balancer) the client address is the first hop of
# X-Forwarded-For; never trust it when clients can reach the app directly.
AUDIT_TRUST_X_FORWARDED_FOR = env.bool("AUDIT_TRUST_X_FORWARDED_FOR", default=False)
