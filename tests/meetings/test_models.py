"""Meetings, attendance and commitments: defaults, rules in the database and in French, the
reads the pages use."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bodies.access import access_for
from bodies.models import Body
from meetings.models import (
    Attendance,
    Commitment,
    Meeting,
    attendance_rate_by_institution,
)
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


def test_confidentiality_defaults_follow_body_type_and_kind(world):
    assert world.meeting_a.confidentiality == "public"  # CLSPD plenary
    assert world.partners_meeting_a.confidentiality == "partners"  # restricted formation
    assert world.restricted_meeting.confidentiality == "restricted"  # GLTD
    group = factories.body(Body.Type.WORKING_GROUP, parent=world.body_a, name="GT")
    assert factories.meeting(group).confidentiality == "restricted"
    assert factories.meeting(world.body_a, kind="monitoring_cell").confidentiality == "restricted"
    assert world.commitment_a.confidentiality == "public"


def test_a_future_meeting_cannot_be_held(world):
    future = Meeting(
        body=world.body_a, status="held", starts_at=timezone.now() + datetime.timedelta(days=3)
    )
    with pytest.raises(ValidationError) as error:
        future.full_clean()
    assert "laissez-la « prévue »" in str(error.value)
    future.status = "planned"
    future.full_clean()


def test_represented_member_names_the_representative(world):
    row = Attendance(
        meeting=world.meeting_a,
        person=world.person_a,
        institution=world.inst_a,
        status="represented",
    )
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert "qui représentait" in str(error.value)
    with pytest.raises(IntegrityError) as db_error, transaction.atomic():
        row.save()
    assert "meetings_attendance_represented_by_someone" in str(db_error.value) or (
        "CHECK constraint failed" in str(db_error.value)
    )


def test_one_attendance_row_per_person_and_meeting(world):
    factories.attendance(world.meeting_a, world.person_a, world.inst_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.attendance(world.meeting_a, world.person_a, world.inst_a)


def test_a_done_commitment_has_a_date_and_only_it(world):
    c = world.commitment_a
    c.status = "done"
    with pytest.raises(ValidationError) as error:
        c.full_clean()
    assert "quand l’engagement a été tenu" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        c.save()
    c.done_on = D(2025, 5, 2)
    c.full_clean()
    c.save()
    c.status = "open"
    with pytest.raises(ValidationError, match="Seul un engagement tenu"):
        c.full_clean()


def test_commitment_belongs_to_the_meetings_body(world):
    c = Commitment(
        body=world.body_b, meeting=world.meeting_a, owner_institution=world.inst_a, description="x"
    )
    with pytest.raises(ValidationError, match="celle de l’instance"):
        c.full_clean()


def test_open_overdue_and_done_commitments(world):
    late = world.commitment_a
    not_due = factories.commitment(world.meeting_a, world.inst_a, due_on=D(2099, 1, 1))
    factories.commitment(world.meeting_a, world.inst_a, status="done", done_on=D(2025, 4, 1))
    body_a = Commitment.objects.filter(meeting=world.meeting_a)  # not the partners-only one
    assert set(body_a.open()) == {late, not_due}
    assert set(body_a.overdue(D(2025, 7, 1))) == {late}
    assert body_a.done().count() == 1
    assert late.is_overdue(D(2025, 7, 1)) and not not_due.is_overdue(D(2025, 7, 1))


def test_attendance_rate_counts_members_at_held_meetings_only(world):
    police = factories.institution("national_police", "Police nationale")
    officer = factories.person()
    seat = factories.membership(world.body_a, officer, police)
    for day, status in [(1, "present"), (2, "absent"), (3, "represented"), (4, "excused")]:
        m = factories.meeting(
            world.body_a, starts_at=timezone.make_aware(datetime.datetime(2025, 1, day, 18))
        )
        kwargs = {"represented_by": factories.person()} if status == "represented" else {}
        factories.attendance(m, officer, police, status=status, membership=seat, **kwargs)
    planned = factories.meeting(
        world.body_a,
        status="planned",
        starts_at=timezone.make_aware(datetime.datetime(2025, 1, 9, 18)),
    )
    factories.attendance(planned, officer, police, status="absent", membership=seat)
    guest = factories.meeting(
        world.body_a, starts_at=timezone.make_aware(datetime.datetime(2025, 1, 5, 18))
    )
    factories.attendance(guest, factories.person(), police, status="present")  # a guest

    rows = {
        r["institution__name"]: r
        for r in attendance_rate_by_institution(world.body_a, D(2024, 12, 1))
    }
    assert rows["Police nationale"]["expected"] == 4
    assert rows["Police nationale"]["attended"] == 2
    assert rows["Police nationale"]["rate"] == 50


def test_meetings_readable_by_role(world):
    def readable(role):
        return set(Meeting.objects.readable_by(access_for(world.users[role])))

    public = {world.meeting_a, world.meeting_b}
    assert readable("anonymous") == public
    assert readable("researcher") == public
    assert readable("prefecture") == public | {world.partners_meeting_a}
    assert readable("coordinator") == public | {world.partners_meeting_a}
    # person A sits in body A (partners) and attended the GLTD meeting (named)
    assert readable("member") == public | {world.partners_meeting_a, world.restricted_meeting}
    assert readable("admin") == set(Meeting.objects.all())
