"""Settings for the test suite: the defaults, with a fixed key, fast hashing, eager tasks and
files in a throw-away folder. DATABASE_URL and REDIS_URL still choose PostgreSQL and Redis."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-key-not-secret")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
MEDIA_ROOT = tempfile.mkdtemp(prefix="ctr-test-media-")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the finders, as in development: tests need no collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# SQLite tests use a file, not the in-memory database: two threads (the concurrency tests, the
# browser tests' live server) then share it as two processes would, with the locking and busy
# timeout the app uses, instead of failing at once on the shared cache's table locks.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"ctr-portal-test-{os.getpid()}.sqlite3")
    }
