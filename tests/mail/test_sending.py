"""The e-mail component (mail/sending.py): what every e-mail carries, the per-address
preferences and their signed links, and failures that are reported instead of raised — over
Django's in-memory outbox, and once over SMTP to a real server (aiosmtpd) started here."""

import copy
import email
import email.utils
import logging
import socket
from email import policy
from pathlib import Path

import pytest
from django.core import mail as django_mail
from django.urls import reverse

from mail.models import Kind, MailPreference
from mail.sending import (
    Outgoing,
    Recipient,
    read_unsubscribe_token,
    send,
    unsubscribe_token,
)

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent


@pytest.fixture(autouse=True)
def test_templates(settings):
    """A small e-mail of the tests' own (tests/mail/templates/), built on the real bases."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], HERE / "templates"]
    settings.TEMPLATES = templates


def notice(address="camille@example.org", name="Camille Martin", text="Rien à signaler."):
    return Outgoing(
        recipient=Recipient(address, name),
        template="mail/test_notice",
        context={"text": text, "link": "https://registre.example.gouv.fr/x/", "subject_word": "1"},
    )


def test_every_email_has_text_html_the_registry_name_and_an_unsubscribe_link(settings):
    report = send(Kind.REMINDER, [notice()])
    assert len(report.sent) == 1 and not report.failed
    (message,) = django_mail.outbox
    assert message.subject == "Avis de test 1"
    assert message.to == ["Camille Martin <camille@example.org>"]
    html = message.alternatives[0].content
    assert message.alternatives[0].mimetype == "text/html"
    for body in (message.body, html):
        assert "Registre des partenariats locaux de sécurité" in body
        assert "Bonjour Camille Martin" in body
        assert settings.SITE_URL in body
    stop = message.extra_headers["List-Unsubscribe"]
    assert stop.startswith(f"<{settings.SITE_URL}/mail/unsubscribe/") and stop.endswith("/>")
    assert stop[1:-1] in message.body and stop[1:-1] in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_text_body_is_not_html_escaped():
    send(Kind.REMINDER, [notice(text="Police & gendarmerie « ensemble »")])
    (message,) = django_mail.outbox
    assert "Police & gendarmerie" in message.body
    assert "Police &amp; gendarmerie" in message.alternatives[0].content


def test_subject_and_text_are_never_html_escaped_the_html_always():
    raw = """d'Hères & "Co" <x>"""
    outgoing = notice(text=raw)
    outgoing.context["subject_word"] = raw
    send(Kind.REMINDER, [outgoing])
    (message,) = django_mail.outbox
    assert message.subject == f"Avis de test {raw}"
    assert raw in message.body and "&#x27;" not in message.body and "&amp;" not in message.body
    assert "d&#x27;Hères &amp; &quot;Co&quot; &lt;x&gt;" in message.alternatives[0].content


def test_english_for_an_address_that_chose_it():
    MailPreference.objects.create(address="camille@example.org", language="en")
    send(Kind.REMINDER, [notice(address="Camille@Example.org"), notice("dominique@example.org")])
    english, french = django_mail.outbox
    assert english.body.startswith("Register of local security partnerships")
    assert 'lang="en"' in english.alternatives[0].content
    for body in (english.body, english.alternatives[0].content):
        assert "Hello Camille Martin" in body  # the greeting
        assert "You receive this e-mail" in body or "test" in body  # the reason
        assert "top receiving" in body  # the footer
        for word in ("Bonjour", "Pour ne plus recevoir", "Vous recevez", "les rappels"):
            assert word not in body, word
    assert french.body.startswith("Registre des partenariats locaux de sécurité")
    assert 'lang="fr"' in french.alternatives[0].content


def test_a_stopped_kind_is_not_sent_the_other_kind_is():
    MailPreference.objects.create(address="camille@example.org", stops_reminders=True)
    report = send(Kind.REMINDER, [notice(), notice("dominique@example.org", "Dominique")])
    assert [o.recipient.address for o in report.stopped] == ["camille@example.org"]
    assert [m.to for m in django_mail.outbox] == [["Dominique <dominique@example.org>"]]
    send(Kind.CONVOCATION, [notice()])
    assert len(django_mail.outbox) == 2


def test_unsubscribe_link_works_without_signing_in_and_can_be_undone(client):
    send(Kind.CONVOCATION, [notice()])
    url = django_mail.outbox[0].extra_headers["List-Unsubscribe"][1:-1]
    path = url.removeprefix("https://registre.example.gouv.fr")
    page = client.get(path)
    assert page.status_code == 200
    assert "c…@example.org" in page.content.decode()
    assert "camille@example.org" not in page.content.decode()
    # a link followed by a scanner changes nothing
    assert not MailPreference.objects.filter(stops_convocations=True).exists()
    client.post(path, {"action": "stop"})
    assert MailPreference.objects.get().stops_convocations
    assert not MailPreference.objects.get().stops_reminders
    assert not send(Kind.CONVOCATION, [notice()]).sent
    client.post(path, {"action": "resume"})
    assert not MailPreference.objects.get().stops_convocations


def test_a_mail_application_one_click_post_needs_no_csrf_token(client):
    client = type(client)(enforce_csrf_checks=True)
    token = unsubscribe_token("Camille@example.org", Kind.REMINDER)
    response = client.post(
        reverse("mail:unsubscribe", args=[token]), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert MailPreference.objects.get(address="camille@example.org").stops_reminders


def test_the_preferences_page_sets_the_language(client):
    token = unsubscribe_token("camille@example.org", Kind.REMINDER)
    client.post(reverse("mail:unsubscribe", args=[token]), {"action": "language", "language": "en"})
    assert MailPreference.objects.get().language == "en"
    client.post(reverse("mail:unsubscribe", args=[token]), {"action": "language", "language": "xx"})
    assert MailPreference.objects.get().language == "en"


def test_a_tampered_or_foreign_token_is_a_404(client):
    token = unsubscribe_token("camille@example.org", Kind.REMINDER)
    assert read_unsubscribe_token(token) == ("camille@example.org", "reminder")
    other = unsubscribe_token("dominique@example.org", Kind.REMINDER)
    forged = other.split(":")[0] + ":" + token.split(":", 1)[1]  # another address, this signature
    assert client.get(reverse("mail:unsubscribe", args=[forged])).status_code == 404
    assert (
        client.post(reverse("mail:unsubscribe", args=[forged]), {"action": "stop"}).status_code
        == 404
    )
    assert not MailPreference.objects.filter(stops_reminders=True).exists()
    assert client.get(reverse("mail:unsubscribe", args=["nothing"])).status_code == 404


def test_the_language_switch_records_a_signed_in_users_choice(client, django_user_model):
    from tests import factories

    user = django_user_model.objects.create_user("camille", "camille.user@example.org", "x")
    factories.person("Camille", "Martin", email="camille@example.org", user=user)
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert set(MailPreference.objects.values_list("address", "language")) == {
        ("camille.user@example.org", "en"),
        ("camille@example.org", "en"),
    }


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_server_fails_every_email_logs_it_and_raises_nothing(settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    with caplog.at_level(logging.ERROR, logger="mail"):
        report = send(Kind.REMINDER, [notice(), notice("dominique@example.org")])
    assert len(report.failed) == 2 and not report.sent
    assert "Serveur de courriel injoignable" in caplog.text


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free local port, keeping what it receives."""
    from aiosmtpd.controller import Controller

    class Keep:
        def __init__(self):
            self.received = []

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("refused"):
                return "550 No such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            self.received.append((envelope.rcpt_tos, envelope.content))
            return "250 Message accepted"

    handler = Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=closed_port())
    controller.start()
    yield controller, handler
    controller.stop()


def test_the_production_path_over_smtp(settings, smtp_server):
    controller, handler = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    report = send(
        Kind.REMINDER, [notice(text="Voir la page."), notice("refused@example.org", "Refusé")]
    )
    assert [o.recipient.address for o in report.sent] == ["camille@example.org"]
    assert [o.recipient.address for o in report.failed] == ["refused@example.org"]
    ((to, content),) = handler.received
    assert to == ["camille@example.org"]
    parsed = email.message_from_bytes(content, policy=policy.default)
    assert parsed["Subject"] == "Avis de test 1"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed.get_body(("plain",)).get_content().count("Voir la page.") == 1
    assert "Voir la page." in parsed.get_body(("html",)).get_content()


def test_a_line_break_in_a_name_forges_no_header():
    report = send(
        Kind.REMINDER,
        [notice(name="Camille\nBcc: intrus@example.org"), notice("dominique@example.org")],
    )
    assert len(report.sent) == 2
    headers = django_mail.outbox[0].message().as_string().split("\n\n")[0]
    assert "\nBcc:" not in headers
    to = email.utils.getaddresses([django_mail.outbox[0].message()["To"]])
    assert [address for _name, address in to] == ["camille@example.org"]


def test_the_unsubscribe_link_does_not_carry_the_address(client):
    import base64

    send(Kind.REMINDER, [notice(address="emilie.colin@example.org")])
    (message,) = django_mail.outbox
    link = message.extra_headers["List-Unsubscribe"][1:-1]
    token = link.rstrip("/").rsplit("/", 1)[1]
    payload = token.split(":")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert b"emilie" not in decoded and b"example" not in decoded
    assert "emilie" not in link
    client.post(link.removeprefix(settings_url()), {"action": "stop"})
    assert MailPreference.objects.get(address="emilie.colin@example.org").stops_reminders


def test_a_link_sent_before_the_tokens_were_opaque_still_works(client):
    from django.core import signing

    old = signing.dumps(["camille@example.org", "reminder"], salt="mail.unsubscribe")
    client.post(reverse("mail:unsubscribe", args=[old]), {"action": "stop"})
    assert MailPreference.objects.get(address="camille@example.org").stops_reminders


def settings_url():
    from django.conf import settings

    return settings.SITE_URL
