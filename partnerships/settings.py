"""Settings for the registry of local security partnerships.

Every deployment-specific value comes from the environment (see the README's "Settings"):
DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

# The key of the people's pseudonyms in exports (partnerships/exports/pseudonyms.py): secret,
# kept apart from SECRET_KEY, never changed once exports are published (every pseudonym
# would change with it).
PSEUDONYM_KEY = os.environ.get("PSEUDONYM_KEY", "")
if not PSEUDONYM_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("PSEUDONYM_KEY must be set when DEBUG is off.")
    PSEUDONYM_KEY = "development-only-pseudonym-key"
elif not DEBUG and (len(PSEUDONYM_KEY) < 32 or PSEUDONYM_KEY == SECRET_KEY):
    # The ids it hashes are small numbers: a short key could be found from the public files.
    raise ImproperlyConfigured(
        "PSEUDONYM_KEY must be at least 32 characters long and differ from SECRET_KEY."
    )

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if DEBUG:
    ALLOWED_HOSTS += ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "partnerships.admin_config.RegistryAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "widget_tweaks",
    "dsfr",
    "django.forms",
    "django_filters",
    "import_export",
    "simple_history",
    "axes",
    "csp",
    "bodies",
    "actions",
    "meetings",
    "partnerships",
    "partnerships.oparl",
    "mail",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "partnerships.middleware.no_store_when_signed_in",
    "partnerships.middleware.refuse_nul_in_query_string",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Refuses logins from a username and address after repeated failures.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hour
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind reverse proxies, the client's address is read from X-Forwarded-For (README,
# "Deploying"): throttling counts failures per real client, and the security log names it.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "partnerships.security_log.client_address"

# Sessions end after two hours without activity.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(2 * 60 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4): everything from this origin; scripts need the
# per-request nonce; inline style attributes (used by the DSFR and the admin) are allowed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "partnerships.urls"
WSGI_APPLICATION = "partnerships.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partnerships.context_processors.site",
            ],
        },
    },
]
# django-dsfr renders its form widgets from templates.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: SQLite file by default, PostgreSQL through psycopg 3 with postgres://…
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # Without health checks, the first request after a database restart fails.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite connections are cheap and must not be shared across threads of runserver.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # PostgreSQL's JIT compiles the dashboards' aggregates for longer than it runs them
    # (1.4 s of a 2.9 s query at national scale): the registry's queries are short.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A meeting's date and hour in each language (« 4 janvier 2027 à 18:00 », "4 January 2027,
# 18:00"): templates write `|date:"DATETIME_FORMAT"`, never a French pattern.
FORMAT_MODULE_PATH = ["partnerships.formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "after-login"  # each role lands on its own page (partnerships.dashboards)
LOGOUT_REDIRECT_URL = "home"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
SIMPLE_HISTORY_REVERT_DISABLED = True

SITE_TITLE = _("Registre des partenariats locaux de sécurité")
SITE_TAGLINE = _(
    "CLSPD, CISPD, CDPD, GLTD, CODAF et CDPR : qui coproduit la sécurité, où et comment"
)

# Public lists
PAGE_SIZE = 50

# E-mail (mail/sending.py builds and sends every one; README "E-mail"). With EMAIL_HOST set,
# SMTP; without it, under DEBUG (`make run`), the console; the suite uses Django's in-memory
# outbox. A connection that does not answer within EMAIL_TIMEOUT seconds counts as a failure:
# the page that sends says how many e-mails were not sent, and nothing waits longer.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
EMAIL_BACKEND = (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG and not EMAIL_HOST
    else "django.core.mail.backends.smtp.EmailBackend"
)
if not EMAIL_HOST:
    EMAIL_HOST = "localhost"
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Registre des partenariats <ne-pas-repondre@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The registry's address as its users reach it: every link in an e-mail starts with it, and
# the calendar invitations' identifiers end with its host name.
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/")
if not SITE_URL:
    if not DEBUG:
        raise ImproperlyConfigured("SITE_URL must be set when DEBUG is off.")
    SITE_URL = "http://127.0.0.1:8000"

# The OParl API (/oparl/v1/, partnerships/oparl/): objects per list page (a client may ask for
# `limit` up to the maximum), seconds a client or proxy may keep an answer, and requests per
# client address (`security_log.client_address`, behind `PROXY_COUNT` proxies) in each window
# of `OPARL_RATE_WINDOW` seconds before 429 — counted in Django's cache (CACHES: the default
# local-memory cache counts per process; a cache shared by the workers counts exactly).
OPARL_PAGE_SIZE = 100
OPARL_MAX_PAGE_SIZE = 1000
OPARL_MAX_AGE = int(os.environ.get("OPARL_MAX_AGE", "60"))
OPARL_RATE_LIMIT = int(os.environ.get("OPARL_RATE_LIMIT", "120"))
OPARL_RATE_WINDOW = int(os.environ.get("OPARL_RATE_WINDOW", "60"))

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# django-import-export: CSV and Excel files; imports are previewed, then all-or-nothing.
# Import formats and the file kept between preview and confirmation: bodies/imports.py.
from import_export.formats.base_formats import CSV, XLSX  # noqa: E402

EXPORT_FORMATS = [CSV, XLSX]
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Formula cells are neutralised by the registry's resources (bodies/spreadsheets.py): the
# library's own escaping strips only `=` and turns every XLSX cell into text.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
# Where `manage.py export_dump` writes the open-data dump served at /exports/.
EXPORT_DIR = Path(os.environ.get("EXPORT_DIR", BASE_DIR / "exports-dump"))
IMPORT_PENDING_DIR = os.environ.get(
    "IMPORT_PENDING_DIR", os.path.join(tempfile.gettempdir(), "registre-imports")
)
# An import file larger or longer than this is refused before it is read (bodies/imports.py).
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "5000"))
# A workbook (XLSX) is a zip: its members' sizes once decompressed are checked before it is
# opened (a zip bomb of a few kilobytes would otherwise fill memory or keep a worker busy).
IMPORT_MAX_UNZIPPED_BYTES = int(os.environ.get("IMPORT_MAX_UNZIPPED_BYTES", str(16 * 1024 * 1024)))
