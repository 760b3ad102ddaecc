"""What the pages of other apps show of meetings and commitments, for one reader: the body
page's meetings and commitments, the action page's commitments."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from bodies.access import can_record_meetings

from .models import Commitment, Meeting, attendance_rate_by_institution


def body_meetings_summary(access, body, today: datetime.date | None = None) -> dict:
    """Upcoming and past meetings the reader may read, attendance rate per institution over
    the last 12 months (of those meetings), open and overdue commitments per owner
    institution. Four queries."""
    now = timezone.now()
    today = today or timezone.localdate()
    readable = Meeting.objects.readable_by(access).filter(body=body)
    commitments = (
        Commitment.objects.readable_by(access)
        .filter(body=body, status=Commitment.Status.OPEN)
        .values("owner_institution_id", "owner_institution__name")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
        .order_by("-overdue", "owner_institution__name")
    )
    return {
        "upcoming_meetings": list(readable.upcoming(now).order_by("starts_at")[:5]),
        "past_meetings": list(readable.past(now).order_by("-starts_at")[:10]),
        "attendance_rates": attendance_rate_by_institution(
            body, today - datetime.timedelta(days=365), meetings=readable
        ),
        "open_commitments": list(commitments),
        "can_record_meetings": can_record_meetings(access, body),
    }


def commitments_serving(action, access):
    """Commitments made in meetings to carry out `action` that `access` may read, with
    their owner institution and meeting. One query."""
    return (
        Commitment.objects.readable_by(access)
        .filter(action=action)
        .select_related("owner_institution", "meeting")
        .order_by("due_on", "pk")
    )
