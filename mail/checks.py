"""System checks of the e-mail settings: every link in an e-mail starts with `SITE_URL`, and
the invitations' identifiers end with its host; a reply to the sender should reach nobody's
`localhost`."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register


@register()
def check_site_url(app_configs, **kwargs):
    """`SITE_URL` must be an absolute http(s) URL with a host: « registre.example.fr » alone
    gives links that mail applications cannot open and UIDs ending in « @localhost »."""
    value = settings.SITE_URL
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.hostname and not parts.query:
        return []
    return [
        Error(
            f"SITE_URL must be an absolute http(s) URL, such as https://registre.example.gouv.fr "
            f"(it is {value!r}).",
            hint="Links in e-mails and calendar identifiers are built from it.",
            id="mail.E001",
        )
    ]


@register(Tags.security, deploy=True)
def check_from_address(app_configs, **kwargs):
    """In production, e-mails must come from a real domain (`DEFAULT_FROM_EMAIL`), not the
    development default at localhost."""
    domain = settings.DEFAULT_FROM_EMAIL.rstrip(">").rsplit("@", 1)[-1].strip().lower()
    if domain in ("localhost", "localhost.localdomain") or domain.endswith(".localhost"):
        return [
            Error(
                f"DEFAULT_FROM_EMAIL is at {domain}: mail servers refuse or bin such e-mails.",
                hint="Set DEFAULT_FROM_EMAIL to an address of the registry's domain.",
                id="mail.E002",
            )
        ]
    return []
