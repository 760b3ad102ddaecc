"""Settings for the test suite: the production module, with what only tests need.

The suite runs with DEBUG off, as production does; DATABASE_URL still selects SQLite or
PostgreSQL.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-secret-key-not-for-production-use")
os.environ.setdefault("DEBUG", "0")

from partnerships.settings import *  # noqa: F403

# PBKDF2 costs ~0.4 s per login; a test suite logs in hundreds of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The manifest storage needs collectstatic and 404s under live_server.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
# Static files come from the apps' folders (finders); no collectstatic before tests.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# No persistent connections: the live server's thread would otherwise keep one open and the
# PostgreSQL test database could not be dropped at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
