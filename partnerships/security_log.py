"""The security log: logins, failed logins, permission refusals and (later) exports.

Written to the `partnerships.security` logger, which deployments ship to their log store.
Failed logins name the username tried, never the password.
"""

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

logger = logging.getLogger("partnerships.security")


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "?") if request is not None else "?"


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs):
    logger.info("login user=%s ip=%s", user.get_username(), client_address(request))


@receiver(user_logged_out)
def log_logout(sender, request, user, **kwargs):
    logger.info(
        "logout user=%s ip=%s", user.get_username() if user else "-", client_address(request)
    )


@receiver(user_login_failed)
def log_login_failure(sender, credentials, request=None, **kwargs):
    logger.warning(
        "login-failed username=%s ip=%s", credentials.get("username", "?"), client_address(request)
    )


def log_refusal(request, what: str, status: int) -> None:
    user = request.user.get_username() if request.user.is_authenticated else "anonymous"
    logger.warning(
        "refused status=%s user=%s ip=%s path=%s what=%s",
        status,
        user,
        client_address(request),
        request.path,
        what,
    )
