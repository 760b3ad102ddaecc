"""Two presses of « Envoyer la convocation » at once send it once: the second waits for the
first (a row lock, PostgreSQL only) and then asks for confirmation."""

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

from meetings.models import Convocation
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


class SlowBackend(EmailBackend):
    """The in-memory outbox, with a server that takes its time."""

    def send_messages(self, messages):
        time.sleep(0.5)
        return super().send_messages(messages)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks are PostgreSQL's")
def test_two_presses_at_once_send_once(world, settings):
    settings.EMAIL_BACKEND = "tests.meetings.test_convocation_race.SlowBackend"
    meeting = factories.meeting(
        world.body_a, starts_at=timezone.now() + datetime.timedelta(days=10), status="planned"
    )
    url = reverse("meetings:meeting-convocation", args=[meeting.pk])
    answers = []

    def press():
        client = Client()
        client.force_login(world.users["coordinator"])
        answers.append(client.post(url).status_code)
        connection.close()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 302]  # one sent, the other asks for confirmation
    assert Convocation.objects.filter(meeting=meeting).count() == 1
    assert len(mail.outbox) == 1
