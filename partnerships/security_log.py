"""The security log: logins, failed logins, permission refusals and (later) exports.

Written to the `partnerships.security` logger, which deployments ship to their log store.
Failed logins name the username tried, never the password.
"""

import ipaddress
import logging

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

logger = logging.getLogger("partnerships.security")


def client_address(request) -> str | None:
    """The client's address, for login throttling (django-axes calls this) and this log.

    Behind `PROXY_COUNT` reverse proxies, REMOTE_ADDR is the last proxy's address: every
    user would share it, and five failures from anyone would lock any account. Each proxy
    appends the address it received from to X-Forwarded-For, so the client's is the
    `PROXY_COUNT`-th entry from the right; entries further left are whatever the client
    wrote. A header shorter than that, or not an address, means a proxy did not append:
    REMOTE_ADDR then, which nobody can forge.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.PROXY_COUNT
    if proxies <= 0:
        return remote
    entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    entries = [e for e in entries if e]
    if len(entries) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(entries[-proxies]))
    except ValueError:
        return remote


def _shown(request) -> str:
    return client_address(request) or "?"


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs):
    logger.info("login user=%s ip=%s", user.get_username(), _shown(request))


@receiver(user_logged_out)
def log_logout(sender, request, user, **kwargs):
    logger.info("logout user=%s ip=%s", user.get_username() if user else "-", _shown(request))


@receiver(user_login_failed)
def log_login_failure(sender, credentials, request=None, **kwargs):
    logger.warning(
        "login-failed username=%s ip=%s", credentials.get("username", "?"), _shown(request)
    )


def log_refusal(request, what: str, status: int) -> None:
    user = request.user.get_username() if request.user.is_authenticated else "anonymous"
    logger.warning(
        "refused status=%s user=%s ip=%s path=%s what=%s",
        status,
        user,
        _shown(request),
        request.path,
        what,
    )
