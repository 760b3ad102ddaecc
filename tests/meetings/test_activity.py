"""A body's status is derived by the database from its dates and its last held meeting."""

import datetime

import pytest
from django.utils import timezone

from bodies.models import Body, months_before
from meetings.activity import bodies_with_status
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 11, 28)


def at(day):
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 18, 0))


def status(body, on=TODAY):
    row = bodies_with_status(on=on).get(pk=body.pk)
    return row.status, row.last_held_on


def test_a_body_that_met_within_twelve_months_is_active(clspd):
    factories.meeting(clspd, at(D(2025, 12, 1)))
    assert status(clspd) == (Body.Status.ACTIVE, D(2025, 12, 1))


def test_a_body_without_a_held_meeting_for_twelve_months_is_dormant(clspd):
    factories.meeting(clspd, at(D(2025, 11, 27)))  # a year and a day ago
    factories.meeting(clspd, at(D(2026, 10, 1)), status="cancelled")  # does not count
    factories.meeting(clspd, at(D(2026, 12, 15)), status="planned")  # nor does a plan
    assert status(clspd) == (Body.Status.DORMANT, D(2025, 11, 27))


def test_twelve_months_to_the_day_still_counts(clspd):
    factories.meeting(clspd, at(D(2025, 11, 28)))
    assert status(clspd)[0] == Body.Status.ACTIVE


def test_a_body_that_never_met_is_dormant(clspd):
    assert status(clspd) == (Body.Status.DORMANT, None)


def test_a_new_body_has_six_months_of_grace(grenoble):
    young = factories.body(commune=grenoble, created_on=D(2026, 6, 1))  # under six months
    assert status(young)[0] == Body.Status.ACTIVE
    young.created_on = D(2026, 5, 28)  # six months ago to the day: the grace is over
    young.save()
    assert status(young)[0] == Body.Status.DORMANT


def test_a_gltd_past_its_planned_end_has_ended(clspd):
    gltd = factories.body(Body.Type.GLTD, commune=clspd.commune, planned_end_on=D(2026, 11, 27))
    factories.meeting(gltd, at(D(2026, 11, 1)))
    assert status(gltd)[0] == Body.Status.ENDED
    assert status(gltd, on=D(2026, 11, 27))[0] == Body.Status.ACTIVE  # its last day


def test_dissolution_comes_first(clspd):
    factories.meeting(clspd, at(D(2026, 11, 1)))
    clspd.dissolved_on = D(2026, 11, 20)
    clspd.save()
    assert status(clspd)[0] == Body.Status.DISSOLVED
    assert status(clspd, on=D(2026, 11, 19))[0] == Body.Status.ACTIVE


def test_status_filters_and_counts_in_one_query(grenoble, django_assert_num_queries):
    for i in range(4):
        body = factories.body(commune=factories.commune(f"38{i + 300:03d}", f"C{i}", 6000))
        if i % 2:
            factories.meeting(body, at(D(2026, 9, 1)))
    with django_assert_num_queries(1):
        dormant = list(bodies_with_status(on=TODAY).filter(status=Body.Status.DORMANT))
    assert len(dormant) == 2


@pytest.mark.parametrize(
    ("on", "months", "expected"),
    [
        (D(2026, 11, 28), 12, D(2025, 11, 28)),
        (D(2026, 8, 31), 6, D(2026, 2, 28)),  # February has no 31st
        (D(2028, 2, 29), 12, D(2027, 2, 28)),
        (D(2026, 3, 15), 6, D(2025, 9, 15)),
    ],
)
def test_months_before(on, months, expected):
    assert months_before(on, months) == expected
