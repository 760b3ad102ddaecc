"""What the meeting page refuses, each with a French message next to its field and nothing
lost (issue 13): a commitment due before the meeting, a past meeting still « prévue », text
beyond a field's limit, an absent member named as a representative, a tampered version; and
the expected members following the meeting's date."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Attendance, Commitment, Meeting
from tests import factories
from tests.meetings.test_record import create_url, meeting_post, version_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(world, login):
    return login(world, "coordinator")


def present(world):
    return [{"membership": world.membership_a.pk, "status": "present"}]


def field_error(html, field_id):
    """The error text shown next to the field with this id (its `aria-describedby`)."""
    tag = re.search(rf'<[^>]*id="{field_id}"[^>]*>', html)
    assert tag, f"no field {field_id}"
    described = re.search(r'aria-describedby="([^"]+)"', tag.group(0))
    assert described, f"no error attached to {field_id}: {tag.group(0)}"
    error = re.search(rf'id="{described.group(1)}"[^>]*>(.*?)</p>', html, re.S)
    return error.group(1)


def test_a_commitment_due_before_the_meeting_is_refused_next_to_its_date(world, coordinator):
    data = meeting_post(
        attendance=present(world),
        commitments=[
            {
                "owner_institution": world.inst_a.pk,
                "owner_person": "",
                "description": "Réparer l’éclairage du parvis",
                "due_on": "2025-05-01",  # the meeting is on 12 May 2025
                "confidentiality": "",
            }
        ],
    )
    response = coordinator.post(create_url(world), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "précède la date de la réunion (12/05/2025)" in field_error(
        html, "id_commitments-0-due_on"
    )
    assert "Réparer l’éclairage du parvis" in html and 'value="2025-05-01"' in html
    assert not Meeting.objects.filter(place="Salle du conseil").exists()
    data["commitments-0-due_on"] = "2025-05-12"  # due the same day: fine
    assert coordinator.post(create_url(world), data).status_code == 302


def test_a_past_meeting_still_planned_must_say_whether_it_was_held(world, coordinator):
    response = coordinator.post(
        create_url(world), meeting_post(date="2025-05-12", status="planned")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "indiquez si elle s’est tenue ou si elle a été annulée" in field_error(html, "id_status")
    assert not Meeting.objects.filter(place="Salle du conseil").exists()
    cancelled = meeting_post(date="2025-05-12", status="cancelled")
    assert coordinator.post(create_url(world), cancelled).status_code == 302


def test_a_meeting_planned_for_today_may_stay_planned(world, coordinator):
    today = timezone.localdate().isoformat()
    response = coordinator.post(
        create_url(world), meeting_post(date=today, time="23:59", status="planned")
    )
    assert response.status_code == 302


def test_limits_are_said_and_refused_server_side_with_the_text_kept_whole(world, coordinator):
    page = coordinator.get(create_url(world)).content.decode()
    assert "maxlength" not in page  # the browser no longer cuts pasted text silently
    assert "200 caractères au plus." in page and "250 caractères au plus." in page
    place, point = "P" * 201, "Point " + "x" * 250
    data = meeting_post(
        place=place, attendance=present(world), agenda=[{"title": point, "notes": ""}]
    )
    response = coordinator.post(create_url(world), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "au plus 200 caractères (actuellement 201)" in field_error(html, "id_place")
    assert "au plus 250 caractères (actuellement 256)" in field_error(html, "id_agenda-0-title")
    assert place in html and point in html
    assert not Meeting.objects.filter(place__startswith="PPP").exists()


def test_an_absent_member_cannot_represent_another(world, coordinator):
    other = factories.membership(world.body_a, factories.person("Dominique"), world.inst_a)
    data = meeting_post(
        attendance=[
            {"membership": world.membership_a.pk, "status": "excused"},
            {
                "membership": other.pk,
                "status": "represented",
                "represented_by": world.person_a.pk,
            },
        ]
    )
    response = coordinator.post(create_url(world), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "figure parmi les absents ou les excusés" in field_error(
        html, "id_attendance-1-represented_by"
    )
    assert not Attendance.objects.filter(membership=other).exists()
    data["attendance-0-status"] = "present"  # there after all: may represent
    assert coordinator.post(create_url(world), data).status_code == 302
    assert Attendance.objects.get(membership=other).represented_by == world.person_a


def test_a_tampered_version_gets_a_french_message_and_the_input_back(world, coordinator):
    url = reverse("meetings:meeting-edit", args=[world.meeting_a.pk])
    data = meeting_post(date="2025-03-10", place="Saisie conservée", version="7:falsifiée")
    response = coordinator.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "numéro de version illisible" in html and "Saisie conservée" in html
    place_before = world.meeting_a.place
    world.meeting_a.refresh_from_db()
    assert world.meeting_a.place == place_before  # nothing saved
    again = meeting_post(date="2025-03-10", place="Saisie conservée", version=version_of(html))
    assert coordinator.post(url, again).status_code == 302
    world.meeting_a.refresh_from_db()
    assert world.meeting_a.place == "Saisie conservée"


@pytest.fixture
def turnover(world):
    """A member who left at the end of 2023, and one who arrived in June 2024."""
    former = factories.membership(
        world.body_a,
        factories.person("Ancien"),
        world.inst_a,
        ended_on=datetime.date(2023, 12, 31),
    )
    newcomer = factories.membership(
        world.body_a, factories.person("Nouvel"), world.inst_a, started_on=datetime.date(2024, 6, 1)
    )
    return former, newcomer


def rows(html):
    return [int(pk) for pk in re.findall(r'name="attendance-\d+-membership" value="(\d+)"', html)]


def test_the_expected_members_follow_the_date_asked_for(world, coordinator, turnover):
    former, newcomer = turnover
    today = coordinator.get(create_url(world)).content.decode()
    assert set(rows(today)) == {world.membership_a.pk, newcomer.pk}
    in_2023 = coordinator.get(create_url(world) + "?date=2023-06-01").content.decode()
    assert set(rows(in_2023)) == {world.membership_a.pk, former.pk}
    assert 'name="expected_on" value="2023-06-01"' in in_2023
    assert 'value="2023-06-01"' in re.search(r'<input[^>]*id="id_date"[^>]*>', in_2023)[0]


def test_a_date_changed_without_javascript_refreshes_the_rows_and_saves_nothing(
    world, coordinator, turnover
):
    former, newcomer = turnover
    data = meeting_post(
        date="2023-06-01",
        attendance=[
            {"membership": world.membership_a.pk, "status": "present"},
            {"membership": newcomer.pk, "status": ""},
        ],
    )
    data["expected_on"] = "2026-01-01"  # the rows the page listed when it opened
    response = coordinator.post(create_url(world), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "liste des membres attendus a été mise à jour" in html
    assert rows(html) == [world.membership_a.pk, former.pk]  # the newcomer's blank row left
    assert re.search(r'value="present"[^>]*checked', html)  # the status typed is kept
    assert not Meeting.objects.filter(place="Salle du conseil").exists()
    data = meeting_post(
        date="2023-06-01",
        attendance=[
            {"membership": world.membership_a.pk, "status": "present"},
            {"membership": former.pk, "status": "absent"},
        ],
    )
    data["expected_on"] = "2023-06-01"
    assert coordinator.post(create_url(world), data).status_code == 302
    assert Attendance.objects.filter(membership=former, status="absent").exists()


def test_a_status_typed_for_a_member_not_seated_at_the_new_date_is_kept_with_its_error(
    world, coordinator, turnover
):
    _former, newcomer = turnover
    data = meeting_post(
        date="2023-06-01",
        attendance=[
            {"membership": world.membership_a.pk, "status": "present"},
            {"membership": newcomer.pk, "status": "present"},
        ],
    )
    data["expected_on"] = "2026-01-01"
    html = coordinator.post(create_url(world), data).content.decode()
    assert newcomer.pk in rows(html)  # not dropped: it holds a status
    data.update({"expected_on": "2023-06-01"})
    html = coordinator.post(create_url(world), data).content.decode()
    assert "pas en cours à la date de la réunion" in html
    assert not Commitment.objects.filter(meeting__place="Salle du conseil").exists()
