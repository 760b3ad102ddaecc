"""Production settings served over plain HTTP on the loopback, for the connections benchmark:
no HTTPS redirect, static files from the apps' folders (no collectstatic)."""

from partnerships.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
