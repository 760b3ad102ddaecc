"""The integration levels' rules, one by one (partnerships/integration.py)."""

import datetime

import pytest
from django.utils import timezone

from bodies.models import Body, Institution
from partnerships.integration import with_integration
from tests import factories

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 6, 15)


def at(days_before):
    day = ON - datetime.timedelta(days=days_before)
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 18, 0))


def level(body):
    return with_integration(Body.objects.filter(pk=body.pk), ON).get().integration


@pytest.fixture
def institutions(isere):
    return [
        factories.institution(category, f"I{n}", isere)
        for n, category in enumerate(
            [
                Institution.Category.COMMUNE,
                Institution.Category.NATIONAL_POLICE,
                Institution.Category.PARQUET,
            ]
        )
    ]


def meet(body, times=2, decisions=True):
    meetings = [factories.meeting(body, at(30 * (n + 1))) for n in range(times)]
    if decisions:
        meetings[0].decisions.create(text="Une décision")
    return meetings


def test_a_body_that_has_not_met_twice_is_below_level_one(clspd):
    meet(clspd, times=1)
    assert level(clspd) == 0


def test_meetings_without_decisions_stay_below_level_one(clspd):
    meet(clspd, decisions=False)
    assert level(clspd) == 0


def test_two_meetings_and_a_decision_make_level_one(clspd):
    meet(clspd)
    assert level(clspd) == 1


def test_meetings_older_than_a_year_do_not_count(clspd):
    factories.meeting(clspd, at(400)).decisions.create(text="Ancienne")
    factories.meeting(clspd, at(380))
    assert level(clspd) == 0


def test_commitments_owned_by_three_institutions_make_level_two(clspd, institutions):
    meeting = meet(clspd)[0]
    for institution in institutions[:2]:
        factories.commitment(meeting, institution)
    assert level(clspd) == 1
    factories.commitment(meeting, institutions[2])
    assert level(clspd) == 2


def test_actions_led_by_two_institutions_make_level_two(clspd, institutions):
    meet(clspd)
    plan = factories.plan(clspd)
    factories.action(plan, institutions[0])
    factories.action(plan, institutions[0], title="Autre")
    assert level(clspd) == 1
    factories.action(plan, institutions[1], title="Troisième")
    assert level(clspd) == 2


def test_level_three_needs_two_funding_sources_and_an_active_restricted_group(clspd, institutions):
    meet(clspd)
    plan = factories.plan(clspd)
    first = factories.action(plan, institutions[0])
    factories.action(plan, institutions[1], title="Autre")
    first.funding_lines.create(source="fipd", year=2026, amount=1000)
    first.funding_lines.create(source="commune", year=2026, amount=1000)
    assert level(clspd) == 2  # no restricted group yet
    group = factories.body(Body.Type.WORKING_GROUP, parent=clspd, name="Cellule de veille")
    assert level(clspd) == 2  # the group never met: dormant, so not active
    factories.meeting(group, at(10))
    assert level(clspd) == 3


def test_a_level_requires_the_one_below(clspd, institutions):
    # commitments by three institutions, but a single meeting: not level 2
    meeting = meet(clspd, times=1)[0]
    for institution in institutions:
        factories.commitment(meeting, institution)
    assert level(clspd) == 0
