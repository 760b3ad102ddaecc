"""One sending of a convocation at a time per meeting, on SQLite as on PostgreSQL: the press
that claims the meeting (a committed INSERT keyed by the meeting) sends, another press
meanwhile is told a sending is under way; rows are written before the e-mails leave."""

import datetime
import threading
import time

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meetings import convocations
from meetings.models import Convocation, ConvocationSending
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def planned_meeting(world):
    return factories.meeting(
        world.body_a, starts_at=timezone.now() + datetime.timedelta(days=10), status="planned"
    )


def test_one_claim_wins_until_released(world):
    meeting = planned_meeting(world)
    first = convocations.claim(meeting)
    assert first is not None
    assert convocations.claim(meeting) is None
    convocations.release(first)
    assert convocations.claim(meeting) is not None


def test_a_stale_claim_is_taken_over_and_not_released_by_its_late_owner(world):
    meeting = planned_meeting(world)
    dead = convocations.claim(meeting)
    ConvocationSending.objects.filter(meeting=meeting).update(
        started_at=timezone.now() - ConvocationSending.STALE_AFTER - datetime.timedelta(1)
    )
    dead.started_at -= ConvocationSending.STALE_AFTER + datetime.timedelta(1)
    taken = convocations.claim(meeting)
    assert taken is not None
    convocations.release(dead)  # the dead worker wakes up: the new claim stays
    assert convocations.claim(meeting) is None


def test_a_press_while_another_sends_sends_nothing_and_says_so(world):
    meeting = planned_meeting(world)
    convocations.claim(meeting)  # another press is sending
    client = Client()
    client.force_login(world.users["coordinator"])
    response = client.post(reverse("meetings:meeting-convocation", args=[meeting.pk]))
    assert response.status_code == 200
    assert "Un envoi est en cours" in response.content.decode()
    assert mail.outbox == [] and not Convocation.objects.exists()


class RecordingBackend(EmailBackend):
    """The in-memory outbox, noting what the database held when each e-mail left."""

    seen: list = []

    def send_messages(self, messages):
        RecordingBackend.seen.append(list(Convocation.objects.values_list("sent", flat=True)))
        return super().send_messages(messages)


def test_rows_are_recorded_before_the_e_mails_leave_then_marked(world, settings):
    settings.EMAIL_BACKEND = "tests.meetings.test_convocation_race.RecordingBackend"
    RecordingBackend.seen = []
    meeting = planned_meeting(world)
    client = Client()
    client.force_login(world.users["coordinator"])
    response = client.post(reverse("meetings:meeting-convocation", args=[meeting.pk]))
    assert response.status_code == 302
    assert RecordingBackend.seen == [[None]]  # recorded, outcome not yet known
    assert list(Convocation.objects.values_list("sent", flat=True)) == [True]
    assert not ConvocationSending.objects.exists()  # released


def test_an_outcome_unknown_counts_as_received_a_new_press_asks_confirmation(world):
    meeting = planned_meeting(world)
    client = Client()
    client.force_login(world.users["coordinator"])
    url = reverse("meetings:meeting-convocation", args=[meeting.pk])
    client.post(url)
    Convocation.objects.update(sent=None)  # the worker died before marking it
    mail.outbox.clear()
    response = client.post(url)
    assert response.status_code == 200 and "Déjà envoyée" in response.content.decode()
    assert client.post(url, {"retry": "1"}).status_code == 302  # not a failure: not retried
    assert mail.outbox == []
    assert "issue inconnue" in client.get(meeting.get_absolute_url()).content.decode()


class SlowBackend(EmailBackend):
    """The in-memory outbox, with a server that takes its time."""

    def send_messages(self, messages):
        time.sleep(0.5)
        return super().send_messages(messages)


@pytest.mark.skipif(
    "connection.vendor == 'sqlite' and connection.settings_dict['NAME'].startswith('file:')",
    reason="an in-memory SQLite database is not shared between threads",
)
def test_three_presses_at_once_send_once_and_never_fail(world, settings):
    settings.EMAIL_BACKEND = "tests.meetings.test_convocation_race.SlowBackend"
    meeting = planned_meeting(world)
    url = reverse("meetings:meeting-convocation", args=[meeting.pk])
    answers = []

    def press():
        client = Client()
        client.force_login(world.users["coordinator"])
        answers.append(client.post(url).status_code)
        connection.close()

    threads = [threading.Thread(target=press) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 200, 302]  # one sent; the others told, or asked to confirm
    assert Convocation.objects.filter(meeting=meeting).count() == 1
    assert len(mail.outbox) == 1
