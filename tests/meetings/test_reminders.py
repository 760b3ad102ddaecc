"""Reminders of commitments (issue 14): `send_reminders` sends one digest per address — own
commitments due within 14 days or overdue, coordinators' overdue commitments of their bodies —
idempotent within a day and a week, honouring the opt-out, never a restricted text."""

import datetime
import socket
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from bodies.models import today
from mail.models import MailPreference
from meetings.models import CommitmentReminder
from tests import factories

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def by_address():
    return {m.to[0].split("<")[-1].rstrip(">"): m for m in mail.outbox}


def test_each_owner_and_coordinator_gets_one_digest(world):
    run()
    sent = by_address()
    assert set(sent) == {"canary-mail-a@example.org", "coordinator-a@example.org"}
    coordinator = sent["coordinator-a@example.org"]
    assert coordinator.subject == "Rappel : 2 engagements à échéance ou en retard"
    for text in (coordinator.body, coordinator.alternatives[0].content):
        assert "Éclairer le passage Mistral" in text
        assert "CANARY-PARTNERS-COMMITMENT-A" in text  # an institution's, without a person
        assert "Réunir les bailleurs" not in text  # body B: not theirs
        assert "CANARY-RESTRICTED" not in text
    assert f"/commitments/?body={world.body_a.pk}&amp;state=overdue" in (
        coordinator.alternatives[0].content
    )
    own = sent["canary-mail-a@example.org"]
    assert "Vos engagements" in own.body
    # the GLTD's restricted commitment: counted, linked, never written
    assert "CANARY-RESTRICTED-COMMITMENT-GLTD" not in own.body + own.alternatives[0].content
    assert "Un engagement restreint de" in own.body
    assert CommitmentReminder.objects.count() == 3


def test_a_second_run_the_same_day_sends_nothing_a_week_later_reminds_again(world):
    run()
    mail.outbox.clear()
    assert "0 envoyé(s)" in run()
    assert mail.outbox == []
    CommitmentReminder.objects.update(sent_on=today() - datetime.timedelta(days=6))
    run()
    assert mail.outbox == []
    CommitmentReminder.objects.update(sent_on=today() - datetime.timedelta(days=7))
    run()
    assert len(mail.outbox) == 2


def test_due_within_fourteen_days_not_later_not_closed(world):
    mine = factories.person("Paul", "Porteur", email="porteur@example.org")
    factories.membership(world.body_a, mine, world.inst_a)
    on = today()
    for days, description in ((14, "Dans quatorze jours"), (15, "Dans quinze jours")):
        factories.commitment(
            world.meeting_a,
            world.inst_a,
            description,
            owner_person=mine,
            due_on=on + datetime.timedelta(days=days),
        )
    factories.commitment(
        world.meeting_a,
        world.inst_a,
        "Déjà tenu",
        owner_person=mine,
        due_on=on - datetime.timedelta(days=3),
        status="done",
        done_on=on,
    )
    run()
    body = by_address()["porteur@example.org"].body
    assert "Dans quatorze jours" in body
    assert "Dans quinze jours" not in body and "Déjà tenu" not in body


def test_one_email_for_an_owner_who_also_coordinates(world):
    world.person_a.user = None
    world.person_a.save()
    world.person_a.user = world.users["coordinator"]
    world.person_a.save()
    factories.commitment(world.meeting_a, world.inst_a, "Le mien", owner_person=world.person_a)
    run()
    sent = by_address()
    assert "coordinator-a@example.org" not in sent  # the person's address is the one used
    body = sent["canary-mail-a@example.org"].body
    assert body.count("Le mien") == 1  # in « Vos engagements », not again under the body
    assert "Éclairer le passage Mistral" in body


def test_opt_out_is_honoured_and_nothing_recorded(world):
    MailPreference.objects.create(address="coordinator-a@example.org", stops_reminders=True)
    output = run()
    assert set(by_address()) == {"canary-mail-a@example.org"}
    assert "1 désabonné(s)" in output
    assert not CommitmentReminder.objects.filter(address="coordinator-a@example.org").exists()


def test_dry_run_prints_and_sends_nothing(world):
    output = run("--dry-run")
    assert "coordinator-a@example.org : 0 engagement(s) personnel(s), 2 en retard" in output
    assert "2 récapitulatif(s) à envoyer ; rien n’a été envoyé." in output
    assert mail.outbox == [] and not CommitmentReminder.objects.exists()


def test_a_failed_server_records_nothing_and_the_command_fails(world, settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    with pytest.raises(CommandError, match="2 rappel"):
        run()
    assert not CommitmentReminder.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run()
    assert len(mail.outbox) == 2


def test_an_ended_coordinator_gets_nothing(world):
    world.assignment_coordinator.ended_on = today() - datetime.timedelta(days=1)
    world.assignment_coordinator.save()
    run()
    assert "coordinator-a@example.org" not in by_address()


def test_what_reminders_named_is_kept_ninety_days(world):
    CommitmentReminder.objects.create(
        commitment=world.commitment_a,
        address="ancien@example.org",
        sent_on=today() - datetime.timedelta(days=91),
    )
    kept = CommitmentReminder.objects.create(
        commitment=world.commitment_a,
        address="recent@example.org",
        sent_on=today() - datetime.timedelta(days=90),
    )
    run()
    assert not CommitmentReminder.objects.filter(address="ancien@example.org").exists()
    assert CommitmentReminder.objects.filter(pk=kept.pk).exists()
