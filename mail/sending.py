"""Every e-mail of the registry is built and sent here.

Callers say what to send to whom (`Outgoing`: a recipient, templates, their context, the
attachments); this module adds what every e-mail carries and sends:

- the recipient's language (French unless the address chose English: `MailPreference`);
- a plain-text body and an HTML one, each with the registry's name and address;
- a link that stops this kind of e-mail without signing in (a signed token naming the
  address's preference row — its id, never the address — and the kind), also as
  `List-Unsubscribe` and `List-Unsubscribe-Post` headers (RFC 8058), so that mail
  applications offer their own one-click button;
- and it leaves out every address that stopped this kind, whoever the caller is.

Sending never raises: a connection that cannot be opened or a recipient refused is logged
(`mail` logger) and reported to the caller, which tells the user and can retry.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.mime.base import MIMEBase
from email.utils import formataddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.signals import setting_changed
from django.template.backends.django import DjangoTemplates
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Kind, MailPreference, normalized

logger = logging.getLogger("mail")

UNSUBSCRIBE_SALT = "mail.unsubscribe"
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def absolute_url(path: str) -> str:
    """`path` as a link that works from a mail application: under `SITE_URL`."""
    return settings.SITE_URL + path


def site_host() -> str:
    """The registry's host name, from `SITE_URL` (calendar identifiers end with it)."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


# -- stopping a kind of e-mail ----------------------------------------------------------------


def unsubscribe_token(address, kind: str) -> str:
    """A token naming an address's preferences and a kind of e-mail, signed with SECRET_KEY:
    whoever holds it may stop (or resume) that kind for that address, and nothing else. It
    carries the preference row's id, never the address (the link ends up in access logs and
    forwarded e-mails). `address` is a string or its `MailPreference`."""
    preference = (
        address
        if isinstance(address, MailPreference)
        else MailPreference.objects.get_or_create(address=normalized(address))[0]
    )
    return signing.dumps([preference.pk, kind], salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[str, str] | None:
    """The address and kind a token names, or None when it was not signed here (or names a
    preference since deleted). The first tokens named the address itself: still read."""
    try:
        key, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if kind not in Kind.values:
        return None
    if isinstance(key, str):  # a link sent before the tokens were opaque
        return normalized(key), kind
    if not isinstance(key, int) or isinstance(key, bool):
        return None
    address = MailPreference.objects.filter(pk=key).values_list("address", flat=True).first()
    return (address, kind) if address else None


def unsubscribe_url(address, kind: str) -> str:
    return absolute_url(reverse("mail:unsubscribe", args=[unsubscribe_token(address, kind)]))


def preferences_of(addresses) -> dict:
    """The preference row of each of `addresses`, keyed by normalized address, created where
    missing (each e-mail's « ne plus recevoir » link names its row). Two queries, three
    when some are new."""
    wanted = {normalized(a) for a in addresses}
    found = MailPreference.objects.for_addresses(wanted)
    missing = wanted - set(found)
    if missing:
        MailPreference.objects.bulk_create(
            [MailPreference(address=a) for a in sorted(missing)], ignore_conflicts=True
        )
        found.update(MailPreference.objects.for_addresses(missing))
    return found


def stopped_addresses(kind: str, addresses) -> set[str]:
    """Those of `addresses` (normalized) that no longer want `kind`. One query."""
    preferences = MailPreference.objects.for_addresses(addresses)
    return {address for address, p in preferences.items() if p.stops(kind)}


def set_preference(address: str, *, kind: str | None = None, stops=None, language=None):
    """Records one address's choice: stop or resume `kind`, or the language of its e-mails."""
    preference, _created = MailPreference.objects.get_or_create(address=normalized(address))
    if kind is not None and stops is not None:
        preference.set_stops(kind, stops)
    if language in LANGUAGE_CODES:
        preference.language = language
    preference.save()
    return preference


def remember_language(addresses, language: str) -> None:
    """The language a signed-in user chose on the site becomes its e-mails' language, at each
    of its addresses (its account's and its person's)."""
    if language not in LANGUAGE_CODES:
        return
    for address in {normalized(a) for a in addresses if a}:
        set_preference(address, language=language)


# -- plain text -------------------------------------------------------------------------------


@functools.cache
def _text_templates() -> DjangoTemplates:
    """The site's template engine with autoescaping off: subjects and plain-text parts are not
    HTML, and « d'Hères » must not become « d&#x27;Hères » in them. Every template name
    ending in .txt is rendered here, whatever the template itself says (a subject or a
    block that forgets `{% autoescape off %}` cannot escape)."""
    config = copy.deepcopy(settings.TEMPLATES[0])
    options = {**config.get("OPTIONS", {}), "autoescape": False}
    options.pop("context_processors", None)  # no request: e-mails are built for others
    return DjangoTemplates(
        {
            "NAME": "mail-text",
            "DIRS": config.get("DIRS", []),
            "APP_DIRS": config.get("APP_DIRS", False),
            "OPTIONS": options,
        }
    )


def _forget_text_templates(*, setting, **kwargs):
    if setting == "TEMPLATES":
        _text_templates.cache_clear()


setting_changed.connect(_forget_text_templates)


def render_text(name: str, context: dict) -> str:
    """A subject or plain-text template, never HTML-escaped."""
    return _text_templates().get_template(name).render(context)


# -- building and sending ---------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str = ""


@dataclass
class Outgoing:
    """One e-mail to build: `template` names `<template>_subject.txt`, `<template>.txt` and
    `<template>.html`; `attachments`, when given, is called in the recipient's language and
    returns MIME parts (a calendar invitation)."""

    recipient: Recipient
    template: str
    context: dict
    attachments: Callable[[], list[MIMEBase]] | None = None
    # what the caller keeps to record the outcome (a person, a commitment list…)
    key: object = None


@dataclass
class Report:
    """What became of each e-mail: sent, failed (to retry), or not sent because its address
    stopped this kind."""

    sent: list[Outgoing] = field(default_factory=list)
    failed: list[Outgoing] = field(default_factory=list)
    stopped: list[Outgoing] = field(default_factory=list)


def compose(kind: str, outgoing: Outgoing, preference=None) -> EmailMultiAlternatives:
    """The e-mail for one recipient, in its preference's language: subject, text, HTML,
    attachments, unsubscribe headers."""
    recipient = outgoing.recipient
    if preference is None:
        preference = preferences_of([recipient.address])[normalized(recipient.address)]
    language = preference.language
    stop_url = unsubscribe_url(preference, kind)
    with translation.override(language):
        context = {
            **outgoing.context,
            "site_title": settings.SITE_TITLE,
            "site_url": settings.SITE_URL,
            "recipient": recipient,
            "unsubscribe_url": stop_url,
            "kind_label": Kind(kind).label,
        }
        subject = " ".join(render_text(f"{outgoing.template}_subject.txt", context).split())
        text = render_text(f"{outgoing.template}.txt", context)
        html = render_to_string(f"{outgoing.template}.html", context)
        attachments = outgoing.attachments() if outgoing.attachments else []
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        # a name is one line: a line break would refuse the header (or forge another)
        to=[formataddr((" ".join(recipient.name.split()), recipient.address.strip()))],
        headers={
            "List-Unsubscribe": f"<{stop_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    for part in attachments:
        message.attach(part)
    return message


def deliver(messages: list[EmailMultiAlternatives]) -> list[bool]:
    """Sends `messages` over one connection and says, for each, whether it left. A connection
    that cannot be opened fails them all; a recipient refused fails its own. Never raises."""
    if not messages:
        return []
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        logger.error(
            "Serveur de courriel injoignable (%s) : %d courriel(s) non envoyé(s).",
            error,
            len(messages),
        )
        return [False] * len(messages)
    results = []
    try:
        for message in messages:
            try:
                results.append(bool(connection.send_messages([message])))
            except (OSError, smtplib.SMTPException, ValueError) as error:
                # ValueError: a header Django refuses to send (BadHeaderError)
                logger.error(
                    "Courriel « %s » non envoyé à %s (%s).", message.subject, message.to, error
                )
                results.append(False)
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            connection.close()
    return results


def send(kind: str, outgoing: list[Outgoing]) -> Report:
    """Builds and sends each e-mail of `kind`, leaving out the addresses that stopped it. One
    query for the preferences, one connection for the e-mails."""
    report = Report()
    preferences = preferences_of(o.recipient.address for o in outgoing) if outgoing else {}
    to_send = []
    for item in outgoing:
        preference = preferences[normalized(item.recipient.address)]
        if preference.stops(kind):
            report.stopped.append(item)
            continue
        to_send.append((item, compose(kind, item, preference)))
    results = deliver([message for _item, message in to_send])
    for (item, _message), sent in zip(to_send, results, strict=True):
        (report.sent if sent else report.failed).append(item)
    if report.sent or report.failed:
        logger.info(
            "Courriels « %s » : %d envoyé(s), %d en échec, %d désabonné(s).",
            kind,
            len(report.sent),
            len(report.failed),
            len(report.stopped),
        )
    return report
