"""Convocations (issue 14): who receives them per role and confidentiality, what they carry,
the invitation parsed back with `icalendar` (REQUEST, update, CANCEL), a second sending that
asks for confirmation, failures counted, recorded and sent again, the meeting page."""

import datetime
import email
import socket
from email import policy

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from bodies.models import Institution, Membership
from mail.models import MailPreference
from meetings.models import Convocation
from tests import factories

pytestmark = pytest.mark.django_db


def future(days=20, hour=14):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@pytest.fixture
def planned(world):
    """A planned partners-only formation of body A, three weeks ahead, with its members: person
    A (an account: the `member` user), one without an address, one with a substitute, one who
    stopped convocations."""
    meeting = factories.meeting(
        world.body_a,
        starts_at=future(),
        status="planned",
        kind="restricted",
        place="Salle du conseil",
    )
    meeting.agenda_items.create(position=1, title="Tranquillité du quartier Mistral")
    meeting.agenda_items.create(position=2, title="Questions diverses")
    police = factories.institution(Institution.Category.NATIONAL_POLICE, "Police nationale")
    world.no_address = factories.person("Sans", "Adresse", email="")
    factories.membership(world.body_a, world.no_address, police)
    world.holder = factories.person("Titulaire", "Un", email="titulaire@example.org")
    world.substitute = factories.person("Suppléante", "Deux", email="suppleante@example.org")
    factories.membership(world.body_a, world.holder, police, substitute=world.substitute)
    world.stopped = factories.person("Désabonné", "Trois", email="Desabonne@example.org")
    factories.membership(world.body_a, world.stopped, police)
    MailPreference.objects.create(address="desabonne@example.org", stops_convocations=True)
    # a seat that ended: not convened
    factories.membership(
        world.body_a,
        factories.person("Parti", "Quatre", email="parti@example.org"),
        police,
        ended_on=datetime.date(2024, 12, 31),
    )
    return meeting


def send(client, meeting, **data):
    return client.post(reverse("meetings:meeting-convocation", args=[meeting.pk]), data)


def invitation(message):
    (part,) = [a for a in message.attachments if getattr(a, "get_content_type", None)]
    assert part.get_content_type() == "text/calendar"
    method = part.get_param("method")
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    assert str(calendar["method"]) == method
    (event,) = calendar.walk("VEVENT")
    return method, event


def by_address(outbox):
    return {m.to[0].split("<")[-1].rstrip(">"): m for m in outbox}


def test_coordinator_convenes_current_members_with_an_address(world, login, planned):
    client = login(world, "coordinator")
    response = send(client, planned)
    assert response.status_code == 302 and response.url == planned.get_absolute_url()
    sent = by_address(mail.outbox)
    assert set(sent) == {"canary-mail-a@example.org", "titulaire@example.org"}
    message = sent["titulaire@example.org"]
    assert "Convocation : Formation restreinte" in message.subject
    for body in (message.body, message.alternatives[0].content):
        assert "Salle du conseil" in body
        assert "Tranquillité du quartier Mistral" in body
        assert f"https://registre.example.gouv.fr/meetings/{planned.pk}/" in body
    rows = Convocation.objects.filter(meeting=planned)
    assert sorted(r.address for r in rows) == ["canary-mail-a@example.org", "titulaire@example.org"]
    assert all(r.sent and r.sequence == 0 and r.sent_by == world.users["coordinator"] for r in rows)


def test_the_invitation_is_a_request_calendar_applications_accept(world, login, planned):
    send(login(world, "coordinator"), planned)
    method, event = invitation(by_address(mail.outbox)["titulaire@example.org"])
    assert method == "REQUEST"
    assert str(event["uid"]) == f"meeting-{planned.pk}@registre.example.gouv.fr"
    assert int(event["sequence"]) == 0
    assert event.decoded("dtstart") == planned.starts_at
    assert str(event["location"]) == "Salle du conseil"
    assert "Questions diverses" in str(event["description"])
    assert str(event["attendee"]) == "mailto:titulaire@example.org"
    assert str(event["organizer"]).startswith("mailto:")
    assert str(event["status"]) == "CONFIRMED"


def test_the_page_lists_who_is_left_out_and_why(world, login, planned):
    page = login(world, "coordinator").get(
        reverse("meetings:meeting-convocation", args=[planned.pk])
    )
    html = page.content.decode()
    left_out = html.split("Membres sans adresse de courriel")[1]
    assert "Sans Adresse" in left_out.split("Membres qui ne reçoivent plus")[0]
    assert "Désabonné Trois" in html.split("Membres qui ne reçoivent plus les convocations")[1]
    assert "Parti Quatre" not in html
    assert "Suppléante Deux" not in html  # substitutes only when asked


def test_substitutes_as_the_coordinator_chooses(world, login, planned):
    # a partners-level meeting: the substitute sits nowhere, so may not read it
    send(login(world, "coordinator"), planned, substitutes="1")
    assert "suppleante@example.org" not in by_address(mail.outbox)
    public = factories.meeting(world.body_a, starts_at=future(30), status="planned")
    mail.outbox.clear()
    send(login(world, "coordinator"), public, substitutes="1")
    message = by_address(mail.outbox)["suppleante@example.org"]
    assert "en tant que suppléant·e (Police nationale)" in message.body
    assert Convocation.objects.get(meeting=public, person=world.substitute).as_substitute


def test_a_restricted_meeting_reaches_only_those_named_and_never_its_place_or_agenda(world, login):
    gltd = factories.meeting(
        world.gltd_a,
        starts_at=future(),
        status="planned",
        kind="restricted",
        place="CANARY-RESTRICTED-PLACE-NEXT",
    )
    gltd.agenda_items.create(position=1, title="CANARY-RESTRICTED-AGENDA-NEXT")
    other = factories.person("Autre", "Membre", email="autre@example.org")
    factories.membership(world.gltd_a, other, world.inst_a)
    client = login(world, "admin")
    send(client, gltd)
    assert mail.outbox == []  # nobody named on it yet: nobody may read it
    factories.attendance(gltd, world.person_a, world.inst_a, status="present")
    send(client, gltd)
    (message,) = mail.outbox
    assert message.to == ["Canari Alpha <canary-mail-a@example.org>"]
    _method, event = invitation(message)
    everything = message.message().as_string() + message.alternatives[0].content + message.body
    assert "CANARY-RESTRICTED" not in everything
    assert "CANARY-RESTRICTED" not in event.to_ical().decode()
    assert "location" not in event
    assert f"/meetings/{gltd.pk}/" in message.body


def test_sending_twice_asks_for_confirmation(world, login, planned):
    client = login(world, "coordinator")
    send(client, planned)
    mail.outbox.clear()
    again = send(client, planned)
    assert again.status_code == 200
    assert "Déjà envoyée" in again.content.decode()
    assert mail.outbox == [] and Convocation.objects.count() == 2
    confirmed = send(client, planned, confirm="1")
    assert confirmed.status_code == 302 and len(mail.outbox) == 2


def test_a_moved_meeting_sends_a_higher_sequence_and_a_cancelled_one_a_cancel(
    world, login, planned
):
    client = login(world, "coordinator")
    send(client, planned)
    planned.starts_at = future(days=21)
    planned.save()
    detail = client.get(planned.get_absolute_url()).content.decode()
    assert "La réunion a changé depuis la convocation" in detail
    mail.outbox.clear()
    send(client, planned, confirm="1")
    message = by_address(mail.outbox)["titulaire@example.org"]
    assert message.subject.startswith("Convocation modifiée")
    method, event = invitation(message)
    assert (method, int(event["sequence"])) == ("REQUEST", 1)
    assert event.decoded("dtstart") == planned.starts_at
    uid = str(event["uid"])

    planned.status = "cancelled"
    planned.save()
    mail.outbox.clear()
    send(client, planned)
    assert set(by_address(mail.outbox)) == {"canary-mail-a@example.org", "titulaire@example.org"}
    message = by_address(mail.outbox)["titulaire@example.org"]
    assert message.subject.startswith("Annulation")
    method, event = invitation(message)
    assert (method, int(event["sequence"]), str(event["uid"])) == ("CANCEL", 2, uid)
    assert str(event["status"]) == "CANCELLED"


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_failed_connection_is_counted_recorded_and_retried(world, login, planned, settings):
    client = login(world, "coordinator")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    response = send(client, planned)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "2 convocations n’ont pas pu être envoyées" in page
    planned.refresh_from_db()
    assert planned.status == "planned"  # the meeting itself is untouched
    assert Convocation.objects.filter(sent=False).count() == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = send(client, planned, retry="1")  # no confirmation: nothing was received
    assert len(mail.outbox) == 2
    page = client.get(response.url).content.decode()
    assert "2 convocations envoyées" in page
    assert "n’ont pas pu être envoyées" not in page


def test_retry_resends_only_the_failed(world, login, planned):
    client = login(world, "coordinator")
    send(client, planned)
    Convocation.objects.filter(address="titulaire@example.org").update(sent=False)
    mail.outbox.clear()
    send(client, planned, retry="1")
    assert list(by_address(mail.outbox)) == ["titulaire@example.org"]


def test_the_meeting_page_shows_who_was_convened_and_when_to_coordinators_only(
    world, login, planned
):
    send(login(world, "coordinator"), planned)
    html = login(world, "coordinator").get(planned.get_absolute_url()).content.decode()
    assert "Titulaire Un" in html.split("Personnes convoquées")[1]
    member_view = login(world, "member").get(planned.get_absolute_url()).content.decode()
    assert "Personnes convoquées" not in member_view
    assert "Envoyer la convocation" not in member_view


def test_nothing_to_send_for_a_held_meeting(world, login):
    client = login(world, "coordinator")
    response = send(client, world.meeting_a)
    assert response.status_code == 302 and mail.outbox == []
    assert not Convocation.objects.exists()


def test_only_coordinators_and_administrators_send(world, login, planned):
    for role, status in (("prefecture", 403), ("member", 403), ("national", 403)):
        assert send(login(world, role), planned).status_code == status
    assert send(login(world, "anonymous"), planned).status_code == 404
    assert mail.outbox == []
    csrf_client = type(login(world, "coordinator"))(enforce_csrf_checks=True)
    csrf_client.force_login(world.users["coordinator"])
    assert send(csrf_client, planned).status_code == 403
    assert mail.outbox == []


def test_over_smtp_the_invitation_arrives_as_a_calendar_part(world, login, planned, settings):
    from aiosmtpd.controller import Controller

    class Keep:
        received = []

        async def handle_DATA(self, server, session, envelope):
            self.received.append(envelope.content)
            return "250 OK"

    controller = Controller(Keep(), hostname="127.0.0.1", port=closed_port())
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        send(login(world, "coordinator"), planned)
    finally:
        controller.stop()
    assert len(Keep.received) == 2
    parsed = email.message_from_bytes(Keep.received[0], policy=policy.default)
    parts = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert parts and parts[0].get_param("method") == "REQUEST"
    assert Calendar.from_ical(parts[0].get_content()).walk("VEVENT")


def test_the_meeting_page_costs_the_same_queries_with_more_convocations(
    world, login, planned, django_assert_num_queries
):
    client = login(world, "coordinator")
    send(client, planned)
    # the session (read, saved), the user, the access, the meeting, its agenda, attendance,
    # decisions, commitments and follow-ups, its convocations (one query, whatever the rows)
    with django_assert_num_queries(14):
        client.get(planned.get_absolute_url())
    for n in range(10):
        person = factories.person(email=f"membre{n}@example.org")
        factories.membership(world.body_a, person, world.inst_a)
    send(client, planned, confirm="1")
    assert Convocation.objects.filter(meeting=planned).count() == 14
    with django_assert_num_queries(14):
        client.get(planned.get_absolute_url())


def test_labels_follow_the_recipients_language_not_the_senders(world, login, planned):
    """A coordinator browsing in English convenes French recipients in French."""
    from django.utils import formats, translation

    client = login(world, "coordinator")
    with translation.override("en"):
        client.post(
            reverse("meetings:meeting-convocation", args=[planned.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
    message = by_address(mail.outbox)["titulaire@example.org"]
    day = formats.date_format(timezone.localtime(planned.starts_at), "j F Y")  # French: active
    assert "Formation restreinte" in message.subject and day in message.subject
    assert "Formation restreinte" in message.body and "Restricted" not in message.body


def smtp_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2


def test_the_cancellation_reaches_everyone_who_received_a_convocation_at_any_sequence(
    world, login, planned, settings
):
    client = login(world, "coordinator")
    send(client, planned)  # received at SEQUENCE 0
    planned.starts_at = future(days=21)
    planned.save()
    smtp_down(settings)
    send(client, planned, confirm="1")  # the update failed: SEQUENCE 1, not received
    assert Convocation.objects.filter(sequence=1, sent=False).count() == 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    planned.status = "cancelled"
    planned.save()
    # the holder's seat ended since: he may no longer read the meeting, yet holds its event
    Membership.objects.filter(person=world.holder).update(
        ended_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    mail.outbox.clear()
    send(client, planned)
    assert set(by_address(mail.outbox)) == {"canary-mail-a@example.org", "titulaire@example.org"}
    message = by_address(mail.outbox)["titulaire@example.org"]
    method, event = invitation(message)
    assert (method, int(event["sequence"])) == ("CANCEL", 2)
    # nothing a former member may not read: neither the place nor the agenda
    raw = message.message().as_string()
    assert "location" not in event and "Mistral" not in str(event.get("description"))
    for text in (message.body, message.alternatives[0][0], raw):
        assert "Salle du conseil" not in text and "Mistral" not in text


def test_retry_sends_exactly_the_failed_rows_substitutes_too(world, login, planned, settings):
    client = login(world, "coordinator")
    public = factories.meeting(world.body_a, starts_at=future(30), status="planned")
    smtp_down(settings)
    send(client, public, substitutes="1")
    failed = set(Convocation.objects.filter(sent=False).values_list("address", flat=True))
    assert "suppleante@example.org" in failed
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send(client, public, retry="1")  # the substitutes box is not ticked on this button
    assert set(by_address(mail.outbox)) == failed
    substitute = by_address(mail.outbox)["suppleante@example.org"]
    assert "en tant que suppléant·e (Police nationale)" in substitute.body


def test_subject_and_text_keep_apostrophes_ampersands_quotes_and_brackets(world, login, planned):
    raw = """CLSPD de Saint-Martin-d'Hères & "Co" <x>"""
    world.body_a.name = raw
    world.body_a.save()
    send(login(world, "coordinator"), planned)
    message = by_address(mail.outbox)["titulaire@example.org"]
    assert f"— {raw}, " in message.subject
    assert message.body.count(raw) == 2  # the meeting, and why one receives it
    for escaped in ("&#x27;", "&amp;", "&quot;", "&lt;"):
        assert escaped not in message.subject and escaped not in message.body
    assert "Saint-Martin-d&#x27;Hères &amp; &quot;Co&quot; &lt;x&gt;" in message.alternatives[0][0]


def test_an_english_convocation_is_english_throughout_its_date_too(world, login, planned):
    MailPreference.objects.create(address="titulaire@example.org", language="en")
    send(login(world, "coordinator"), planned)
    message = by_address(mail.outbox)["titulaire@example.org"]
    weekday = timezone.localtime(planned.starts_at).strftime("%A")  # C locale: English
    month = timezone.localtime(planned.starts_at).strftime("%B")
    for body in (message.body, message.alternatives[0][0]):
        assert "Hello" in body and "top receiving" in body
        assert f"{weekday} " in body and month in body
        for french in ("Bonjour", "Vous êtes convoqué·e", "Pour ne plus recevoir", " à 14"):
            assert french not in body, french
    assert month in message.subject and "Convocation :" not in message.subject


def test_an_agenda_change_raises_the_sequence_as_a_move_does(world, login):
    public = factories.meeting(world.body_a, starts_at=future(30), status="planned")
    public.agenda_items.create(position=1, title="Bilan")
    client = login(world, "coordinator")
    send(client, public)
    public.agenda_items.create(position=2, title="Vidéoprotection du centre")
    page = client.get(public.get_absolute_url()).content.decode()
    assert "La réunion a changé depuis la convocation" in page
    mail.outbox.clear()
    send(client, public, confirm="1")
    message = mail.outbox[0]
    assert message.subject.startswith("Convocation modifiée")
    method, event = invitation(message)
    assert (method, int(event["sequence"])) == ("REQUEST", 1)
    assert "Vidéoprotection du centre" in message.body
    mail.outbox.clear()
    send(client, public, confirm="1")  # nothing changed since: the same version again
    assert int(invitation(mail.outbox[0])[1]["sequence"]) == 1
