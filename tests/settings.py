"""Settings for the test suite: the production module, with what only tests need.

The suite runs with DEBUG off, as production does; DATABASE_URL still selects SQLite or
PostgreSQL.
"""

import os
import sys

os.environ.setdefault("SECRET_KEY", "test-suite-only-secret-key-not-for-production-use")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("PSEUDONYM_KEY", "test-suite-only-pseudonym-key-0123456789")
os.environ.setdefault("SITE_URL", "https://registre.example.gouv.fr")

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


class UndefinedTemplateVariable(str):
    """`string_if_invalid` that fails the test: a typo in one of the registry's templates
    (`{{ meeting.plce }}`) is an error, not an empty cell. Tags that test a variable (`{% if
    %}`, `{% firstof %}`) are not affected: Django never applies `string_if_invalid` there.
    Third-party templates (the administration's, django-import-export's) keep Django's
    silence: they rely on it."""

    def __mod__(self, name):
        # The caller is `FilterExpression.resolve(context)`; the template being rendered,
        # included ones too, is the render context's.
        template = sys._getframe(1).f_locals["context"].render_context.template
        if template is not None and str(template.origin.name).startswith(PROJECT_TEMPLATES):
            raise NameError(f"Variable indéfinie dans {template.origin.template_name} : {name}")
        return ""


# The API's rate limit counts per client address; the suite's clients all come from 127.0.0.1.
# tests/oparl/ turns it on where it is the subject.
OPARL_RATE_LIMIT = 0

PROJECT_TEMPLATES = str(BASE_DIR / "templates")  # noqa: F405
TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = UndefinedTemplateVariable("%s")  # noqa: F405
