"""Minutes as a document (issue 14): the printable page and the .odt of a held meeting hold
exactly what the reader may read; « compte rendu approuvé le … » marked at a later meeting."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.odt import odt_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(world):
    """Body A's partners-only formation, held: person A attended, a decision at its level and a
    restricted one, a commitment owned by person A, a follow-up of the plenary's commitment."""
    meeting = world.partners_meeting_a
    meeting.place = "Salle Mistral"
    meeting.save()
    factories.attendance(meeting, world.person_a, world.inst_a, status="present")
    meeting.decisions.create(text="Décision partagée entre partenaires")
    meeting.decisions.create(text="CANARY-RESTRICTED-DECISION", confidentiality="restricted")
    world.partners_commitment_a.owner_person = world.person_a
    world.partners_commitment_a.save()
    meeting.follow_ups.create(commitment=world.commitment_a, outcome="kept_open", note="En cours")
    chair_institution = factories.institution(
        name="Mairie de Grenoble", dept=world.isere, commune=world.grenoble
    )
    factories.membership(
        world.body_a, factories.person("Eric", "Maire"), chair_institution, role="chair"
    )
    return meeting


def page(client, meeting):
    return client.get(reverse("meetings:meeting-minutes", args=[meeting.pk]))


def odt(client, meeting):
    response = client.get(reverse("meetings:meeting-minutes-odt", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.text"
    assert response["Content-Disposition"].startswith('attachment; filename="compte-rendu-')
    return odt_text(response.content)


@pytest.mark.parametrize("kind", ["page", "odt"])
def test_a_member_reads_every_section_with_names(world, login, record, kind):
    client = login(world, "member")
    text = page(client, record).content.decode() if kind == "page" else odt(client, record)
    for expected in (
        world.body_a.name,
        "Salle Mistral",
        "Eric Maire",  # the mayor chairs a CLSPD: public office
        "Ville de Grenoble",
        "Canari Alpha",
        "CANARY-PARTNERS-AGENDA-A",
        "Décision partagée entre partenaires",
        "CANARY-PARTNERS-COMMITMENT-A",
        "30 juin 2025",
        "Éclairer le passage Mistral",  # the follow-up
        "CANARY-PARTNERS-MINUTES-A",
        "CANARY-RESTRICTED-DECISION",  # an attendee is named on the meeting's decisions
    ):
        assert expected in text, expected


@pytest.mark.parametrize("kind", ["page", "odt"])
def test_national_staff_read_the_record_without_names(world, login, record, kind):
    client = login(world, "national")
    text = page(client, record).content.decode() if kind == "page" else odt(client, record)
    assert "CANARY-PARTNERS-MINUTES-A" in text and "Ville de Grenoble" in text
    assert "Alpha" not in text
    assert "CANARY-RESTRICTED-DECISION" not in text


def test_prefecture_staff_read_names_but_not_the_restricted_decision(world, login, record):
    text = odt(login(world, "prefecture"), record)
    assert "Canari Alpha" in text and "CANARY-PARTNERS-MINUTES-A" in text
    assert "CANARY-RESTRICTED-DECISION" not in text


def test_who_may_not_read_the_meeting_gets_a_404(world, login, record):
    for role in ("anonymous", "researcher"):
        client = login(world, role)
        assert page(client, record).status_code == 404
        url = reverse("meetings:meeting-minutes-odt", args=[record.pk])
        assert client.get(url).status_code == 404


def test_a_planned_meeting_has_no_minutes_document(world, login):
    planned = factories.meeting(
        world.body_a, starts_at=timezone.now() + datetime.timedelta(days=3), status="planned"
    )
    assert page(login(world, "coordinator"), planned).status_code == 404


def test_the_print_page_hides_navigation_on_paper(world, login, record):
    html = page(login(world, "member"), record).content.decode()
    assert 'dsfr.print.min.css" media="print"' in html
    assert "registry-minutes" in html and "registry-no-print" in html


def test_minutes_approved_at_a_later_meeting(world, login, record):
    later = factories.meeting(
        world.body_a, starts_at=record.starts_at + datetime.timedelta(days=30)
    )
    client = login(world, "coordinator")
    url = reverse("meetings:meeting-minutes-approve", args=[record.pk])
    response = client.post(url, {"approved_at": later.pk})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.minutes_approved_at == later
    approved = f"Compte rendu approuvé le {later.starts_at:%-d} avril 2025"
    assert approved in client.get(record.get_absolute_url()).content.decode()
    assert approved in page(client, record).content.decode()
    assert approved in odt(client, record)
    client.post(url, {"approved_at": ""})
    record.refresh_from_db()
    assert record.minutes_approved_at is None


def test_approval_refuses_an_earlier_or_foreign_meeting_and_non_writers(world, login, record):
    earlier = factories.meeting(
        world.body_a, starts_at=record.starts_at - datetime.timedelta(days=30)
    )
    url = reverse("meetings:meeting-minutes-approve", args=[record.pk])
    client = login(world, "coordinator")
    for value in (earlier.pk, world.meeting_b.pk, "x"):
        response = client.post(url, {"approved_at": value})
        assert response.status_code == 400
    record.refresh_from_db()
    assert record.minutes_approved_at is None
    later = factories.meeting(
        world.body_a, starts_at=record.starts_at + datetime.timedelta(days=30)
    )
    for role, status in (("member", 403), ("prefecture", 403), ("anonymous", 404)):
        assert login(world, role).post(url, {"approved_at": later.pk}).status_code == status
    record.refresh_from_db()
    assert record.minutes_approved_at is None


def approved_at_partners_meeting(world):
    """The public plenary's minutes approved at a later partners-only formation of body A."""
    later = factories.meeting(
        world.body_a,
        kind="restricted",
        starts_at=world.meeting_a.starts_at + datetime.timedelta(days=40),
    )
    world.meeting_a.minutes_approved_at = later
    world.meeting_a.save()
    return later


def test_the_date_of_an_approving_meeting_the_reader_cannot_see_is_not_disclosed(world, login):
    later = approved_at_partners_meeting(world)
    dated = f"Compte rendu approuvé le {later.starts_at:%-d}"
    anonymous = login(world, "anonymous")
    for text in (
        anonymous.get(world.meeting_a.get_absolute_url()).content.decode(),
        page(anonymous, world.meeting_a).content.decode(),
        odt(anonymous, world.meeting_a),
    ):
        assert "Compte rendu approuvé" in text and dated not in text
    member = login(world, "member")
    assert dated in member.get(world.meeting_a.get_absolute_url()).content.decode()
    assert dated in odt(member, world.meeting_a)


def test_an_approval_at_a_meeting_no_longer_held_is_not_shown(world, login):
    later = approved_at_partners_meeting(world)
    later.status = "cancelled"
    later.save()
    member = login(world, "member")
    for text in (
        member.get(world.meeting_a.get_absolute_url()).content.decode(),
        page(member, world.meeting_a).content.decode(),
        odt(member, world.meeting_a),
    ):
        assert "Compte rendu approuvé" not in text


def test_the_history_records_who_marked_the_minutes_approved(world, login, record):
    later = factories.meeting(world.body_a, starts_at=record.starts_at + datetime.timedelta(30))
    client = login(world, "coordinator")
    url = reverse("meetings:meeting-minutes-approve", args=[record.pk])
    client.post(url, {"approved_at": later.pk})
    last = record.history.order_by("-history_date", "-history_id").first()
    assert last.minutes_approved_at_id == later.pk
    assert last.history_user == world.users["coordinator"]


def test_the_administration_validates_the_approving_meeting_too(world, record):
    from django.core.exceptions import ValidationError

    earlier = factories.meeting(world.body_a, starts_at=record.starts_at - datetime.timedelta(30))
    foreign = factories.meeting(world.body_b, starts_at=record.starts_at + datetime.timedelta(30))
    planned = factories.meeting(
        world.body_a, starts_at=record.starts_at + datetime.timedelta(30), status="planned"
    )
    for approving in (earlier, foreign, planned, record):
        record.minutes_approved_at = approving
        with pytest.raises(ValidationError) as error:
            record.full_clean()
        assert "minutes_approved_at" in error.value.message_dict
    record.minutes_approved_at = factories.meeting(
        world.body_a, starts_at=record.starts_at + datetime.timedelta(30)
    )
    record.full_clean()
