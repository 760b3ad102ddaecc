"""Two years of demo meetings: the failures the registry exists to show are in them."""

import datetime

import pytest
from django.utils import timezone

from bodies.models import Body
from meetings.demo import load_meetings_demo
from meetings.models import Commitment, Meeting, attendance_rate_by_institution

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_every_body_met_and_commitments_are_in_every_status(demo):
    active = Body.objects.not_dissolved().filter(created_on__lt=datetime.date(2026, 1, 1))
    assert not active.exclude(meetings__isnull=False).exists()
    assert set(Commitment.objects.values_list("status", flat=True)) == {"open", "done", "dropped"}
    assert Commitment.objects.overdue(TODAY).exists()
    assert Meeting.objects.filter(status="planned").exists()


def test_a_body_went_dormant(demo):
    fontaine = Body.objects.get(type="CLSPD", commune__insee_code="38169")
    last = fontaine.meetings.held().order_by("-starts_at").first()
    assert last.date < TODAY - datetime.timedelta(days=365)


def test_an_institution_stopped_coming_and_never_commits(demo):
    grenoble = Body.objects.get(type="CLSPD", commune__insee_code="38185")
    rates = {
        r["institution__name"]: r
        for r in attendance_rate_by_institution(grenoble, TODAY - datetime.timedelta(days=365))
    }
    landlord = "Alpes Habitat Solidaire (bailleur fictif)"
    assert rates[landlord]["rate"] == 0 and rates[landlord]["expected"] > 0
    assert not Commitment.objects.filter(owner_institution__name=landlord).exists()


def test_meetings_demo_is_idempotent(demo):
    count = Meeting.objects.count()
    assert load_meetings_demo() == {}
    assert Meeting.objects.count() == count
