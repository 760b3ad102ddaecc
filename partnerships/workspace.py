"""« Mes instances »: what a coordinator or a member follows week to week, on one page."""

import datetime

from django.db.models import Case, F, Max, Q, When

from actions import periods
from actions.models import ActionPlan, Indicator
from bodies.access import coordinated_body_ids, workspace_body_ids
from bodies.models import Body, start_of, today
from meetings.activity import bodies_with_status
from meetings.models import Commitment, Meeting

DUE_WITHIN_DAYS = 30


def last_complete_period(frequency: str, on: datetime.date) -> datetime.date:
    """The start of the last period of `frequency` that has ended by `on`."""
    current = periods.period_start(frequency, on)
    return periods.period_start(frequency, current - datetime.timedelta(days=1))


def my_bodies(access, on: datetime.date | None = None) -> dict:
    """Five queries: bodies, next meetings, commitments due, plans, indicators to update."""
    on = on or today()
    body_ids = workspace_body_ids(access)
    coordinated = coordinated_body_ids(access)
    bodies = bodies_with_status(Body.objects.filter(pk__in=body_ids), on).order_by("name")
    meetings = (
        Meeting.objects.readable_by(access)
        .filter(body_id__in=body_ids, status=Meeting.Status.PLANNED, starts_at__gte=start_of(on))
        .select_related("body")
        .order_by("starts_at")[:10]
    )
    due = (
        Commitment.objects.readable_by(access)
        .open()
        .filter(body_id__in=body_ids, due_on__lte=on + datetime.timedelta(days=DUE_WITHIN_DAYS))
        .select_related("body", "owner_institution", "meeting")
        .order_by("due_on", "pk")
    )
    plans = (
        ActionPlan.objects.readable_by(access)
        .filter(body_id__in=coordinated)
        .exclude(status=ActionPlan.Status.CLOSED)
        .select_related("body")
        .order_by("body__name", "-starts_on")
    )
    expected = Case(
        *(
            When(frequency=value, then=last_complete_period(value, on))
            for value in Indicator.Frequency.values
        )
    )
    to_update = (
        Indicator.objects.filter(
            plan__body_id__in=coordinated,
            plan__status=ActionPlan.Status.ADOPTED,
            plan__starts_on__lte=on,
            plan__ends_on__gte=on,
        )
        .annotate(last_measured=Max("measurements__period_start"), expected=expected)
        .filter(Q(last_measured__isnull=True) | Q(last_measured__lt=F("expected")))
        .select_related("plan")
        .order_by("plan__title", "name")
    )
    return {
        "bodies": list(bodies),
        "meetings": list(meetings),
        "due": list(due[:50]),
        "plans": list(plans),
        "to_update": list(to_update),
        "coordinates": bool(coordinated),
        "on": on,
        "due_within": DUE_WITHIN_DAYS,
    }
