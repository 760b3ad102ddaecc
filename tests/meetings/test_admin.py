"""The administration's meeting and commitment change forms: as many queries for a record of
two rows as for one of forty (issue 15: about five queries per attendance row, and every
agenda item of France offered in each decision row, made one form take minutes)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import AgendaItem, Decision
from tests import factories

pytestmark = pytest.mark.django_db


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx), response.content.decode()


def grow_meeting(world, meeting, rows):
    for n in range(rows):
        person = factories.person()
        seat = factories.membership(world.body_a, person, world.inst_a)
        factories.attendance(
            meeting,
            person,
            world.inst_a,
            membership=seat,
            status="represented",
            represented_by=world.person_a,
        )
        factories.attendance(meeting, factories.person(), world.inst_a)  # a guest
        item = AgendaItem.objects.create(meeting=meeting, position=100 + n, title=f"Point {n}")
        Decision.objects.create(meeting=meeting, agenda_item=item, text=f"Décision {n}")
        factories.commitment(meeting, world.inst_a, f"Engagement {n}")


def test_the_meeting_change_form_does_not_grow_with_its_rows(world, login):
    admin = login(world, "admin")
    url = reverse("admin:meetings_meeting_change", args=[world.meeting_a.pk])
    grow_meeting(world, world.meeting_a, 1)
    count(admin, url)
    few, _html = count(admin, url)
    grow_meeting(world, world.meeting_a, 20)
    many, html = count(admin, url)
    assert many == few, f"{few} queries for a small meeting, {many} for a large one"
    assert html.count('name="attendances-') > 40  # the rows are there, statuses editable


def test_a_decision_offers_the_meetings_own_agenda_items_only(world, login):
    admin = login(world, "admin")
    other = factories.meeting(world.body_a, world.meeting_a.starts_at)
    elsewhere = AgendaItem.objects.create(meeting=other, position=1, title="POINT-AILLEURS")
    own = AgendaItem.objects.create(meeting=world.meeting_a, position=9, title="POINT-ICI")
    Decision.objects.create(meeting=world.meeting_a, agenda_item=own, text="Décidé")
    url = reverse("admin:meetings_meeting_change", args=[world.meeting_a.pk])
    html = admin.get(url).content.decode()
    assert "POINT-ICI" in html and "POINT-AILLEURS" not in html
    assert elsewhere.pk


def test_the_commitment_change_form_does_not_grow_with_its_follow_ups(world, login):
    admin = login(world, "admin")
    commitment = world.commitment_a
    url = reverse("admin:meetings_commitment_change", args=[commitment.pk])
    count(admin, url)
    few, _html = count(admin, url)
    for day in range(12):
        meeting = factories.meeting(
            world.body_a, world.meeting_a.starts_at.replace(year=2026, month=1, day=day + 1)
        )
        commitment.follow_ups.create(meeting=meeting, outcome="kept_open")
    many, html = count(admin, url)
    assert many == few, f"{few} queries for no follow-up, {many} for twelve"
    assert html.count("follow_ups-") > 12 or html.count("followups-") > 12


def test_the_meeting_change_form_does_not_grow_with_the_registrys_meetings(world, login):
    """The meeting that approved the minutes is given by number: a list offered every meeting
    of the registry, each label reading its body (160 queries on the demo)."""
    admin = login(world, "admin")
    url = reverse("admin:meetings_meeting_change", args=[world.meeting_a.pk])
    count(admin, url)
    few, _html = count(admin, url)
    for day in range(1, 13):
        factories.meeting(world.body_b, world.meeting_a.starts_at.replace(year=2026, day=day))
    many, _html = count(admin, url)
    assert many == few, f"{few} queries, then {many} with twelve more meetings"
